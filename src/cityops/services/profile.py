"""Installing and reading the city profile.

``install_profile`` validates a profile directory completely *before* it touches the
database, then writes the version and its normalised tables in one transaction: a bad
profile never reaches the database and the active one stays as it was. Installing files whose
content hash is already stored adds nothing and returns that version (making it the active
one again if it was not: that is how a city rolls back). ``active_profile`` rebuilds the
active ``CityProfile`` from its stored document, cached by content hash.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from cityops.adapters.db.tables.catalog import (
    catalog_classes,
    filing_conditions,
    profile_regions,
    profile_units,
    profile_versions,
    routing_rules,
    stage_limits,
)
from cityops.domain.catalog.model import CityProfile, ClassKind
from cityops.domain.catalog.profile_document import profile_from_document, profile_to_document
from cityops.domain.catalog.profile_loader import parse_profile, read_profile_files
from cityops.errors import NotFoundError

DEMO_CITY = "jinan-demo"
_CACHE_SIZE = 8
_cache: dict[str, CityProfile] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class ProfileVersion:
    id: int
    city_code: str
    city_name: str
    version: str
    content_hash: str
    loaded_at: datetime
    active: bool
    source: str
    created: bool = False  # True when this call stored it


def demo_profile_path() -> Path:
    """The shipped demo city's profile directory (济南市)."""
    return Path(str(resources.files("cityops").joinpath("data", "cities", DEMO_CITY)))


def install_profile(
    engine: Engine, path: str | Path, *, now: datetime | None = None
) -> ProfileVersion:
    """Validate the profile in ``path`` and make it the active version (one transaction).

    Raises ``ProfileError`` (nothing written) if the profile has any problem."""
    files = read_profile_files(path)
    profile = parse_profile(files, source=str(path))
    return install_files(engine, profile, files, _source_of(path), now=now)


def _source_of(path: str | Path) -> str:
    """Where a version came from, as the versions list shows it."""
    if Path(path).resolve() == demo_profile_path().resolve():
        return f"随平台提供的示范城市配置（{DEMO_CITY}）"
    return str(path)


def install_files(
    engine: Engine,
    profile: CityProfile,
    files: Mapping[str, bytes],
    source: str,
    *,
    now: datetime | None = None,
) -> ProfileVersion:
    """Store a validated profile with the files it was read from and make it the active
    version (one transaction)."""
    at = now or datetime.now(UTC)
    try:
        return _install(engine, profile, source, at, files)
    except IntegrityError:
        # Someone installed the same content at the same moment: theirs is ours.
        return _install(engine, profile, source, at, files)


def _files_text(files: Mapping[str, bytes]) -> dict[str, str]:
    """The files as stored with a version: their exact text, a byte-order mark kept (a CSV
    saved by Excel), so the bytes given back are the bytes hashed and a rollback finds the
    same version."""
    return {name: data.decode("utf-8") for name, data in sorted(files.items())}


def _install(
    engine: Engine,
    profile: CityProfile,
    source: str,
    at: datetime,
    files: Mapping[str, bytes],
) -> ProfileVersion:
    pv = profile_versions
    with engine.begin() as conn:
        existing = conn.execute(select(pv).where(pv.c.content_hash == profile.content_hash)).first()
        if existing is not None:
            if existing.files is None:  # installed before versions kept their files
                conn.execute(
                    update(pv).where(pv.c.id == existing.id).values(files=_files_text(files))
                )
            if not existing.active:
                conn.execute(update(pv).where(pv.c.active.is_(True)).values(active=False))
                conn.execute(update(pv).where(pv.c.id == existing.id).values(active=True))
            return _version(existing._mapping, active=True)
        conn.execute(update(pv).where(pv.c.active.is_(True)).values(active=False))
        result = conn.execute(
            insert(pv).values(
                city_code=profile.city_code,
                city_name=profile.city_name,
                version=profile.version,
                content_hash=profile.content_hash,
                document=profile_to_document(profile),
                loaded_at=at,
                active=True,
                source=source,
                files=_files_text(files),
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        version_id = int(key[0])
        _write_tables(conn, version_id, profile)
    with _cache_lock:
        _remember(profile)
    return ProfileVersion(
        version_id,
        profile.city_code,
        profile.city_name,
        profile.version,
        profile.content_hash,
        at,
        True,
        source,
        created=True,
    )


def _write_tables(conn: Connection, vid: int, p: CityProfile) -> None:
    classes = [*p.classes.values(), *p.components.values()]
    conn.execute(
        insert(catalog_classes),
        [
            {
                "profile_version_id": vid,
                "kind": c.kind.value,
                "code": c.code,
                "standard": c.standard,
                "major_code": c.major_code,
                "major_name": c.major_name,
                "name": c.name,
                "aliases": list(c.aliases),
                "weight": p.class_weights.get(c.code, 0.0) if c.kind == ClassKind.MATTER else 0.0,
            }
            for c in classes
        ],
    )
    rows: list[tuple[Any, list[dict[str, Any]]]] = [
        (
            filing_conditions,
            [
                {
                    "code": c.code,
                    "class_code": c.class_code,
                    "text": c.text,
                    "limit_value": c.limit.value,
                    "limit_unit": c.limit.unit.value,
                    "urgency": c.urgency.value,
                    "closure_condition": c.closure_condition,
                    "default_unit": c.default_unit,
                    "weight": c.weight,
                }
                for c in p.conditions.values()
            ],
        ),
        (
            profile_units,
            [
                {
                    "code": u.code,
                    "name": u.name,
                    "kind": u.kind.value,
                    "parent_code": u.parent_code,
                    "region_code": u.region_code,
                }
                for u in p.units.values()
            ],
        ),
        (
            routing_rules,
            [
                {
                    "position": i,
                    "class_pattern": r.class_pattern,
                    "area_code": r.area_code,
                    "unit_code": r.unit_code,
                    "note": r.note,
                }
                for i, r in enumerate(p.routing, start=1)
            ],
        ),
        (
            stage_limits,
            [
                {
                    "position": i,
                    "stage": s.stage.value,
                    "urgency": s.urgency.value if s.urgency else None,
                    "area_class": s.area_class.value if s.area_class else None,
                    "limit_value": s.limit.value,
                    "limit_unit": s.limit.unit.value,
                }
                for i, s in enumerate(p.stage_limits, start=1)
            ],
        ),
        (
            profile_regions,
            [
                {"code": r.code, "name": r.name, "area_class": r.area_class.value}
                for r in p.regions.values()
            ],
        ),
    ]
    for table, values in rows:
        if values:
            conn.execute(insert(table), [{"profile_version_id": vid, **v} for v in values])


def _version(m: Any, *, active: bool | None = None, created: bool = False) -> ProfileVersion:
    return ProfileVersion(
        id=int(m["id"]),
        city_code=m["city_code"],
        city_name=m["city_name"],
        version=m["version"],
        content_hash=m["content_hash"],
        loaded_at=m["loaded_at"],
        active=bool(m["active"]) if active is None else active,
        source=m["source"],
        created=created,
    )


def _remember(profile: CityProfile) -> None:
    if len(_cache) >= _CACHE_SIZE:
        _cache.pop(next(iter(_cache)))
    _cache[profile.content_hash] = profile


def active_profile(engine: Engine) -> CityProfile:
    """The active profile; raises ``NotFoundError`` (``profile.none_installed``) if none."""
    pv = profile_versions
    with engine.connect() as conn:
        row = conn.execute(select(pv.c.id, pv.c.content_hash).where(pv.c.active.is_(True))).first()
        if row is None:
            raise NotFoundError(
                "profile.none_installed",
                "尚未载入城市配置，请先运行“cityops profile load”",
            )
        with _cache_lock:
            cached = _cache.get(row.content_hash)
        if cached is not None:
            return cached
        document = conn.execute(select(pv.c.document).where(pv.c.id == row.id)).scalar_one()
    profile = profile_from_document(document)
    with _cache_lock:
        _remember(profile)
    return profile


def active_hash(engine: Engine) -> str | None:
    """The content hash of the active version (a cheap check that it is still the same)."""
    pv = profile_versions
    with engine.connect() as conn:
        found: str | None = conn.execute(
            select(pv.c.content_hash).where(pv.c.active.is_(True))
        ).scalar()
    return found


def active_version(engine: Engine) -> ProfileVersion | None:
    pv = profile_versions
    cols = [c for c in pv.c if c.name not in ("document", "files")]
    with engine.connect() as conn:
        row = conn.execute(select(*cols).where(pv.c.active.is_(True))).first()
    return _version(row._mapping) if row is not None else None


def list_versions(engine: Engine) -> list[ProfileVersion]:
    """Every installed version, newest first."""
    pv = profile_versions
    cols = [c for c in pv.c if c.name not in ("document", "files")]
    with engine.connect() as conn:
        rows = conn.execute(select(*cols).order_by(pv.c.id.desc())).all()
    return [_version(r._mapping) for r in rows]


def version_counts(engine: Engine, version_id: int) -> dict[str, int]:
    """Row counts of a stored version: classes by standard and kind, conditions, units by
    kind, routing rules, stage limits, regions."""
    out: dict[str, int] = {}
    with engine.connect() as conn:
        for standard, kind, n in conn.execute(
            select(catalog_classes.c.standard, catalog_classes.c.kind, func.count())
            .where(catalog_classes.c.profile_version_id == version_id)
            .group_by(catalog_classes.c.standard, catalog_classes.c.kind)
        ):
            out[f"classes:{standard}:{kind}"] = int(n)
        for kind, n in conn.execute(
            select(profile_units.c.kind, func.count())
            .where(profile_units.c.profile_version_id == version_id)
            .group_by(profile_units.c.kind)
        ):
            out[f"units:{kind}"] = int(n)
        for name, table in (
            ("conditions", filing_conditions),
            ("routing_rules", routing_rules),
            ("stage_limits", stage_limits),
            ("regions", profile_regions),
        ):
            out[name] = int(
                conn.execute(
                    select(func.count())
                    .select_from(table)
                    .where(table.c.profile_version_id == version_id)
                ).scalar_one()
            )
    return out


def version_files(engine: Engine, version_id: int) -> tuple[ProfileVersion, dict[str, bytes]]:
    """A stored version and the files it was read from (``profile.files_missing`` if it was
    installed before versions kept them)."""
    pv = profile_versions
    cols = [c for c in pv.c if c.name != "document"]
    with engine.connect() as conn:
        row = conn.execute(select(*cols).where(pv.c.id == version_id)).first()
    if row is None:
        raise NotFoundError(
            "profile.version_not_found", f"没有编号为{version_id}的配置版本", id=version_id
        )
    if row.files is None:
        raise NotFoundError(
            "profile.files_missing",
            "该配置版本没有保存原始文件：请用“cityops profile load 目录”重新载入一次",
            id=version_id,
        )
    files = {name: text.encode("utf-8") for name, text in row.files.items()}
    return _version(row._mapping), files


def clear_cache() -> None:
    """Forget cached profiles (tests)."""
    with _cache_lock:
        _cache.clear()
