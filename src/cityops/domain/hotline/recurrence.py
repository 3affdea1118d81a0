"""Repeated and periodic problems: so that one order fixes a class of problems.

- Repeated (重复诉求): orders of the same class in the same unit grid, each within
  ``window_days`` of the one before; a series of at least ``min_orders`` is one repeated
  problem. (The grid is the place key at this scale; the 回头看 list compares single orders by
  radius as well.)
- Periodic (周期性): a class at a place that comes back in many distinct weeks of the period
  (``min_weeks``), e.g. a night market's noise every weekend, a drain every rainy season.
- Patterns (规律): counts by weekday × hour, by month and by season, for the whole city or one
  class, and each class's peak hour and weekday.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cityops.domain.hotline.frame import OrderFrame

SEASONS = ("spring", "summer", "autumn", "winter")
SEASON_LABELS_ZH = {"spring": "春季", "summer": "夏季", "autumn": "秋季", "winter": "冬季"}
# months 3-5 spring, 6-8 summer, 9-11 autumn, 12-2 winter
_SEASON_OF_MONTH = np.array([3, 3, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3], dtype=np.int64)


@dataclass(frozen=True)
class RepeatSeries:
    class_code: str
    grid_code: str
    orders: int
    first_t: int  # UTC seconds
    last_t: int
    order_ids: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "class_code": self.class_code,
            "grid_code": self.grid_code,
            "orders": self.orders,
            "first_at": int(self.first_t),
            "last_at": int(self.last_t),
            "order_ids": list(self.order_ids[:50]),
        }


def _place_class_key(frame: OrderFrame) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    ok = (frame.grid >= 0) & (frame.cls >= 0)
    key = frame.grid.astype(np.int64) * (len(frame.classes) + 1) + frame.cls.astype(np.int64)
    return ok, key


def repeated_series(
    frame: OrderFrame, window_days: int = 30, min_orders: int = 3, limit: int = 100
) -> list[RepeatSeries]:
    ok, key = _place_class_key(frame)
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return []
    k, t = key[idx], frame.t[idx]
    order = np.lexsort((frame.ids[idx], t, k))
    idx, k, t = idx[order], k[order], t[order]
    # a new series starts where the key changes or the gap exceeds the window
    gap = np.diff(t) > window_days * 86400
    new_key = np.diff(k) != 0
    starts = np.concatenate(([0], np.flatnonzero(gap | new_key) + 1))
    ends = np.concatenate((starts[1:], [idx.size]))
    lengths = ends - starts
    keep = np.flatnonzero(lengths >= min_orders)
    keep = keep[np.lexsort((starts[keep], -lengths[keep]))][:limit]
    width = len(frame.classes) + 1
    out = []
    for s_i in keep.tolist():
        a, b = int(starts[s_i]), int(ends[s_i])
        kk = int(k[a])
        out.append(
            RepeatSeries(
                class_code=frame.classes[kk % width],
                grid_code=frame.grids[kk // width],
                orders=b - a,
                first_t=int(t[a]),
                last_t=int(t[b - 1]),
                order_ids=tuple(int(x) for x in frame.ids[idx[a:b]].tolist()),
            )
        )
    return out


def repeated_totals(
    frame: OrderFrame, window_days: int = 30, min_orders: int = 3
) -> tuple[int, int]:
    """(number of repeated series, orders in them) over the whole frame."""
    series = repeated_series(frame, window_days, min_orders, limit=10**9)
    return len(series), sum(s.orders for s in series)


@dataclass(frozen=True)
class PeriodicProblem:
    class_code: str
    grid_code: str
    weeks: int  # distinct ISO-like weeks (Monday-based, local time) with an order
    orders: int
    peak_weekday: int
    peak_hour: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "class_code": self.class_code,
            "grid_code": self.grid_code,
            "weeks": self.weeks,
            "orders": self.orders,
            "peak_weekday": self.peak_weekday,
            "peak_hour": self.peak_hour,
        }


def periodic_problems(
    frame: OrderFrame, min_weeks: int = 4, limit: int = 100
) -> list[PeriodicProblem]:
    ok, key = _place_class_key(frame)
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return []
    week = (frame.local()[idx] // 86400 + 3) // 7  # Monday-based week number
    k = key[idx]
    span = int(week.max() - week.min()) + 1
    # one entry per (place × matter, week); asking for counts takes NumPy's sorting path,
    # many times faster than its hashing one for plain unique values
    pairs = np.unique(k * span + (week - week.min()), return_counts=True)[0]
    uk, weeks = np.unique(pairs // span, return_counts=True)
    keep = weeks >= min_weeks
    if not keep.any():
        return []
    width = len(frame.classes) + 1
    all_keys, all_counts = np.unique(k, return_counts=True)
    chosen, chosen_weeks = uk[keep], weeks[keep]
    orders = all_counts[np.searchsorted(all_keys, chosen)]
    # best first: more weeks, more orders, then class code and grid code (categories are sorted)
    rank = np.lexsort((chosen // width, chosen % width, -orders, -chosen_weeks))[:limit]
    wd_all, hr_all = frame.weekday()[idx], frame.hour()[idx]
    out = []
    for i in rank.tolist():
        kk = int(chosen[i])
        rows = k == kk
        out.append(
            PeriodicProblem(
                class_code=frame.classes[kk % width],
                grid_code=frame.grids[kk // width],
                weeks=int(chosen_weeks[i]),
                orders=int(orders[i]),
                peak_weekday=int(np.bincount(wd_all[rows], minlength=7).argmax()),
                peak_hour=int(np.bincount(hr_all[rows], minlength=24).argmax()),
            )
        )
    return out


@dataclass(frozen=True)
class Patterns:
    weekday_hour: list[list[int]]  # 7 × 24, Monday first
    by_month: list[int]  # 12, January first
    by_season: dict[str, int]
    peak_weekday: int | None
    peak_hour: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "weekday_hour": self.weekday_hour,
            "by_month": self.by_month,
            "by_season": self.by_season,
            "peak_weekday": self.peak_weekday,
            "peak_hour": self.peak_hour,
        }


def patterns(frame: OrderFrame, class_code: str | None = None) -> Patterns:
    sub = frame
    if class_code is not None:
        if class_code not in frame.classes:
            sub = frame.select(np.zeros(len(frame), dtype=bool))
        else:
            sub = frame.select(frame.cls == frame.classes.index(class_code))
    wd, hr, mo = sub.weekday(), sub.hour(), sub.month()
    matrix = np.bincount(wd * 24 + hr, minlength=7 * 24).reshape(7, 24)
    months = np.bincount(mo - 1, minlength=12) if len(sub) else np.zeros(12, dtype=np.int64)
    seasons = (
        np.bincount(_SEASON_OF_MONTH[mo - 1], minlength=4)
        if len(sub)
        else np.zeros(4, dtype=np.int64)
    )
    empty = len(sub) == 0
    return Patterns(
        weekday_hour=matrix.tolist(),
        by_month=[int(x) for x in months.tolist()],
        by_season={s: int(seasons[i]) for i, s in enumerate(SEASONS)},
        peak_weekday=None if empty else int(matrix.sum(axis=1).argmax()),
        peak_hour=None if empty else int(matrix.sum(axis=0).argmax()),
    )
