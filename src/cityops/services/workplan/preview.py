"""Reading a plan before it is imported: what the parser finds, how its unit names match the
platform's units, and what would stop the import. Nothing is written. Also the units CSV a
bureau may give with a plan (``code,name[,alias;alias…]``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Engine

from cityops.domain.workplan.model import ParsedPlan
from cityops.domain.workplan.parser import parse_plan
from cityops.domain.workplan.units import UnitMatch, match_units, prefixes_for_issuer
from cityops.errors import ValidationError
from cityops.services.workplan.documents import SourceDocument, decode_text
from cityops.services.workplan.lookups import plan_by_sha256

MAX_UNITS_CSV_ROWS = 5000


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str


@dataclass(frozen=True)
class Preview:
    document: SourceDocument
    parsed: ParsedPlan
    matches: list[UnitMatch]
    already_imported: int | None  # the plan imported from the same file, if any
    problems: list[Problem]  # why an import would be refused; empty when it would go in

    @property
    def importable(self) -> bool:
        return not self.problems


def preview_document(
    engine: Engine,
    document: SourceDocument,
    *,
    known_units: Iterable[tuple[str, str]] = (),
    aliases: Mapping[str, str] | None = None,
) -> Preview:
    """Parse a plan and match its units exactly as :func:`import_document` would, and say
    what would refuse it (the same codes), without storing anything."""
    parsed = parse_plan(document.lines, wrapped=document.wrapped)
    names = list(
        dict.fromkeys(n for t in parsed.tasks for n in (*t.lead_units, *t.responsible_units))
    )
    matches = match_units(
        names, list(known_units), aliases=aliases, prefixes=prefixes_for_issuer(parsed.issuer)
    )
    existing = plan_by_sha256(engine, document.sha256)
    problems = []
    if parsed.year is None:
        problems.append(
            Problem(
                "workplan.year_missing",
                "无法识别计划的年度（标题中应有“2025年……工作要点”之类的字样）",
            )
        )
    if not parsed.tasks:
        problems.append(Problem("workplan.no_tasks", f"“{document.name}”中没有找到带编号的任务"))
    if existing is not None:
        problems.append(Problem("workplan.already_imported", f"该文件已导入（计划编号{existing}）"))
    return Preview(document, parsed, matches, existing, problems)


def read_units_csv(name: str, content: bytes) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Known units ``(code, name)`` and aliases (name → code) from a CSV with the columns
    ``code,name[,alias;alias…]`` (UTF-8, GB18030/GBK or UTF-16 with BOM, as
    :func:`decode_text`; a header row whose first cell is ``code`` or ``编码`` is skipped)."""
    text = decode_text(name, content, code="workplan.units_csv.encoding", what="单位对照表")
    known: list[tuple[str, str]] = []
    aliases: dict[str, str] = {}
    for line_no, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or (line_no == 1 and cells[0].lower() in ("code", "编码", "单位编码")):
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise ValidationError(
                "workplan.units_csv.row",
                f"单位对照表“{name}”第{line_no}行应为“单位编码,单位名称[,别名;别名]”",
                line=line_no,
                row=row,
            )
        known.append((cells[0], cells[1]))
        for alias in cells[2].replace("；", ";").split(";") if len(cells) > 2 else []:
            if alias.strip():
                aliases[alias.strip()] = cells[0]
        if len(known) > MAX_UNITS_CSV_ROWS:
            raise ValidationError(
                "workplan.units_csv.too_long",
                f"单位对照表不能超过{MAX_UNITS_CSV_ROWS}行",
                max_rows=MAX_UNITS_CSV_ROWS,
            )
    if not known:
        raise ValidationError("workplan.units_csv.empty", f"单位对照表“{name}”中没有单位")
    return known, aliases
