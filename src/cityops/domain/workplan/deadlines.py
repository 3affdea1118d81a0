"""Deadlines in a task's text: 6月底前, 9月底前, 年底前, 年内, 3月15日前, 上半年, 三季度 …
(dates in the plan's year) and rhythms: 每月, 每季度, 双月, 每年度 (recurrences)."""

from __future__ import annotations

import calendar
import re
from datetime import date

from cityops.domain.workplan.model import Deadline, Recurrence
from cityops.domain.workplan.numerals import chinese_to_int

_QUARTER = r"(?:第)?([一二三四1-4])季度"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("year_month_day", re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日(?:前|之前|以前)?")),
    ("year_month", re.compile(r"(\d{4})年(\d{1,2})月(?:底|末)?(?:前|之前|以前)?(?![\d日])")),
    ("year_end", re.compile(r"(\d{4})年(?:底|末)(?:前|之前|以前)?")),
    ("month_day", re.compile(r"(?<![\d年个])(\d{1,2})月(\d{1,2})日(?:前|之前|以前)?")),
    ("month_part", re.compile(r"(?<![\d年个])(\d{1,2})月(上旬|中旬|下旬)(?:前|之前|以前)?")),
    (
        "month",
        re.compile(r"(?<![\d年个每])(\d{1,2})月(?:份)?(?:底|末)?(?:前|之前|以前)?(?![\d日])"),
    ),
    ("quarter", re.compile(rf"(?<![每一])(?:{_QUARTER})(?:末|底)?(?:前|之前|以前)?")),
    ("first_half", re.compile(r"上半年(?:底|末)?(?:前|之前|以前)?|年中(?:前|之前)?")),
    ("year_end_plain", re.compile(r"(?<![\d每])(?:年底前|年底|年末前|年末|今年内|年内|下半年)")),
)
_RECURRENCES: tuple[tuple[re.Pattern[str], Recurrence], ...] = (
    (re.compile(r"每周|每星期"), Recurrence.WEEKLY),
    (re.compile(r"每月|每个月|逐月|月度|一月一"), Recurrence.MONTHLY),
    (re.compile(r"双月"), Recurrence.BIMONTHLY),
    (re.compile(r"每季度?|按季度?|逐季|一季一"), Recurrence.QUARTERLY),
    (re.compile(r"每半年"), Recurrence.HALF_YEARLY),
    (re.compile(r"每年度?|每一年|年度(?=至少|开展|组织)"), Recurrence.YEARLY),
)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _date_of(kind: str, m: re.Match[str], year: int) -> date | None:
    g = m.groups()
    if kind == "year_month_day":
        return date(int(g[0]), int(g[1]), int(g[2]))
    if kind == "year_month":
        return _month_end(int(g[0]), int(g[1]))
    if kind == "year_end":
        return date(int(g[0]), 12, 31)
    if kind == "month_day":
        return date(year, int(g[0]), int(g[1]))
    if kind == "month_part":
        day = {"上旬": 10, "中旬": 20}.get(g[1])
        return date(year, int(g[0]), day) if day else _month_end(year, int(g[0]))
    if kind == "month":
        return _month_end(year, int(g[0]))
    if kind == "quarter":
        q = int(g[0]) if g[0].isdigit() else chinese_to_int(g[0])
        return _month_end(year, 3 * q)
    if kind == "first_half":
        return date(year, 6, 30)
    return date(year, 12, 31)


def extract_deadlines(text: str, year: int | None) -> tuple[list[Deadline], list[str]]:
    """Deadlines in ``text`` (titles in 《》 already blanked), and the date phrases that
    could not be placed (no plan year, or an impossible date such as 2月30日)."""
    found: list[tuple[int, Deadline]] = []
    leftovers: list[str] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            taken.append((m.start(), m.end()))
            explicit_year = kind.startswith("year_m") or kind == "year_end"
            if year is None and not explicit_year:
                leftovers.append(m.group(0))
                continue
            try:
                due = _date_of(kind, m, year or 0)
            except ValueError:
                leftovers.append(m.group(0))
                continue
            found.append((m.start(), Deadline(m.group(0), due)))
    for pattern, recurrence in _RECURRENCES:
        for m in pattern.finditer(text):
            if free(m.start(), m.end()):
                taken.append((m.start(), m.end()))
                found.append((m.start(), Deadline(m.group(0), None, recurrence)))
    found.sort(key=lambda pair: pair[0])
    unique: list[Deadline] = []
    for _, deadline in found:
        if deadline not in unique:
            unique.append(deadline)
    return unique, leftovers
