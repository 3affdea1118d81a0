"""Our states and events in Open311's words.

Open311 knows two statuses, ``open`` and ``closed``. Every terminal state is ``closed``, and
``status_notes`` says which kind of closed it is: fixed, closed for another reason (the problem
was gone, or cannot be fixed for now), not filed (and why: a duplicate, out of scope …) or
cancelled. ``detailed_status`` carries the same distinction as a stable code for programs.

The Chinese wording matches what citizens see in cityops' own channels (the public case view);
an English sentence follows it for international clients. Only fixed wording is published:
staff opinions and names never leave through Open311.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cityops.domain.cases.model import Case
from cityops.domain.cases.vocabulary import CaseState, EventType
from cityops.domain.clock.limits import TimeLimit
from cityops.errors import CityopsError

OPEN, CLOSED = "open", "closed"

CLOSE_NOTES = {
    "fixed": ("已办结（问题已解决）", "Closed: the problem was fixed."),
    "no_longer_present": (
        "已办结（现场问题已不存在）",
        "Closed: the problem was no longer there.",
    ),
    "not_fixable": (
        "已办结（暂不具备处置条件，未解决）",
        "Closed without a fix: it cannot be fixed for now.",
    ),
}
REJECT_NOTES = {
    "duplicate": (
        "不予立案（与已受理的问题重复，将随原问题一并处理）",
        "Not filed: a duplicate of a problem already being handled.",
    ),
    "out_of_scope": (
        "不予立案（不属于城市管理受理范围）",
        "Not filed: outside the remit of city management.",
    ),
    "no_condition": (
        "不予立案（未达到立案条件）",
        "Not filed: it does not meet a filing condition.",
    ),
    "not_found": (
        "不予立案（现场核实未发现该问题）",
        "Not filed: the problem was not found on site.",
    ),
    "other": ("不予立案", "Not filed."),
}
CANCEL_NOTE = ("已作废（案卷无效）", "Cancelled: the case was found invalid.")
RECEIVED_NOTE = ("已受理，正在核实", "Received; being verified.")
IN_PROGRESS_NOTE = ("处理中", "In progress.")

# Public wording of the timeline's steps. Returns (回退) and extension requests are internal
# and left out; a refused extension changes nothing the public sees.
STEP_NOTES: dict[EventType, tuple[str, str]] = {
    EventType.REPORTED: ("已提交", "Report received."),
    EventType.FILED: ("已受理立案", "Accepted and filed."),
    EventType.DISPATCHED: ("已交办处置单位", "Assigned to the responsible unit."),
    EventType.SUSPENDED: (
        "已列入长期或季节性整治，暂停计时",
        "Scheduled as long-term or seasonal work; the time limit is paused.",
    ),
    EventType.RESUMED: ("恢复处置", "Work resumed."),
    EventType.HANDLED: ("处置单位已反馈处理结果", "The responsible unit reports the work done."),
    EventType.CHECK_REQUESTED: ("已安排现场核查", "An on-site check is scheduled."),
    EventType.REWORKED: ("核查未通过，已要求重新处理", "The check failed; sent back for rework."),
    EventType.CANCELLED: CANCEL_NOTE,
}


def bilingual(note: tuple[str, str]) -> str:
    return f"{note[0]} / {note[1]}"


@dataclass(frozen=True, slots=True)
class RequestStatus:
    status: str  # open | closed
    detailed: str  # received | in_progress | closed_<outcome> | rejected_<reason> | cancelled
    notes: str


def request_status(case: Case) -> RequestStatus:
    state = case.state
    if state == CaseState.CLOSED:
        outcome = case.outcome if case.outcome in CLOSE_NOTES else "fixed"
        return RequestStatus(CLOSED, f"closed_{outcome}", bilingual(CLOSE_NOTES[outcome]))
    if state == CaseState.REJECTED:
        reason = case.outcome if case.outcome in REJECT_NOTES else "other"
        return RequestStatus(CLOSED, f"rejected_{reason}", bilingual(REJECT_NOTES[reason]))
    if state == CaseState.CANCELLED:
        return RequestStatus(CLOSED, "cancelled", bilingual(CANCEL_NOTE))
    if state in (CaseState.REPORTED, CaseState.VERIFYING):
        return RequestStatus(OPEN, "received", bilingual(RECEIVED_NOTE))
    return RequestStatus(OPEN, "in_progress", bilingual(IN_PROGRESS_NOTE))


def limit_words(handling_limit: str | None) -> tuple[str, str] | None:
    """``"4 working_hours"`` → ``("处置时限：4工作时", "time limit: 4 working hours")``."""
    if not handling_limit:
        return None
    try:
        limit = TimeLimit.parse(handling_limit)
    except CityopsError:
        return None
    value = int(limit.value) if float(limit.value).is_integer() else limit.value
    return (
        f"处置时限：{limit.label_zh()}",
        f"time limit: {value} {limit.unit.value.replace('_', ' ')}",
    )


def limit_notice(handling_limit: str | None) -> str | None:
    words = limit_words(handling_limit)
    return bilingual(words) if words else None


def update_note(
    kind: EventType, data: Mapping[str, Any], unit_name: str | None = None
) -> str | None:
    """The public description of one event of the timeline, or None if it is internal."""
    if kind == EventType.CLOSED:
        outcome = data.get("outcome")
        return bilingual(CLOSE_NOTES[outcome if outcome in CLOSE_NOTES else "fixed"])
    if kind == EventType.REJECTED:
        reason = data.get("reason_code")
        return bilingual(REJECT_NOTES[reason if reason in REJECT_NOTES else "other"])
    if kind == EventType.VERIFIED:
        if data.get("found") is False:
            return bilingual(("现场核实未发现该问题", "Not found on site."))
        return bilingual(("已现场核实", "Verified on site."))
    if kind == EventType.EXTENSION_DECIDED:
        if not data.get("approved"):
            return None
        return bilingual(("处置期限已延长", "The time limit was extended."))
    if kind == EventType.FILED:
        words = limit_words(data.get("handling_limit"))
        if words is None:
            return bilingual(STEP_NOTES[kind])
        return f"已受理立案，{words[0]} / Accepted and filed; {words[1]}."
    if kind == EventType.DISPATCHED and unit_name:
        return f"已交办处置单位：{unit_name} / Assigned to {unit_name}."
    note = STEP_NOTES.get(kind)
    return bilingual(note) if note else None
