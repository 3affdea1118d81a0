"""Administrative codes and unit grid codes.

Administrative codes (GB/T 2260 and the statistics division codes):

* city (地级市): 6 digits ending in ``00``, e.g. ``370100`` 济南市;
* district / county (区县): 6 digits, e.g. ``370102`` 历下区;
* street / town (街道 / 乡镇): 9 digits = district + 3, e.g. ``370102001`` 解放路街道;
* community / village (社区 / 村): 12 digits = street + 3, e.g. ``370102001001``.

The statistics code list writes every level with 12 digits, padded with zeros
(``370102000000`` is the district); :func:`short_admin_code` turns those into the short form we
store.

Unit grid codes (单元网格): 15 digits = 12-digit community code + 3-digit sequence (001–999),
numbered west → east, north → south inside the community (see :func:`number_grids`).

Older data (the 2005 grid standard) uses **14 digits**: community code + 2-digit sequence. On
import a 14-digit code is widened to 15 by putting a ``0`` in front of the sequence:
``37010200100105`` → ``370102001001005``. Nothing else is guessed; every other length is refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from cityops.domain.geo.model import RegionLevel
from cityops.errors import ValidationError

GRID_CODE_LENGTH = 15
LEGACY_GRID_CODE_LENGTH = 14
LEVEL_CODE_LENGTH: dict[RegionLevel, int] = {
    RegionLevel.CITY: 6,
    RegionLevel.DISTRICT: 6,
    RegionLevel.STREET: 9,
    RegionLevel.COMMUNITY: 12,
}
_LEVEL_NAMES = {
    RegionLevel.CITY: "地级市",
    RegionLevel.DISTRICT: "区县",
    RegionLevel.STREET: "街道乡镇",
    RegionLevel.COMMUNITY: "社区村",
}
_DIGITS = re.compile(r"^[0-9]+$")
# GB/T 2260 province prefixes run from 11 (北京) to 82 (澳门).
_MIN_PROVINCE, _MAX_PROVINCE = 11, 82


def _digits(code: str) -> bool:
    return bool(_DIGITS.match(code))


def _level_by_shape(code: str) -> RegionLevel | None:
    if len(code) == 6:
        return RegionLevel.CITY if code[4:6] == "00" else RegionLevel.DISTRICT
    return {9: RegionLevel.STREET, 12: RegionLevel.COMMUNITY}.get(len(code))


def admin_code_problem(code: str, level: RegionLevel | None = None) -> str | None:
    """Why ``code`` is not a valid short administrative code (of ``level``), or None.

    A 6-digit code ending in ``00`` is a city (地级市, e.g. 370100), any other 6-digit code a
    district or county."""
    if not isinstance(code, str) or not _digits(code):
        return "行政区划代码只能由数字组成"
    shape = _level_by_shape(code)
    if shape is None:
        return "行政区划代码应为 6 位（市、区县）、9 位（街道乡镇）或 12 位（社区村）数字"
    if not _MIN_PROVINCE <= int(code[:2]) <= _MAX_PROVINCE:
        return "前两位不是有效的省级代码（11–82）"
    if code[2:4] == "00":
        return "第 3–4 位不能为 00（那是省级代码）"
    if level is not None and shape is not level:
        if level is RegionLevel.DISTRICT and shape is RegionLevel.CITY:
            return "区县代码的第 5–6 位不能为 00"
        return f"{_LEVEL_NAMES[level]}代码应为 {LEVEL_CODE_LENGTH[level]} 位数字" + (
            "且第 5–6 位为 00" if level is RegionLevel.CITY else ""
        )
    if len(code) >= 9 and code[4:6] == "00":
        return "区县代码的第 5–6 位不能为 00"
    if len(code) >= 9 and code[6:9] == "000":
        return "街道乡镇代码的第 7–9 位不能为 000"
    if len(code) == 12 and code[9:12] == "000":
        return "社区村代码的第 10–12 位不能为 000"
    return None


def validate_admin_code(code: str, level: RegionLevel | None = None) -> str:
    problem = admin_code_problem(code, level)
    if problem:
        raise ValidationError(
            "geo.admin_code_invalid",
            f"行政区划代码“{code}”无效：{problem}",
            value=code,
            level=level.value if level else None,
        )
    return code


def level_of(code: str) -> RegionLevel:
    """The level of a valid short administrative code."""
    validate_admin_code(code)
    level = _level_by_shape(code)
    assert level is not None
    return level


def parent_code(code: str) -> str | None:
    """District → its city (``370102`` → ``370100``), street → district, community → street;
    a city has no parent here."""
    level = level_of(code)
    return {
        RegionLevel.CITY: None,
        RegionLevel.DISTRICT: code[:4] + "00",
        RegionLevel.STREET: code[:6],
        RegionLevel.COMMUNITY: code[:9],
    }[level]


def short_admin_code(statistics_code: str) -> str:
    """``370100000000`` → ``370100``; ``370102001000`` → ``370102001``; 12 digits stay."""
    if not (
        isinstance(statistics_code, str) and len(statistics_code) == 12 and _digits(statistics_code)
    ):
        raise ValidationError(
            "geo.admin_code_invalid",
            f"统计用区划代码“{statistics_code}”应为 12 位数字",
            value=statistics_code,
        )
    if statistics_code[6:] == "000000":
        return statistics_code[:6]
    if statistics_code[9:] == "000":
        return statistics_code[:9]
    return statistics_code


@dataclass(frozen=True, slots=True)
class GridCode:
    """A parsed 15-digit unit grid code."""

    code: str

    @property
    def community_code(self) -> str:
        return self.code[:12]

    @property
    def street_code(self) -> str:
        return self.code[:9]

    @property
    def district_code(self) -> str:
        return self.code[:6]

    @property
    def sequence(self) -> int:
        return int(self.code[12:])


def grid_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid 15-digit unit grid code, or None."""
    if not isinstance(code, str) or not _digits(code):
        return "单元网格代码只能由数字组成"
    if len(code) != GRID_CODE_LENGTH:
        return f"单元网格代码应为 15 位数字（12 位社区代码 + 3 位顺序码），实际 {len(code)} 位"
    community_problem = admin_code_problem(code[:12], RegionLevel.COMMUNITY)
    if community_problem:
        return f"前 12 位社区代码无效：{community_problem}"
    if code[12:] == "000":
        return "顺序码从 001 开始，不能为 000"
    return None


def parse_grid_code(code: str) -> GridCode:
    """Validate a 15-digit unit grid code (no legacy widening: see :func:`normalize_grid_code`)."""
    problem = grid_code_problem(code)
    if problem:
        raise ValidationError(
            "geo.grid_code_invalid", f"单元网格代码“{code}”无效：{problem}", value=code
        )
    return GridCode(code)


def normalize_grid_code(raw: str) -> str:
    """Accept a unit grid code from outside: strips spaces, widens a legacy 14-digit code
    (community + 2-digit sequence) to 15 digits, and validates the result."""
    code = str(raw).strip()
    if len(code) == LEGACY_GRID_CODE_LENGTH and _digits(code):
        code = code[:12] + "0" + code[12:]
    return parse_grid_code(code).code


def grid_code(community_code: str, sequence: int) -> str:
    validate_admin_code(community_code, RegionLevel.COMMUNITY)
    if not 1 <= sequence <= 999:
        raise ValidationError(
            "geo.grid_sequence_invalid",
            f"单元网格顺序码须在 1–999 之间，实际 {sequence}",
            community_code=community_code,
            sequence=sequence,
        )
    return f"{community_code}{sequence:03d}"


def reading_order(points: Sequence[tuple[float, float]], row_tolerance: float) -> list[int]:
    """Indices of ``points`` (lon, lat) in reading order: rows from north to south, each row
    west to east. A new row starts where a point lies more than ``row_tolerance`` (degrees)
    south of the first point of the current row."""
    by_north = sorted(range(len(points)), key=lambda i: (-points[i][1], points[i][0], i))
    order: list[int] = []
    row: list[int] = []
    row_top = 0.0
    for i in by_north:
        if row and row_top - points[i][1] > row_tolerance:
            order.extend(sorted(row, key=lambda j: (points[j][0], j)))
            row = []
        if not row:
            row_top = points[i][1]
        row.append(i)
    order.extend(sorted(row, key=lambda j: (points[j][0], j)))
    return order


def number_grids(
    community_code: str, points: Sequence[tuple[float, float]], row_tolerance: float
) -> list[str]:
    """Grid codes for the grids of one community, given one representative point per grid:
    001, 002, … west → east, north → south. Returned in the order of ``points``."""
    codes = [""] * len(points)
    for seq, i in enumerate(reading_order(points, row_tolerance), start=1):
        codes[i] = grid_code(community_code, seq)
    return codes
