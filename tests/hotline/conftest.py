"""Fixtures of the hotline tests: a runtime on the small test city of ``tests/fakes`` (every
second is working time, two streets side by side) with a matching little geography installed,
so that address texts can be placed."""

from __future__ import annotations

from pathlib import Path

import pytest
from shapely.geometry import LineString, MultiPolygon, Point, box
from sqlalchemy import Engine

from cityops.domain.geo.layers import Geography, Grid, Place, Region, Road
from cityops.domain.geo.model import RegionLevel
from cityops.services.geography import write_geography
from cityops.services.runtime import Runtime
from tests.integration.helpers import StepClock, make_rt


def small_geography() -> Geography:
    def mp(x0: float, y0: float, x1: float, y1: float) -> MultiPolygon:
        return MultiPolygon([box(x0, y0, x1, y1)])

    geo = Geography()
    geo.regions = [
        Region("370100", RegionLevel.CITY, "测试市", None, mp(117.0, 36.6, 117.02, 36.61)),
        Region("370102", RegionLevel.DISTRICT, "历下区", "370100", mp(117.0, 36.6, 117.02, 36.61)),
        Region(
            "370102001", RegionLevel.STREET, "解放路街道", "370102", mp(117.0, 36.6, 117.01, 36.61)
        ),
        Region(
            "370102002", RegionLevel.STREET, "千佛山街道", "370102", mp(117.01, 36.6, 117.02, 36.61)
        ),
        Region(
            "370102001001",
            RegionLevel.COMMUNITY,
            "解放路社区",
            "370102001",
            mp(117.0, 36.6, 117.01, 36.61),
        ),
        Region(
            "370102002001",
            RegionLevel.COMMUNITY,
            "千佛山社区",
            "370102002",
            mp(117.01, 36.6, 117.02, 36.61),
        ),
    ]
    for street, x0 in (("370102001", 117.0), ("370102002", 117.01)):
        for col in range(10):
            x = x0 + col * 0.001
            geo.grids.append(Grid(f"{street}001{col:03d}", mp(x, 36.6, x + 0.001, 36.61)))
    geo.roads = [
        Road("经十路", "main", LineString([(117.0, 36.605), (117.02, 36.605)]), "370102"),
        Road("历山路", "main", LineString([(117.0155, 36.6), (117.0155, 36.61)]), "370102"),
        Road("和平路", "secondary", LineString([(117.0055, 36.6), (117.0055, 36.61)]), "370102"),
    ]
    geo.places = [
        Place(
            "泉城公寓",
            "residential",
            Point(117.0035, 36.6072),
            "历下区和平路1号",
            "370102001001003",
        ),
        Place("千佛山菜市场", "market", Point(117.0172, 36.6031), "", "370102002001007"),
    ]
    return geo


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def rt(engine: Engine, tmp_path: Path, clock: StepClock) -> Runtime:
    runtime = make_rt(engine, tmp_path, clock)
    with engine.begin() as conn:
        write_geography(conn, small_geography(), "test")
    return runtime
