"""What the simulator needs to know of the city: its grids (where problems occur, denser in
the urban districts and around a few hot spots), region names for addresses, and its staff."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from cityops.domain.catalog.model import AreaClass, CityProfile, UnitKind
from cityops.services.simulation.staff import Staff

if TYPE_CHECKING:
    from cityops.services.runtime import Runtime


@dataclass
class World:
    profile: CityProfile
    grid_codes: list[str]
    grid_geoms: list[BaseGeometry]
    names: dict[str, str]  # region code → name (district, street, community)
    roads: dict[str, list[str]] = field(default_factory=dict)  # grid code → nearby road names
    staff: Staff = field(default_factory=Staff)
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _points: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    _cum: list[float] = field(default_factory=list)
    _index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not len(self.weights):
            self.weights = self._default_weights()
        self._cum = list(np.cumsum(self.weights))
        self._index = {c: i for i, c in enumerate(self.grid_codes)}

    def _default_weights(self) -> np.ndarray:
        rng = np.random.default_rng(7)
        w = np.ones(len(self.grid_codes))
        for i, code in enumerate(self.grid_codes):
            if self.profile.area_class(code[:6]) == AreaClass.RURAL:
                w[i] = 0.35
        hot = rng.choice(len(w), size=max(1, len(w) // 40), replace=False)
        w[hot] *= 4.0  # markets, stations, night-food streets
        return w / w.sum()

    def pick_grid(self, rng: random.Random) -> str:
        x = rng.random() * self._cum[-1]
        lo, hi = 0, len(self._cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self._cum[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return self.grid_codes[lo]

    def point_in(self, grid_code: str, rng: random.Random) -> tuple[float, float]:
        pts = self._points.get(grid_code)
        if not pts:
            pts = self._sample(grid_code, rng.randrange(2**31))
            self._points[grid_code] = pts
        return pts.pop()

    def _sample(self, grid_code: str, seed: int, n: int = 64) -> list[tuple[float, float]]:
        geom = self.grid_geoms[self._index[grid_code]]
        minx, miny, maxx, maxy = geom.bounds
        gen = np.random.default_rng(seed)
        out: list[tuple[float, float]] = []
        while len(out) < n:
            xs = gen.uniform(minx, maxx, n * 2)
            ys = gen.uniform(miny, maxy, n * 2)
            inside = shapely.contains_xy(geom, xs, ys)
            out.extend(zip(xs[inside].round(7).tolist(), ys[inside].round(7).tolist(), strict=True))
        return out[:n]

    def address(self, grid_code: str, rng: random.Random) -> str:
        street = self.names.get(grid_code[:9], "")
        community = self.names.get(grid_code[:12], "")
        roads = self.roads.get(grid_code)
        if roads:
            road = rng.choice(roads)
            return f"{street}{community}{road}{rng.randrange(1, 300)}号附近"
        return f"{street}{community}"

    def streets_near(self, district_code: str | None) -> list[str]:
        """Street office units of a district (where a wrong dispatch usually goes)."""
        return [
            u.code
            for u in self.profile.units.values()
            if u.kind == UnitKind.STREET and (u.region_code or "").startswith(district_code or "-")
        ]


def build_world(
    profile: CityProfile,
    grids: Sequence[tuple[str, BaseGeometry]],
    names: dict[str, str],
    staff: Staff,
    roads: dict[str, list[str]] | None = None,
) -> World:
    return World(
        profile=profile,
        grid_codes=[g[0] for g in grids],
        grid_geoms=[g[1] for g in grids],
        names=names,
        roads=roads or {},
        staff=staff,
    )


def load_world(rt: Runtime) -> World:
    """The installed city's grids, region names, nearby road names and demo staff."""
    from sqlalchemy import select

    from cityops.adapters.db.tables import geography as g
    from cityops.errors import NotFoundError

    with rt.uow(readonly=True) as uow:
        grid_rows = uow.conn.execute(
            select(g.grids.c.code, g.grids.c.geometry).order_by(g.grids.c.code)
        ).all()
        region_rows = uow.conn.execute(
            select(g.regions.c.code, g.regions.c.name, g.regions.c.level)
        ).all()
        road_rows = uow.conn.execute(select(g.roads.c.name, g.roads.c.geometry)).all()
    if not grid_rows:
        raise NotFoundError("geo.no_grids", "尚未安装任何单元网格，请先运行 cityops init")
    geoms = list(shapely.from_wkb([r.geometry for r in grid_rows]))
    codes = [r.code for r in grid_rows]
    names = {r.code: r.name for r in region_rows}
    roads: dict[str, list[str]] = {}
    if road_rows:
        road_geoms = shapely.from_wkb([r.geometry for r in road_rows])
        tree = shapely.STRtree(road_geoms)
        near = tree.query(
            shapely.buffer(np.array(geoms, dtype=object), 0.0008), predicate="intersects"
        )
        for gi, ri in zip(near[0].tolist(), near[1].tolist(), strict=True):
            roads.setdefault(codes[gi], []).append(road_rows[ri].name)
        roads = {k: sorted(set(v)) for k, v in roads.items()}
    communities = [(r.code, r.name) for r in region_rows if r.level == "community"]
    from cityops.services.simulation.staff import demo_staff

    staff = demo_staff(rt.policy.profile, communities)
    return build_world(rt.policy.profile, list(zip(codes, geoms, strict=True)), names, staff, roads)
