"""The outline of a plan: which lines are headings, which are tasks, which are neither.

Plans number their structure in different ways: 一、 parts, （一） sections, 1. items, 一是
enumerations, （1） sub-items. The task level is chosen per document: the outermost level
whose blocks mostly carry a lead phrase and a body ("加强思想建设。严格落实……"); levels above
it are headings, levels below it belong to the task above them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cityops.domain.workplan.model import Level
from cityops.domain.workplan.numerals import CHINESE_NUMERAL_CHARS, chinese_to_int


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One paragraph (or, for a PDF text layer, one printed line) of the source.
    ``bold_prefix``: the leading bold text of a Word paragraph, when known."""

    text: str
    bold_prefix: str | None = None


_CN = f"[{CHINESE_NUMERAL_CHARS}]+"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# Order matters: the first pattern that matches a line's start decides its level.
_MARKERS: tuple[tuple[Level, re.Pattern[str]], ...] = (
    (Level.SECTION, re.compile(rf"^[（(]\s*({_CN})\s*[）)]\s*")),
    (Level.SUBITEM, re.compile(r"^[（(]\s*(\d{1,3})\s*[）)]\s*")),
    (Level.SUBITEM, re.compile(rf"^([{_CIRCLED}])\s*")),
    (Level.PART, re.compile(rf"^({_CN})\s*[、.．]\s*")),
    (Level.ITEM, re.compile(r"^(\d{1,3})\s*[.．、](?!\d)\s*")),
    (Level.ENUM, re.compile(rf"^({_CN})是\s*")),
)

_UNIT_LABEL_START = re.compile(r"^[（(]?\s*(牵头|责任|配合|协办)(单位|部门|处室|科室|主体)\s*[:：]")
_FOOTER = re.compile(
    r"^(附件|附：|抄送|印发|主送|[（(]此件|[（(]联系|联系电话|[（(]?信息来源)"
    r"|\.(docx?|pdf|wps|ofd)$"
    r"|^\S{0,12}〔\d{4}〕\d+号"
)
_PAGE_NOISE = re.compile(r"^[-—–\s]*\d{1,3}[-—–\s]*$|^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$")


@dataclass(frozen=True, slots=True)
class Marker:
    level: Level
    number: int
    label: str  # the marker as printed, e.g. "（一）", "5.", "一是"
    rest: str  # the line after the marker


def read_marker(text: str) -> Marker | None:
    """The outline marker a line starts with, if any."""
    for level, pattern in _MARKERS:
        m = pattern.match(text)
        if not m:
            continue
        raw = m.group(1)
        if raw in _CIRCLED:
            number = _CIRCLED.index(raw) + 1
        elif raw.isdigit():
            number = int(raw)
        else:
            number = chinese_to_int(raw)
        return Marker(level, number, m.group(0).strip(), text[m.end() :].strip())
    return None


def is_footer(text: str) -> bool:
    return bool(_FOOTER.search(text))


def is_page_noise(text: str) -> bool:
    return bool(_PAGE_NOISE.match(text))


def starts_with_unit_label(text: str) -> bool:
    return bool(_UNIT_LABEL_START.match(text))


@dataclass
class Block:
    """A heading or task paragraph (``marker`` set) or a loose paragraph (``marker`` None)."""

    marker: Marker | None
    text: str  # after the marker
    line_no: int
    bold_prefix: str | None = None
    extra: list[str] = field(default_factory=list)  # sub-item paragraphs kept with a task

    @property
    def level(self) -> Level | None:
        return self.marker.level if self.marker else None

    def has_body(self) -> bool:
        """True for "lead phrase。body" paragraphs, False for bare headings."""
        text = self.text
        stop = text.find("。")
        if 0 <= stop <= len(text) - 3:
            return True
        return len(text) > 60


def split_blocks(lines: list[SourceLine], wrapped: bool) -> tuple[list[SourceLine], list[Block]]:
    """Split the document at its first outline marker into the preamble and the body blocks.

    ``wrapped``: the lines are printed lines of a PDF, so a line without a marker continues
    the paragraph before it. Otherwise each line is a paragraph of its own, except that a
    unit line ("牵头单位：……") belongs to the task above it.
    """
    cleaned = [SourceLine(ln.text.strip(), ln.bold_prefix) for ln in lines]
    cleaned = [ln for ln in cleaned if ln.text and not is_page_noise(ln.text)]
    start = next((i for i, ln in enumerate(cleaned) if read_marker(ln.text)), len(cleaned))
    preamble, body = cleaned[:start], cleaned[start:]
    blocks: list[Block] = []
    for offset, line in enumerate(body):
        marker = read_marker(line.text)
        if marker is not None:
            bold = line.bold_prefix
            bold_marker = read_marker(bold) if bold else None
            if bold_marker is not None:
                bold = bold_marker.rest
            blocks.append(Block(marker, marker.rest, start + offset, bold or None))
            continue
        last = blocks[-1] if blocks else None
        if last is not None and last.marker is not None and not is_footer(line.text):
            if wrapped:
                last.text += line.text
                continue
            if starts_with_unit_label(line.text):
                last.text += line.text
                continue
        if wrapped and last is not None and last.marker is None and not is_footer(line.text):
            last.text += line.text
            continue
        blocks.append(Block(None, line.text, start + offset, line.bold_prefix))
    return preamble, blocks


def choose_task_level(blocks: list[Block]) -> Level | None:
    """The outermost level with at least two blocks, most of which (60 %) carry a body; for a
    plan of a single task, the outermost level whose one block does."""
    for minimum in (2, 1):
        for level in Level:
            at_level = [b for b in blocks if b.level == level]
            if len(at_level) < minimum:
                continue
            with_body = sum(1 for b in at_level if b.has_body())
            if with_body >= 0.6 * len(at_level):
                return level
    return None
