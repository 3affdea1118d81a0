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


# How often a runtime asks whether another version of the city profile became active.
POLICY_RECHECK = 10.0


def _monotonic() -> float:
    import time

    return time.monotonic()


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
    _policy_hash: str = ""
    _policy_checked: float = 0.0
    _locator: Locator | None = None
    shared: SharedTransaction | None = None  # set while bulk work groups commands per commit

    def uow(self, *, readonly: bool = False) -> SqlUnitOfWork:
        if self.shared is not None:
            return NestedUnitOfWork(self.shared)
        return SqlUnitOfWork(self.engine, readonly=readonly)

    @property
    def policy(self) -> CasePolicy:
        if self.policy_override is not None:
            return self.policy_override
        if self._policy is not None and _monotonic() - self._policy_checked > POLICY_RECHECK:
            # another process (an administrator's change, a rollback) may have activated
            # another version of the city profile
            from cityops.services.profile import active_hash

            self._policy_checked = _monotonic()
            if active_hash(self.engine) != self._policy_hash:
                self._policy = None
        if self._policy is None:
            from cityops.domain.cases.vocabulary import Channel
            from cityops.domain.clock.calendar import calendar_for
            from cityops.services.profile import active_profile

            profile = active_profile(self.engine)
            kwargs = {}
            if profile.verification_channels:
                kwargs["verification_channels"] = frozenset(
                    Channel(c) for c in profile.verification_channels
                )
            self._policy = CasePolicy(profile, calendar_for(profile.calendar), **kwargs)
            self._policy_hash = profile.content_hash
            self._policy_checked = _monotonic()
        return self._policy

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
