"""Reading features from, and writing layers to, GeoJSON, GeoPackage and Shapefile.

GeoJSON is read with the standard library. GeoPackage and Shapefile go through pyogrio
(installed with GeoPandas). Projected data — a CGCS2000 Gauss–Krüger zone such as EPSG:4548,
as surveying departments deliver it — is brought to lon/lat with pyproj, whether the projection
is a GeoPackage's / Shapefile's own or the ``crs`` member of an old-style GeoJSON file.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

from cityops.domain.geo.coords import parse_coord_system
from cityops.domain.geo.model import CoordSystem
from cityops.errors import CityopsError, ValidationError

GEOJSON_SUFFIXES = (".geojson", ".json")
OGR_SUFFIXES = (".gpkg", ".shp")
# The member our own exports carry when their coordinates are not WGS84.
CRS_MEMBER = "cityops:crs"

_GEOMETRY_TYPE = {
    "grids": "MultiPolygon",
    "regions": "MultiPolygon",
    "areas": "MultiPolygon",
    "roads": "LineString",
    "places": "Point",
}


@dataclass(frozen=True, slots=True)
class FeatureFile:
    """The features of a file (GeoJSON-like dicts; geometries as dicts or Shapely objects)
    and the lon/lat system the file itself declares, if any."""

    features: list[Any]
    declared_crs: CoordSystem | None = None


def read_features(path: Path, layer: str | None = None) -> FeatureFile:
    """The features of ``path`` (one layer of a GeoPackage: ``layer``, or its only one)."""
    if not path.is_file():
        raise ValidationError("geo.file_missing", f"文件不存在：{path}", path=str(path))
    suffix = path.suffix.lower()
    if suffix in GEOJSON_SUFFIXES:
        return _read_geojson(path)
    if suffix in OGR_SUFFIXES:
        return FeatureFile(_read_with_ogr(path, layer))
    raise ValidationError(
        "geo.format_unsupported",
        f"不支持的文件格式“{suffix}”，可用 .geojson、.json、.gpkg、.shp",
        path=str(path),
    )


def _read_geojson(path: Path) -> FeatureFile:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(
            "geo.file_unreadable", f"无法读取 GeoJSON：{exc}", path=str(path)
        ) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ValidationError(
            "geo.file_unreadable", "GeoJSON 顶层应为 FeatureCollection", path=str(path)
        )
    features = doc.get("features")
    features = features if isinstance(features, list) else []
    declared = None
    if isinstance(doc.get(CRS_MEMBER), str):
        try:
            declared = parse_coord_system(doc[CRS_MEMBER])
        except CityopsError as exc:
            raise ValidationError(
                "geo.crs_unknown",
                f"文件声明的坐标系“{doc[CRS_MEMBER]}”无法识别",
                path=str(path),
            ) from exc
    projection = _named_crs(doc.get("crs"))
    if projection is not None:
        features = _unproject_features(features, projection, path)
    return FeatureFile(features, declared)


def _named_crs(member: Any) -> str | None:
    """The name in an old-style (2008) GeoJSON ``crs`` member, e.g. ``EPSG:4548``."""
    if isinstance(member, dict) and member.get("type") == "name":
        props = member.get("properties")
        if isinstance(props, dict) and isinstance(props.get("name"), str):
            return str(props["name"])
    return None


def _lonlat_mover(source: Any, path: Path) -> Any:
    """A function moving coordinate arrays from a projected ``source`` to lon/lat, or None
    when ``source`` already is lon/lat."""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_user_input(source)
    except CRSError as exc:
        raise ValidationError(
            "geo.crs_unknown", f"文件声明的坐标系“{source}”无法识别", path=str(path)
        ) from exc
    if not crs.is_projected:
        return None
    move = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def to_lonlat(c: np.ndarray) -> np.ndarray:
        return np.column_stack(move.transform(c[:, 0], c[:, 1]))

    return to_lonlat


def _unproject_features(features: list[Any], projection: str, path: Path) -> list[Any]:
    mover = _lonlat_mover(projection, path)
    if mover is None:
        return features
    out = []
    for feature in features:
        raw = feature.get("geometry") if isinstance(feature, dict) else None
        if isinstance(raw, dict):
            # An unreadable geometry is left as it is: the checks report it.
            with contextlib.suppress(Exception):
                feature = {**feature, "geometry": shapely.transform(shape(raw), mover)}
        out.append(feature)
    return out


def _ogr() -> Any:
    try:
        import pyogrio
    except ImportError as exc:  # pragma: no cover - pyogrio comes with geopandas
        raise ValidationError(
            "geo.format_unsupported",
            "读写 GeoPackage / Shapefile 需要安装 pyogrio（pip install pyogrio），或改用 GeoJSON",
        ) from exc
    return pyogrio


def _read_with_ogr(path: Path, layer: str | None) -> list[Any]:
    """Features of a GeoPackage / Shapefile as GeoJSON-like dicts with Shapely geometries."""
    ogr = _ogr()
    try:
        if layer is None:
            layers = [str(name) for name, _ in ogr.list_layers(str(path))]
            if len(layers) > 1:
                raise ValidationError(
                    "geo.layer_required",
                    f"文件含 {len(layers)} 个图层（{'、'.join(layers)}），请指定要导入的图层",
                    path=str(path),
                    layers=layers,
                )
        meta, _, wkb, field_data = ogr.raw.read(str(path), layer=layer)
    except CityopsError:
        raise
    except Exception as exc:
        raise ValidationError(
            "geo.file_unreadable", f"无法读取文件：{exc}", path=str(path), layer=layer
        ) from exc
    geoms = shapely.from_wkb(wkb)
    if meta.get("crs"):
        mover = _lonlat_mover(meta["crs"], path)
        if mover is not None:
            geoms = shapely.transform(geoms, mover)
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


def write_geopackage(path: Path, layer: str, geoms: list[Any], props: list[dict[str, Any]]) -> None:
    """One layer as a GeoPackage in EPSG:4326 (an existing file is replaced)."""
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
