"""A work plan's paragraphs → issuer, year and numbered tasks with units, targets, deadlines.

``parse_plan`` takes the paragraphs of any source (plain text lines, Word paragraphs, the
text layer of a PDF with ``wrapped=True``); reading the files is the services' business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cityops.domain.workplan.deadlines import extract_deadlines
from cityops.domain.workplan.header import (
    find_issuer,
    find_title,
    find_year,
    is_plan_heading,
    is_summary_and_plan,
)
from cityops.domain.workplan.model import (
    Level,
    OutlineNode,
    ParsedPlan,
    ParsedTask,
    Unparsed,
    UnparsedKind,
)
from cityops.domain.workplan.outline import (
    Block,
    SourceLine,
    choose_task_level,
    is_footer,
    split_blocks,
)
from cityops.domain.workplan.targets import extract_targets, mask_titles
from cityops.domain.workplan.units import find_unit_clause

MAX_TITLE = 60  # a lead phrase longer than this is not a title but a sentence
MAX_HEADING = 80


@dataclass
class _Draft:
    block: Block
    outline: tuple[OutlineNode, ...]
    extra: list[str] = field(default_factory=list)


def parse_plan_text(text: str, *, wrapped: bool = False) -> ParsedPlan:
    return parse_plan([SourceLine(line) for line in text.splitlines()], wrapped=wrapped)


def parse_plan(lines: Sequence[SourceLine | str], *, wrapped: bool = False) -> ParsedPlan:
    source = [ln if isinstance(ln, SourceLine) else SourceLine(ln) for ln in lines]
    preamble_lines, blocks = split_blocks(source, wrapped)
    preamble = [ln.text for ln in preamble_lines]
    title = find_title(preamble)
    year = find_year(title, preamble)
    issuer = find_issuer(preamble, title)
    unparsed: list[Unparsed] = []
    notes: list[str] = []
    if year is None:
        unparsed.append(Unparsed(UnparsedKind.YEAR, title or "", note="找不到计划年度"))
    if issuer is None:
        unparsed.append(Unparsed(UnparsedKind.ISSUER, title or "", note="找不到发文单位"))

    summary: list[Block] = []
    if is_summary_and_plan(title):
        start = next(
            (i for i, b in enumerate(blocks) if b.level is Level.PART and is_plan_heading(b.text)),
            None,
        )
        if start is None:
            notes.append("标题含“总结”，但未找到“工作计划”部分，全文按计划处理")
        else:
            summary, blocks = blocks[:start], blocks[start:]
            notes.append(f"前{len(summary)}段为工作总结，只取“{blocks[0].text}”部分的任务")
    level = choose_task_level(blocks)
    if level is None:
        notes.append("未找到带编号的任务")
        return ParsedPlan(issuer, year, title, None, (), tuple(unparsed), 0, tuple(notes))
    summary_items = sum(1 for b in summary if b.level == level)

    drafts = _collect(blocks, level, unparsed)
    tasks = [_task(seq, d, level, year, unparsed) for seq, d in enumerate(drafts, start=1)]
    _check_numbering(tasks, unparsed)
    unparsed.sort(key=lambda u: u.task_seq or 0)
    return ParsedPlan(
        issuer, year, title, level, tuple(tasks), tuple(unparsed), summary_items, tuple(notes)
    )


def _heading(block: Block) -> str:
    text = block.text
    stop = text.find("。")
    if stop >= 0:
        text = text[: stop + 1]
    return text[:MAX_HEADING]


def _collect(blocks: list[Block], level: Level, unparsed: list[Unparsed]) -> list[_Draft]:
    """Walk the body: headings above the task level build the outline, blocks at the task
    level start tasks, deeper blocks stay with their task, loose paragraphs are reported."""
    stack: dict[Level, OutlineNode] = {}
    drafts: list[_Draft] = []
    last = "heading"
    for block in blocks:
        marker = block.marker
        if marker is not None and marker.level.depth < level.depth:
            stack = {lv: n for lv, n in stack.items() if lv.depth < marker.level.depth}
            stack[marker.level] = OutlineNode(
                marker.level, marker.number, marker.label, _heading(block)
            )
            last = "heading"
        elif marker is not None and marker.level == level:
            outline = tuple(sorted(stack.values(), key=lambda n: n.level.depth))
            drafts.append(_Draft(block, outline))
            last = "task"
        elif marker is not None and drafts and last == "task":
            drafts[-1].extra.append(f"{marker.label}{block.text}")
        elif is_footer(block.text):
            continue
        elif last == "heading" and marker is None:
            continue  # the introduction of a part or section
        else:
            text = f"{marker.label}{block.text}" if marker else block.text
            unparsed.append(
                Unparsed(
                    UnparsedKind.TEXT,
                    text,
                    len(drafts) or None,
                    "不属于任何编号任务的段落",
                )
            )
    return drafts


def _title(block: Block, text: str) -> str | None:
    bold = (block.bold_prefix or "").strip()
    if 2 <= len(bold) <= MAX_TITLE and text.startswith(bold):
        after = text[len(bold) : len(bold) + 1]
        return bold + after if after in "。：:；;" and after else bold
    stop = text.find("。")
    if 0 < stop < MAX_TITLE:
        return text[: stop + 1]
    return None


def _task(
    seq: int, draft: _Draft, level: Level, year: int | None, unparsed: list[Unparsed]
) -> ParsedTask:
    block = draft.block
    assert block.marker is not None
    text = "\n".join([block.text, *draft.extra])
    title = _title(block, text)
    if title is None:
        unparsed.append(
            Unparsed(UnparsedKind.TITLE, text[:MAX_TITLE], seq, "找不到以“。”结束的标题")
        )
    clause = find_unit_clause(text)
    lead: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()
    analysis = text
    if clause is not None:
        lead, responsible = clause.lead, clause.responsible
        analysis = text[: clause.start] + text[clause.end :]
        for label in clause.empty_labels:
            unparsed.append(
                Unparsed(
                    UnparsedKind.UNITS, text[clause.start : clause.end], seq, f"“{label}”后没有单位"
                )
            )
    targets, leftovers = extract_targets(analysis)
    for left in leftovers:
        unparsed.append(Unparsed(UnparsedKind.TARGET, left.text, seq, left.note))
    deadlines, unplaced = extract_deadlines(mask_titles(analysis), year)
    for phrase in unplaced:
        unparsed.append(Unparsed(UnparsedKind.DEADLINE, phrase, seq, "无法确定日期"))
    return ParsedTask(
        seq=seq,
        number=block.marker.number,
        label=block.marker.label,
        level=level,
        outline=draft.outline,
        title=title,
        text=text,
        lead_units=lead,
        responsible_units=responsible,
        targets=tuple(targets),
        deadlines=tuple(deadlines),
    )


def _check_numbering(tasks: list[ParsedTask], unparsed: list[Unparsed]) -> None:
    """Numbers run on through the document, or restart at 1 under a new heading."""
    previous: ParsedTask | None = None
    for task in tasks:
        if previous is None:
            ok = task.number == 1
        else:
            restarted = task.number == 1 and task.outline != previous.outline
            ok = task.number == previous.number + 1 or restarted
        if not ok:
            before = previous.label if previous else "开头"
            unparsed.append(
                Unparsed(
                    UnparsedKind.NUMBERING,
                    task.label,
                    task.seq,
                    f"编号不连续：{before}之后是{task.label}",
                )
            )
        previous = task
