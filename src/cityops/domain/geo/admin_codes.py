"""The real administrative divisions of 济南市 shipped with the package.

``cityops/data/admin_codes/jinan_level4.csv`` (AreaCity dataset, MIT; see ``SOURCE.md`` there)
lists the city, its districts and counties and their streets and towns with their 12-digit
statistics codes. Read on demand, never at import.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from cityops.domain.geo.codes import short_admin_code
from cityops.domain.geo.model import RegionLevel

_DEPTH_LEVEL = {1: RegionLevel.CITY, 2: RegionLevel.DISTRICT, 3: RegionLevel.STREET}


@dataclass(frozen=True, slots=True)
class AdminDivision:
    code: str  # short form: 6 digits for city/district, 9 for street/town
    level: RegionLevel
    name: str  # full name, e.g. 解放路街道
    short_name: str  # e.g. 解放路
    parent_code: str | None
    statistics_code: str  # 12 digits

    @property
    def is_town(self) -> bool:
        """A 镇 or 乡 (rural), as opposed to a 街道 (urban street office)."""
        return self.name.endswith(("镇", "乡"))


@lru_cache(maxsize=1)
def jinan_divisions() -> tuple[AdminDivision, ...]:
    """Every division of 济南市 in the shipped list, in file order."""
    text = (
        resources.files("cityops")
        .joinpath("data/admin_codes/jinan_level4.csv")
        .read_text(encoding="utf-8")
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    out: list[AdminDivision] = []
    for row in rows:
        level = _DEPTH_LEVEL.get(int(row["deep"]))
        if level is None:
            continue
        code = short_admin_code(row["ext_id"])
        parent = None if level is RegionLevel.CITY else short_admin_code(_parent_stats(row))
        out.append(
            AdminDivision(
                code=code,
                level=level,
                name=row["ext_name"],
                short_name=row["name"],
                parent_code=parent,
                statistics_code=row["ext_id"],
            )
        )
    return tuple(out)


def _parent_stats(row: dict[str, str]) -> str:
    ext = row["ext_id"]
    if int(row["deep"]) == 2:
        return ext[:4] + "00" + "000000"
    return ext[:6] + "000000"


def divisions_under(parent_code: str) -> list[AdminDivision]:
    return [d for d in jinan_divisions() if d.parent_code == parent_code]


def division(code: str) -> AdminDivision | None:
    return next((d for d in jinan_divisions() if d.code == code), None)
