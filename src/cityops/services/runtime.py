"""The wiring of one running platform: database, city rules, geography, file store, clock.

Built by ``bootstrap()`` (the CLI, the API app factory, tests); nothing is built at import.
The city's policy (profile + calendar) and the grid locator are loaded lazily from the
database on first use and reloaded when a new profile or new grids are installed
(``invalidate()``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Engine

from cityops.adapters.blobstore import BlobStore
from cityops.adapters.db.engine import make_engine
from cityops.adapters.db.unit_of_work import NestedUnitOfWork, SharedTransaction, SqlUnitOfWork
from cityops.config import Settings, get_settings
from cityops.domain.cases.policy import CasePolicy
from cityops.domain.geo.model import CoordSystem, Location


class Locator(Protocol):
    def locate(self, lon: float, lat: float, crs: CoordSystem = CoordSystem.WGS84) -> Location: ...


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    engine: Engine
    settings: Settings
    blobs: BlobStore
    now: Callable[[], datetime] = utcnow
    policy_override: CasePolicy | None = None
    locator_override: Locator | None = None
    # Who verifies/checks on site at a location; replaced by the accounts area's assignment.
    inspector_for: Callable[[Location], str | None] = field(default=lambda _loc: None)
    _policy: CasePolicy | None = None
    _locator: Locator | None = None
    shared: SharedTransaction | None = None  # set while bulk work groups commands per commit

    def uow(self, *, readonly: bool = False) -> SqlUnitOfWork:
        if self.shared is not None:
            return NestedUnitOfWork(self.shared)
        return SqlUnitOfWork(self.engine, readonly=readonly)

    @property
    def policy(self) -> CasePolicy:
        """The active city profile and its calendar, loaded on first use. Reading it never
        touches the database again: ``recheck_policy()`` (a background job of the served app)
        picks up a version activated elsewhere."""
        if self.policy_override is not None:
            return self.policy_override
        if self._policy is None:
            self._policy = self._load_policy()
        return self._policy

    def recheck_policy(self) -> bool:
        """Load the city profile again if another version became active since it was loaded
        (an administrator's change in another worker process, a rollback from the command
        line). Returns whether the policy changed; nothing is loaded before first use."""
        if self.policy_override is not None or self._policy is None:
            return False
        from cityops.services.profile import active_hash

        if active_hash(self.engine) in (None, self._policy.profile.content_hash):
            return False
        self._policy = self._load_policy()
        return True

    def _load_policy(self) -> CasePolicy:
        from cityops.domain.cases.vocabulary import Channel
        from cityops.domain.clock.calendar import calendar_for
        from cityops.services.profile import active_profile

        profile = active_profile(self.engine)
        kwargs = {}
        if profile.verification_channels:
            kwargs["verification_channels"] = frozenset(
                Channel(c) for c in profile.verification_channels
            )
        return CasePolicy(profile, calendar_for(profile.calendar), **kwargs)

    @property
    def locator(self) -> Locator:
        if self.locator_override is not None:
            return self.locator_override
        if self._locator is None:
            from cityops.services.geography import get_locator

            self._locator = get_locator(self.engine)
        return self._locator

    def invalidate(self) -> None:
        self._policy = None
        self._locator = None


def bootstrap(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    now: Callable[[], datetime] | None = None,
) -> Runtime:
    settings = settings or get_settings()
    engine = engine or make_engine(
        settings.resolved_database_url(), pool_size=settings.db_pool_size
    )
    rt = Runtime(
        engine=engine,
        settings=settings,
        blobs=BlobStore(settings.resolved_attachments_dir()),
        now=now or utcnow,
    )
    rt.inspector_for = _inspectors_from_accounts(rt)
    return rt


def _inspectors_from_accounts(rt: Runtime) -> Callable[[Location], str | None]:
    """The inspector whose grids contain the location, from the accounts (loaded once and
    reloaded every five minutes, so new assignments take effect without a restart)."""
    import time

    cache: dict[str, object] = {"at": -1e9, "map": {}}

    def lookup(loc: Location) -> str | None:
        from cityops.services.accounts import grid_inspectors

        if time.monotonic() - float(cache["at"]) > 300:  # type: ignore[arg-type]
            try:
                cache["map"] = grid_inspectors(rt)
            except Exception:
                cache["map"] = {}
            cache["at"] = time.monotonic()
        mapping: dict[str, str] = cache["map"]  # type: ignore[assignment]
        return mapping.get(loc.grid_code or "")

    return lookup
