"""What the parser reads out of a work plan: plain frozen values with a JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    """Outline levels, outermost first. Which one carries the tasks differs per document."""

    PART = "part"  # 一、二、三、
    SECTION = "section"  # （一）（二）
    ITEM = "item"  # 1. 2. / 1、
    ENUM = "enum"  # 一是 二是
    SUBITEM = "subitem"  # （1） ①

    @property
    def depth(self) -> int:
        return list(Level).index(self)


class Role(StrEnum):
    LEAD = "lead"  # 牵头单位
    RESPONSIBLE = "responsible"  # 责任单位 (also 配合单位, 协办单位)


class Recurrence(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    BIMONTHLY = "bimonthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"


class Comparator(StrEnum):
    AT_LEAST = ">="
    AT_MOST = "<="
    MORE_THAN = ">"
    LESS_THAN = "<"
    ABOUT = "="


class UnparsedKind(StrEnum):
    """Pieces the parser saw but did not turn into data (shown, never guessed)."""

    TITLE = "title"  # a task without a lead phrase ending in 。 near its start
    UNITS = "units"  # a unit label (牵头单位：) with no names after it
    TARGET = "target"  # a quantity whose subject or meaning is unclear
    DEADLINE = "deadline"  # a date that cannot be placed (no plan year)
    TEXT = "text"  # a paragraph between or after tasks that belongs to none
    NUMBERING = "numbering"  # a gap or repeat in the task numbers
    YEAR = "year"  # the plan's year was not found
    ISSUER = "issuer"  # the issuing body was not found


@dataclass(frozen=True, slots=True)
class OutlineNode:
    level: Level
    number: int
    label: str  # as printed, e.g. "二、", "（一）"
    heading: str  # the heading text after the label

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "number": self.number,
            "label": self.label,
            "heading": self.heading,
        }


@dataclass(frozen=True, slots=True)
class Target:
    """A quantified target: ``subject comparator value unit``, e.g. 亮灯率 >= 99 %."""

    subject: str
    comparator: Comparator
    value: Decimal
    unit: str
    text: str  # the words it was read from

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "comparator": self.comparator.value,
            "value": number_json(self.value),
            "unit": self.unit,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Deadline:
    """A date by which (``due``) or a rhythm in which (``recurrence``) something is done."""

    text: str
    due: date | None = None
    recurrence: Recurrence | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "date": self.due.isoformat() if self.due else None,
        }
        if self.recurrence is not None:
            out["recurrence"] = self.recurrence.value
        return out


@dataclass(frozen=True, slots=True)
class Unparsed:
    kind: UnparsedKind
    text: str
    task_seq: int | None = None  # the task it was found in, if any
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "task": self.task_seq,
            "text": self.text,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class ParsedTask:
    seq: int  # 1..N in document order (unique even where numbering restarts)
    number: int  # the document's own number of the task
    label: str  # as printed: "5.", "（十五）", "一是"
    level: Level
    outline: tuple[OutlineNode, ...]  # the headings above the task, outermost first
    title: str | None  # the lead phrase, e.g. "加强思想建设。"
    text: str  # the whole paragraph after the label
    lead_units: tuple[str, ...] = ()
    responsible_units: tuple[str, ...] = ()
    targets: tuple[Target, ...] = ()
    deadlines: tuple[Deadline, ...] = ()

    def due(self, year: int | None) -> date | None:
        """The task's final date: its latest dated deadline, else the end of the plan year."""
        dated = [d.due for d in self.deadlines if d.due is not None]
        if dated:
            return max(dated)
        return date(year, 12, 31) if year else None

    def outline_text(self) -> str:
        return " ".join(f"{n.label}{n.heading}" for n in self.outline)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "number": self.number,
            "label": self.label,
            "level": self.level.value,
            "outline": [n.to_dict() for n in self.outline],
            "title": self.title,
            "text": self.text,
            "lead_units": list(self.lead_units),
            "responsible_units": list(self.responsible_units),
            "targets": [t.to_dict() for t in self.targets],
            "deadlines": [d.to_dict() for d in self.deadlines],
        }


@dataclass(frozen=True)
class ParsedPlan:
    issuer: str | None
    year: int | None
    title: str | None
    task_level: Level | None
    tasks: tuple[ParsedTask, ...]
    unparsed: tuple[Unparsed, ...] = ()
    # Items of a work summary (工作总结) the document reviews before its plan part; they are
    # achievements, not tasks, and are only counted.
    summary_items: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def figures(self) -> dict[str, int]:
        """Counts for documentation and checks."""
        return {
            "tasks": len(self.tasks),
            "with_lead_units": sum(1 for t in self.tasks if t.lead_units),
            "with_responsible_units": sum(1 for t in self.tasks if t.responsible_units),
            "targets": sum(len(t.targets) for t in self.tasks),
            "deadlines": sum(len(t.deadlines) for t in self.tasks),
            "unparsed": len(self.unparsed),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "year": self.year,
            "title": self.title,
            "task_level": self.task_level.value if self.task_level else None,
            "summary_items": self.summary_items,
            "tasks": [t.to_dict() for t in self.tasks],
            "unparsed": [u.to_dict() for u in self.unparsed],
            "notes": list(self.notes),
        }


def number_json(value: Decimal) -> int | float:
    """A Decimal as the JSON number a person expects: 13, not 13.0 or "13"."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)
