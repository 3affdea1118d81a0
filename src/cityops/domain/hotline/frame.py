"""Orders as columns (NumPy arrays) for analysis over hundreds of thousands of rows.

Text columns (class, grid, district, unit) are factorised: an int32 index per row into a
sorted list of the distinct values, -1 where the value is missing. Times are UTC seconds since
the epoch; ``utc_offset`` turns them into the city's local time (the zones of Chinese cities
have no daylight saving, so one offset is exact).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


def factorize(values: Sequence[str | None]) -> tuple[I32, list[str]]:
    """(codes, categories): categories sorted, code -1 for None or ''. A dictionary pass, then
    one remapping to sorted order (many times faster than sorting a million strings)."""
    mapping: dict[str, int] = {}
    raw = np.fromiter(
        (mapping.setdefault(v, len(mapping)) if v else -1 for v in values),
        dtype=np.int32,
        count=len(values),
    )
    categories = sorted(mapping)
    rank = np.empty(len(mapping) + 1, dtype=np.int32)
    for new, name in enumerate(categories):
        rank[mapping[name]] = new
    rank[-1] = -1  # raw -1 indexes the last slot
    return rank[raw], categories


@dataclass
class OrderFrame:
    ids: I64
    t: I64  # received at, UTC seconds
    cls: I32
    classes: list[str]
    grid: I32
    grids: list[str]
    district: I32
    districts: list[str]
    lon: F64  # NaN where unknown
    lat: F64
    utc_offset: int = 8 * 3600

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @classmethod
    def build(
        cls,
        ids: Sequence[int] | I64,
        t: Sequence[int] | I64,
        class_codes: Sequence[str | None],
        grid_codes: Sequence[str | None],
        lon: Sequence[float | None] | F64,
        lat: Sequence[float | None] | F64,
        utc_offset: int = 8 * 3600,
    ) -> OrderFrame:
        c, classes = factorize(class_codes)
        g, grids = factorize(grid_codes)
        d, districts = factorize([x[:6] if x else None for x in grid_codes])
        return cls(
            ids=np.asarray(ids, dtype=np.int64),
            t=np.asarray(t, dtype=np.int64),
            cls=c,
            classes=classes,
            grid=g,
            grids=grids,
            district=d,
            districts=districts,
            lon=np.array([np.nan if v is None else v for v in lon], dtype=np.float64),
            lat=np.array([np.nan if v is None else v for v in lat], dtype=np.float64),
            utc_offset=utc_offset,
        )

    def local(self) -> I64:
        return self.t + self.utc_offset

    def weekday(self) -> I64:
        """0 = Monday."""
        days = self.local() // 86400
        return (days + 3) % 7  # 1970-01-01 was a Thursday

    def hour(self) -> I64:
        return (self.local() % 86400) // 3600

    def month(self) -> I64:
        """1..12 of the local date."""
        days = (self.local() // 86400).astype("datetime64[D]")
        return (days.astype("datetime64[M]").astype(np.int64) % 12) + 1

    def select(self, mask: npt.NDArray[Any]) -> OrderFrame:
        """Rows by a boolean mask or an array of positions."""
        return OrderFrame(
            self.ids[mask],
            self.t[mask],
            self.cls[mask],
            self.classes,
            self.grid[mask],
            self.grids,
            self.district[mask],
            self.districts,
            self.lon[mask],
            self.lat[mask],
            self.utc_offset,
        )

    def between(self, start: int, end: int) -> OrderFrame:
        return self.select((self.t >= start) & (self.t < end))
