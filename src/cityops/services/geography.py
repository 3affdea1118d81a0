"""The geography service: install, import, export, locate, name.

Writes are one transaction each and bump the ``grids`` revision when grids change, so cached
locators (``get_locator``) rebuild their index. Reads on SQLite use a read-only transaction
(no write lock).
"""

from __future__ import annotations

import json
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from sqlalchemy import Connection, Engine, func, select, text, update

from cityops.adapters.db.engine import READONLY_OPTION
from cityops.adapters.db.tables import geography as t
from cityops.domain.geo.coords import check_lon_lat, to_wgs84, to_wgs84_many
from cityops.domain.geo.demo_city import DEFAULT_SEED, DEMO_SOURCE, generate_demo_city
from cityops.domain.geo.geojson import feature_collection, geometry_from_wgs84
from cityops.domain.geo.grid_import import check_grid_features
from cityops.domain.geo.index import GridIndex
from cityops.domain.geo.layers import Geography, Grid, as_multipolygon
from cityops.domain.geo.model import CoordSystem, Location, RegionLevel
from cityops.errors import ValidationError

LAYERS = ("grids", "regions", "roads", "places", "areas")


@contextmanager
def _reading(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        conn.execution_options(**{READONLY_OPTION: True})
        with conn.begin():
            yield conn


def _bump(conn: Connection, layer: str) -> None:
    rev = t.geography_revisions
    done = conn.execute(update(rev).where(rev.c.layer == layer).values(revision=rev.c.revision + 1))
    if done.rowcount == 0:
        conn.execute(rev.insert().values(layer=layer, revision=1))


def _grid_revision(conn: Connection) -> int:
    rev = t.geography_revisions
    value = conn.execute(select(rev.c.revision).where(rev.c.layer == "grids")).scalar()
    return int(value or 0)


# --------------------------------------------------------------------------- install


@dataclass(frozen=True, slots=True)
class InstallSummary:
    installed: bool
    regions: int
    grids: int
    areas: int
    roads: int
    places: int

    def __str__(self) -> str:
        state = "installed" if self.installed else "already present, kept"
        return (
            f"{state}: {self.regions} regions, {self.grids} grids, {self.areas} responsibility "
            f"areas, {self.roads} roads, {self.places} places"
        )


def _counts(conn: Connection, installed: bool) -> InstallSummary:
    def n(table: Any) -> int:
        return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)

    return InstallSummary(
        installed,
        n(t.regions),
        n(t.grids),
        n(t.responsibility_areas),
        n(t.roads),
        n(t.places),
    )


def write_geography(conn: Connection, geo: Geography, source: str) -> None:
    """Insert every layer of ``geo`` (parents before children) inside ``conn``'s transaction."""
    level_order = {RegionLevel.CITY: 0, RegionLevel.DISTRICT: 1, RegionLevel.STREET: 2}
    regions = sorted(geo.regions, key=lambda r: (level_order.get(r.level, 3), r.code))
    for table, batch in (
        (t.regions, t.region_rows(regions, source)),
        (t.grids, t.grid_rows(geo.grids, source)),
        (t.responsibility_areas, t.area_rows(geo.areas, source)),
        (t.roads, t.road_rows(geo.roads, source)),
        (t.places, t.place_rows(geo.places, source)),
    ):
        if batch:
            conn.execute(table.insert(), batch)
    if geo.grids:
        _bump(conn, "grids")


def install_demo_geography(engine: Engine, seed: int = DEFAULT_SEED) -> InstallSummary:
    """Install the generated 济南 demo geography in one transaction. Idempotent: when the
    database already holds any regions (the demo or a city's own), nothing is changed."""
    with _reading(engine) as conn:
        if conn.execute(select(t.regions.c.code).limit(1)).first() is not None:
            return _counts(conn, installed=False)
    geo = generate_demo_city(seed).geography
    with engine.begin() as conn:
        if conn.execute(select(t.regions.c.code).limit(1)).first() is not None:
            return _counts(conn, installed=False)  # someone else was quicker
        write_geography(conn, geo, f"{DEMO_SOURCE}:{seed}")
        summary = _counts(conn, installed=True)
    _changed(engine)
    return summary


# --------------------------------------------------------------------------- import


@dataclass(frozen=True, slots=True)
class ImportSummary:
    features: int
    inserted: int
    updated: int


def _read_features(path: Path) -> list[Any]:
    if not path.is_file():
        raise ValidationError("geo.file_missing", f"文件不存在：{path}", path=str(path))
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        try:
            doc = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValidationError(
                "geo.file_unreadable", f"无法读取 GeoJSON：{exc}", path=str(path)
            ) from exc
        if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
            raise ValidationError(
                "geo.file_unreadable",
                "GeoJSON 顶层应为 FeatureCollection",
                path=str(path),
            )
        features = doc.get("features")
        return features if isinstance(features, list) else []
    if suffix in (".gpkg", ".shp"):
        return _read_with_ogr(path)
    raise ValidationError(
        "geo.format_unsupported",
        f"不支持的文件格式“{suffix}”，可用 .geojson、.json、.gpkg、.shp",
        path=str(path),
    )


def import_grids(
    engine: Engine,
    path: Path | str,
    crs: CoordSystem = CoordSystem.WGS84,
    *,
    source: str | None = None,
) -> ImportSummary:
    """Import unit grids from a GeoJSON FeatureCollection (or GeoPackage / Shapefile), with
    coordinates in ``crs``. All or nothing: every feature is checked first and any problem
    fails the whole import (``geo.import_invalid``, ``details['problems']`` lists them all).
    Grids whose code exists already are replaced; others are added."""
    path = Path(path)
    features = _read_features(path)
    with _reading(engine) as conn:
        communities = set(
            conn.execute(
                select(t.regions.c.code).where(t.regions.c.level == RegionLevel.COMMUNITY.value)
            ).scalars()
        )
    grids, problems = check_grid_features(features, communities, CoordSystem(crs))
    if problems:
        raise ValidationError(
            "geo.import_invalid",
            f"导入失败：{len(problems)} 处问题（涉及 {len({p.index for p in problems})} 个要素），"
            "未写入任何数据",
            path=str(path),
            features=len(features),
            problems=[p.to_dict() for p in problems],
        )
    if not grids:
        raise ValidationError("geo.import_empty", "文件中没有任何网格要素", path=str(path))
    codes = [g.code for g in grids]
    with engine.begin() as conn:
        existing: set[str] = set()
        for start in range(0, len(codes), 500):
            chunk = codes[start : start + 500]
            existing |= set(
                conn.execute(select(t.grids.c.code).where(t.grids.c.code.in_(chunk))).scalars()
            )
            conn.execute(t.grids.delete().where(t.grids.c.code.in_(chunk)))
        conn.execute(t.grids.insert(), t.grid_rows(grids, source or f"import:{path.name}"))
        _bump(conn, "grids")
    _changed(engine)
    return ImportSummary(len(features), len(codes) - len(existing), len(existing))


# --------------------------------------------------------------------------- files


def _ogr() -> Any:
    try:
        import pyogrio
    except ImportError as exc:  # pragma: no cover - pyogrio comes with geopandas
        raise ValidationError(
            "geo.format_unsupported",
            "读写 GeoPackage / Shapefile 需要安装 pyogrio（pip install pyogrio），或改用 GeoJSON",
        ) from exc
    return pyogrio


def _read_with_ogr(path: Path) -> list[Any]:
    """Features of a GeoPackage / Shapefile as GeoJSON-like dicts; projected data (e.g. a
    CGCS2000 Gauss–Krüger zone) is brought to lon/lat with pyproj first."""
    ogr = _ogr()
    try:
        meta, _, wkb, field_data = ogr.raw.read(str(path))
    except Exception as exc:
        raise ValidationError(
            "geo.file_unreadable", f"无法读取文件：{exc}", path=str(path)
        ) from exc
    geoms = shapely.from_wkb(wkb)
    source_crs = meta.get("crs")
    if source_crs:
        from pyproj import CRS, Transformer

        crs = CRS.from_user_input(source_crs)
        if not crs.is_geographic:
            move = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
            geoms = shapely.transform(
                geoms, lambda c: np.column_stack(move.transform(c[:, 0], c[:, 1]))
            )
    names = list(meta["fields"])
    return [
        {
            "type": "Feature",
            "geometry": geom,
            "properties": {n: _plain(col[i]) for n, col in zip(names, field_data, strict=True)},
        }
        for i, geom in enumerate(geoms)
    ]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


_GEOMETRY_TYPE = {
    "grids": "MultiPolygon",
    "regions": "MultiPolygon",
    "areas": "MultiPolygon",
    "roads": "LineString",
    "places": "Point",
}


def _write_with_ogr(path: Path, layer: str, geoms: list[Any], props: list[dict[str, Any]]) -> None:
    ogr = _ogr()
    names = list(props[0]) if props else []
    columns = []
    for name in names:
        values = [p[name] for p in props]
        if all(isinstance(v, bool) for v in values):
            columns.append(np.array(values, dtype=np.int32))
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            columns.append(np.array(values, dtype=np.float64))
        else:
            columns.append(np.array(["" if v is None else str(v) for v in values], dtype=object))
    if path.exists():
        path.unlink()
    ogr.raw.write(
        str(path),
        geometry=shapely.to_wkb(np.array(geoms, dtype=object)),
        field_data=columns,
        fields=names,
        layer=layer,
        driver="GPKG",
        geometry_type=_GEOMETRY_TYPE[layer],
        crs="EPSG:4326",
    )


_LAYER_COLUMNS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "grids": (
        t.grids,
        ("code", "name", "community_code", "street_code", "district_code", "area_m2", "generated"),
    ),
    "regions": (t.regions, ("code", "level", "name", "parent_code", "generated")),
    "areas": (t.responsibility_areas, ("code", "name", "kind", "unit", "generated")),
    "roads": (t.roads, ("name", "kind", "district_code", "length_m", "generated")),
    "places": (t.places, ("name", "kind", "address", "grid_code", "generated")),
}


def _layer_features(conn: Connection, layer: str) -> tuple[list[Any], list[dict[str, Any]]]:
    table, names = _LAYER_COLUMNS[layer]
    order = table.c.code if "code" in table.c else table.c.id
    if layer == "places":
        found = conn.execute(select(table).order_by(order)).all()
        geoms = list(shapely.points([r.lon for r in found], [r.lat for r in found]))
    else:
        found = conn.execute(select(table).order_by(order)).all()
        geoms = list(shapely.from_wkb([r.geometry for r in found]))
    props = [{n: getattr(r, n) for n in names} for r in found]
    return geoms, props


def _locate_by_bbox(conn: Connection, points: Sequence[tuple[float, float]]) -> list[str | None]:
    """SQLite has no spatial SQL: read the grids whose box meets the points' box (by code) and
    test them with Shapely, smallest code first."""
    if not points:
        return []
    xs = np.array([p[0] for p in points], dtype=np.float64)
    ys = np.array([p[1] for p in points], dtype=np.float64)
    g = t.grids
    found = conn.execute(
        select(g.c.code, g.c.geometry)
        .where(
            g.c.min_lon <= float(xs.max()),
            g.c.max_lon >= float(xs.min()),
            g.c.min_lat <= float(ys.max()),
            g.c.max_lat >= float(ys.min()),
        )
        .order_by(g.c.code)
    ).all()
    out: list[str | None] = [None] * len(points)
    if not found:
        return out
    tree = shapely.STRtree(shapely.from_wkb([r.geometry for r in found]))
    p_idx, g_idx = tree.query(shapely.points(xs, ys), predicate="within")
    for p, i in sorted(zip(p_idx.tolist(), g_idx.tolist(), strict=True), reverse=True):
        out[p] = str(found[i].code)  # ascending codes last: the smallest code wins
    return out


# --------------------------------------------------------------------------- export


def export_layer(
    engine: Engine,
    layer: str,
    path: Path | str,
    fmt: str = "geojson",
    crs: CoordSystem = CoordSystem.WGS84,
) -> int:
    """Write one layer (grids, regions, roads, places, areas) to ``path`` as GeoJSON or
    GeoPackage, in ``crs`` (WGS84 unless a Chinese web map needs GCJ-02 / BD-09). Returns the
    number of features."""
    if layer not in LAYERS:
        raise ValidationError(
            "geo.layer_unknown",
            f"没有图层“{layer}”，可选：{'、'.join(LAYERS)}",
            layer=layer,
            allowed=list(LAYERS),
        )
    if fmt not in ("geojson", "gpkg"):
        raise ValidationError(
            "geo.format_unsupported", f"不支持的导出格式“{fmt}”，可选 geojson、gpkg", format=fmt
        )
    with _reading(engine) as conn:
        geoms, props = _layer_features(conn, layer)
    geoms = [geometry_from_wgs84(g, CoordSystem(crs)) for g in geoms]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "gpkg":
        _write_with_ogr(path, layer, geoms, props)
    else:
        path.write_text(feature_collection(geoms, props, crs, name=layer), encoding="utf-8")
    return len(geoms)


def export_grids(engine: Engine, path: Path | str, fmt: str = "geojson") -> int:
    return export_layer(engine, "grids", path, fmt)


def export_regions(engine: Engine, path: Path | str, fmt: str = "geojson") -> int:
    return export_layer(engine, "regions", path, fmt)


# --------------------------------------------------------------------------- locate

# In-process change counter per engine: our own writes take effect on the next lookup.
_generations: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()
_locators: weakref.WeakKeyDictionary[Engine, Locator] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _changed(engine: Engine) -> None:
    with _lock:
        _generations[engine] = _generations.get(engine, 0) + 1


@dataclass(frozen=True, slots=True)
class _Snapshot:
    index: GridIndex
    revision: int
    generation: int
    checked_at: float


class Locator:
    """Point → unit grid for one database, over an in-memory :class:`GridIndex` of all grids
    (ordered by code, so where grids overlap the smallest code wins).

    The index is rebuilt when grids change: at once after a write through this service in
    this process, and within ``recheck_seconds`` after a write from another process."""

    def __init__(self, engine: Engine, recheck_seconds: float = 2.0) -> None:
        # Weak, so that the per-engine cache does not keep engines (and indexes) alive.
        self._engine = weakref.ref(engine)
        self.recheck_seconds = recheck_seconds
        self._snapshot: _Snapshot | None = None
        self._build_lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        engine = self._engine()
        if engine is None:
            raise RuntimeError("the engine of this locator has been discarded")
        return engine

    def _load(self, generation: int) -> _Snapshot:
        with _reading(self.engine) as conn:
            revision = _grid_revision(conn)
            found = conn.execute(
                select(t.grids.c.code, t.grids.c.geometry).order_by(t.grids.c.code)
            ).all()
        geoms = shapely.from_wkb([r.geometry for r in found])
        index = GridIndex(list(zip([r.code for r in found], geoms, strict=True)))
        return _Snapshot(index, revision, generation, time.monotonic())

    def _current(self) -> GridIndex:
        snap = self._snapshot
        generation = _generations.get(self.engine, 0)
        now = time.monotonic()
        if snap is not None and snap.generation == generation:
            if now - snap.checked_at < self.recheck_seconds:
                return snap.index
            with _reading(self.engine) as conn:
                revision = _grid_revision(conn)
            if revision == snap.revision:
                self._snapshot = _Snapshot(snap.index, revision, generation, now)
                return snap.index
        with self._build_lock:
            if self._snapshot is snap or self._snapshot is None:
                self._snapshot = self._load(generation)
            return self._snapshot.index

    @property
    def index(self) -> GridIndex:
        return self._current()

    def locate(self, lon: float, lat: float, crs: CoordSystem = CoordSystem.WGS84) -> Location:
        """The WGS84 point and its grid, community, street and district (None outside)."""
        wlon, wlat = to_wgs84(lon, lat, CoordSystem(crs))
        return Location.from_grid(wlon, wlat, self._current().locate(wlon, wlat))

    def locate_many(
        self,
        lons: npt.ArrayLike,
        lats: npt.ArrayLike,
        crs: CoordSystem = CoordSystem.WGS84,
    ) -> list[Location]:
        wlon, wlat = to_wgs84_many(lons, lats, CoordSystem(crs))
        index = self._current()
        found = index.locate_many(wlon, wlat)
        return [
            Location.from_grid(x, y, None if i < 0 else index.codes[i])
            for x, y, i in zip(wlon.tolist(), wlat.tolist(), found.tolist(), strict=True)
        ]

    def grid_codes(
        self, lons: npt.ArrayLike, lats: npt.ArrayLike, crs: CoordSystem = CoordSystem.WGS84
    ) -> list[str | None]:
        wlon, wlat = to_wgs84_many(lons, lats, CoordSystem(crs))
        index = self._current()
        return index.codes_of(index.locate_many(wlon, wlat))


def get_locator(engine: Engine) -> Locator:
    """The locator of ``engine``'s database, one per engine per process."""
    with _lock:
        locator = _locators.get(engine)
        if locator is None:
            locator = _locators[engine] = Locator(engine)
        return locator


def locate_in_database(engine: Engine, points: Sequence[tuple[float, float]]) -> list[str | None]:
    """Grid codes of WGS84 points computed by the database itself: PostGIS ``ST_Contains``
    on PostgreSQL, a bounding-box query refined with Shapely on SQLite. Same semantics as the
    locator (interior only; smallest code where grids overlap). For checks and tools; use
    :func:`get_locator` for volume."""
    for lon, lat in points:
        check_lon_lat(lon, lat)
    with _reading(engine) as conn:
        if engine.dialect.name == "postgresql":
            found = conn.execute(
                text(
                    "SELECT p.i, (SELECT g.code FROM grids g WHERE ST_Contains(g.geom, "
                    "ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)) ORDER BY g.code LIMIT 1) "
                    "FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[])) "
                    "WITH ORDINALITY AS p(lon, lat, i) ORDER BY p.i"
                ),
                {"lons": [p[0] for p in points], "lats": [p[1] for p in points]},
            ).all()
            return [row[1] for row in found]
        return _locate_by_bbox(conn, points)


# --------------------------------------------------------------------------- names


@dataclass(frozen=True, slots=True)
class RegionInfo:
    code: str
    level: RegionLevel
    name: str
    parent_code: str | None
    generated: bool


def region_name(engine: Engine, code: str) -> str | None:
    """The name of a region (6/9/12 digits) or unit grid (15 digits); None if unknown."""
    table = t.grids if len(code) == 15 else t.regions
    with _reading(engine) as conn:
        return conn.execute(select(table.c.name).where(table.c.code == code)).scalar()


def full_name(engine: Engine, code: str) -> str:
    """济南市历下区解放路街道某某社区 for a community code (and so on for each level)."""
    names: list[str] = []
    current: str | None = code
    with _reading(engine) as conn:
        while current:
            row = conn.execute(
                select(t.regions.c.name, t.regions.c.parent_code).where(t.regions.c.code == current)
            ).first()
            if row is None:
                break
            names.append(row.name)
            current = row.parent_code
    return "".join(reversed(names))


def list_regions(
    engine: Engine, level: RegionLevel | None = None, parent_code: str | None = None
) -> list[RegionInfo]:
    """Regions by code, optionally of one level and/or under one parent."""
    r = t.regions
    query = select(r.c.code, r.c.level, r.c.name, r.c.parent_code, r.c.generated).order_by(r.c.code)
    if level is not None:
        query = query.where(r.c.level == RegionLevel(level).value)
    if parent_code is not None:
        query = query.where(r.c.parent_code == parent_code)
    with _reading(engine) as conn:
        return [
            RegionInfo(row.code, RegionLevel(row.level), row.name, row.parent_code, row.generated)
            for row in conn.execute(query)
        ]


def districts(engine: Engine) -> list[RegionInfo]:
    return list_regions(engine, RegionLevel.DISTRICT)


def streets(engine: Engine, district_code: str | None = None) -> list[RegionInfo]:
    return list_regions(engine, RegionLevel.STREET, district_code)


def communities(engine: Engine, street_code: str | None = None) -> list[RegionInfo]:
    return list_regions(engine, RegionLevel.COMMUNITY, street_code)


def grids_of(engine: Engine, community_code: str) -> list[Grid]:
    with _reading(engine) as conn:
        found = conn.execute(
            select(t.grids.c.code, t.grids.c.geometry, t.grids.c.name, t.grids.c.generated)
            .where(t.grids.c.community_code == community_code)
            .order_by(t.grids.c.code)
        ).all()
    return [
        Grid(row.code, as_multipolygon(shapely.from_wkb(row.geometry)), row.name, row.generated)
        for row in found
    ]


__all__ = [
    "LAYERS",
    "ImportSummary",
    "InstallSummary",
    "Locator",
    "RegionInfo",
    "communities",
    "districts",
    "export_grids",
    "export_layer",
    "export_regions",
    "full_name",
    "get_locator",
    "grids_of",
    "import_grids",
    "install_demo_geography",
    "list_regions",
    "locate_in_database",
    "region_name",
    "streets",
    "write_geography",
]
