"""Do areas nest and tile? Containment and overlap checks with a tolerance in metres.

Boundaries digitised by different people (or simplified by different tools) rarely agree to
the millimetre, so both checks forgive **digitising slop** up to ``tolerance_m`` metres:

* **containment** — a child (a grid in its community, a street in its district) may reach
  outside its parent by at most ``tolerance_m``: the child must lie within the parent grown
  by the tolerance. What is reported is the true overhang: the area of the child outside the
  parent, in m², and its share of the child;
* **overlap** — two areas of one layer may overlap only in a sliver no thicker than
  ``tolerance_m``: the overlap shrunk by half the tolerance on every side must vanish (so an
  area may reach at most ``tolerance_m`` into its neighbour). Areas that only touch along
  their boundary do not overlap.

With ``tolerance_m = 0`` any overhang or overlap larger than :data:`NOISE_M2` counts. All
measuring happens in a local metric frame (:func:`~cityops.domain.geo.measure.to_local_metres`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from cityops.domain.geo.measure import to_local_metres
from cityops.domain.geo.model import DEFAULT_TOLERANCE_M

__all__ = [
    "DEFAULT_TOLERANCE_M",
    "NOISE_M2",
    "Overhang",
    "Overlap",
    "find_overhangs",
    "find_overlaps",
    "square_metres",
]
# Below this an overhang or overlap is floating-point noise, not geography (1 dm²).
NOISE_M2 = 0.01

ObjectArray = npt.NDArray[np.object_]


@dataclass(frozen=True, slots=True)
class Overhang:
    """Child ``index`` reaches outside its parent beyond the tolerance."""

    index: int
    area_m2: float  # area of the child outside its parent
    share: float  # that area as a share (0–1) of the child's area


@dataclass(frozen=True, slots=True)
class Overlap:
    """Area ``index`` overlaps ``other`` beyond the tolerance.

    ``other`` is an index into the same list (always smaller than ``index``, so each pair is
    reported once, on the later area) or, when ``fixed`` is true, into the fixed areas."""

    index: int
    other: int
    fixed: bool
    area_m2: float


def _array(geoms: Sequence[BaseGeometry]) -> ObjectArray:
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = list(geoms)
    return arr


def _origin(*groups: ObjectArray) -> tuple[float, float]:
    present = [g for g in groups if len(g)]
    x0, y0, x1, y1 = shapely.total_bounds(np.concatenate(present))
    return (x0 + x1) / 2, (y0 + y1) / 2


def find_overhangs(
    children: Sequence[BaseGeometry],
    parents: Sequence[BaseGeometry],
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> list[Overhang]:
    """Children (``children[i]`` belongs in ``parents[i]``; WGS84) that reach outside their
    parent by more than ``tolerance_m`` metres, in the order of ``children``."""
    if len(children) != len(parents):
        raise ValueError("one parent per child")
    if not children:
        return []
    kids, mothers = _array(children), _array(parents)
    lon0, lat0 = _origin(kids, mothers)
    kids_m = to_local_metres(kids, lon0, lat0)
    # Each distinct parent is projected, grown and prepared once.
    slot: dict[int, int] = {}
    which = np.array([slot.setdefault(id(p), len(slot)) for p in mothers], dtype=np.intp)
    distinct = np.empty(len(slot), dtype=object)
    for parent, k in zip(mothers, which.tolist(), strict=True):
        distinct[k] = parent
    distinct_m = to_local_metres(distinct, lon0, lat0)
    distinct_grown = shapely.buffer(distinct_m, tolerance_m) if tolerance_m > 0 else distinct_m
    shapely.prepare(distinct_grown)
    exact, grown = distinct_m[which], distinct_grown[which]
    inside = shapely.covers(grown, kids_m)
    found: list[Overhang] = []
    for i in np.flatnonzero(~inside).tolist():
        beyond = shapely.area(shapely.difference(kids_m[i], grown[i]))
        if beyond <= NOISE_M2:
            continue
        outside = float(shapely.area(shapely.difference(kids_m[i], exact[i])))
        whole = float(shapely.area(kids_m[i]))
        found.append(Overhang(i, outside, outside / whole if whole > 0 else 1.0))
    return found


def find_overlaps(
    areas: Sequence[BaseGeometry],
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    fixed: Sequence[BaseGeometry] = (),
) -> list[Overlap]:
    """Overlaps beyond ``tolerance_m`` among ``areas`` and between ``areas`` and ``fixed``
    (areas already accepted; overlaps among those are not looked for), ordered by ``index``
    then ``other`` (fixed ones last)."""
    if not areas:
        return []
    n = len(areas)
    every = _array([*areas, *fixed])
    tree = shapely.STRtree(every)
    q_idx, t_idx = tree.query(every[:n], predicate="intersects")
    keep = (t_idx < q_idx) | (t_idx >= n)
    q_idx, t_idx = q_idx[keep], t_idx[keep]
    if not len(q_idx):
        return []
    interiors_meet = shapely.relate_pattern(every[q_idx], every[t_idx], "T********")
    q_idx, t_idx = q_idx[interiors_meet], t_idx[interiors_meet]
    if not len(q_idx):
        return []
    lon0, lat0 = _origin(every)
    shared = to_local_metres(shapely.intersection(every[q_idx], every[t_idx]), lon0, lat0)
    areas_m2 = shapely.area(shared)
    if tolerance_m > 0:
        deep = ~shapely.is_empty(shapely.buffer(shared, -tolerance_m / 2))
    else:
        deep = np.ones(len(shared), dtype=bool)
    deep &= areas_m2 > NOISE_M2
    found = [
        Overlap(int(q), int(t) - n if t >= n else int(t), bool(t >= n), float(a))
        for q, t, a in zip(
            q_idx[deep].tolist(), t_idx[deep].tolist(), areas_m2[deep].tolist(), strict=True
        )
    ]
    return sorted(found, key=lambda o: (o.index, o.fixed, o.other))


def square_metres(value: float) -> str:
    """An area for people: ``0.35``, ``12.3``, ``1,234``."""
    if value < 1:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:,.0f}"
