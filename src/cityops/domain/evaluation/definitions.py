"""What is counted and what is computed from the counts (DOMAIN.md §6).

The precise rules — which events count, in which period, for which object — are written
in ``docs/evaluation.md`` and implemented twice: by the SQL engine
(``services.evaluation.engine``) and by the pure-Python reference (``reference``). Both produce
the same ``Counts``; every rate, score and ranking is computed from them here, once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from cityops.domain.cases.vocabulary import CaseState, Channel


class ObjectKind(StrEnum):
    CITY = "city"  # 全市
    DISTRICT = "district"  # 区县
    STREET = "street"  # 街道
    COMMUNITY = "community"  # 社区
    GRID = "grid"  # 单元网格
    DEPARTMENT = "department"  # 处置单位 (by unit code)
    INSPECTOR = "inspector"  # 监督员 (by actor id)
    ACCEPTOR = "acceptor"  # 受理员
    SHIFT_LEADER = "shift_leader"  # 值班长
    DISPATCHER = "dispatcher"  # 派遣员

    @property
    def label_zh(self) -> str:
        return OBJECT_LABELS_ZH[self]

    @property
    def is_region(self) -> bool:
        return self in REGION_KINDS

    @property
    def is_post(self) -> bool:
        return self in POST_KINDS


OBJECT_LABELS_ZH = {
    ObjectKind.CITY: "全市",
    ObjectKind.DISTRICT: "区县",
    ObjectKind.STREET: "街道",
    ObjectKind.COMMUNITY: "社区",
    ObjectKind.GRID: "单元网格",
    ObjectKind.DEPARTMENT: "处置单位",
    ObjectKind.INSPECTOR: "监督员",
    ObjectKind.ACCEPTOR: "受理员",
    ObjectKind.SHIFT_LEADER: "值班长",
    ObjectKind.DISPATCHER: "派遣员",
}
REGION_KINDS = (
    ObjectKind.CITY,
    ObjectKind.DISTRICT,
    ObjectKind.STREET,
    ObjectKind.COMMUNITY,
    ObjectKind.GRID,
)
POST_KINDS = (
    ObjectKind.INSPECTOR,
    ObjectKind.ACCEPTOR,
    ObjectKind.SHIFT_LEADER,
    ObjectKind.DISPATCHER,
)
POST_ROLES = {k.value: k for k in POST_KINDS}  # event role → post kind
CITY_CODE = "*"

# Channels whose reports come from outside the supervision centre (the public, the hotline,
# the media): 监督举报, and in an inspector's grids 漏报.
EXTERNAL_CHANNELS = frozenset({Channel.PUBLIC.value, Channel.HOTLINE.value, Channel.MEDIA.value})
# States in which the responsible unit has reported the problem fixed.
HANDLED_STATES = frozenset(
    {CaseState.HANDLED.value, CaseState.CHECKING.value, CaseState.CLOSED.value}
)
# Events whose data carries the handling clock (``data['handling']``).
CLOCK_EVENTS = frozenset(
    {"dispatched", "extension_decided", "suspended", "resumed", "handled", "reworked"}
)
# Events whose data records whether their stage was completed in time (``data['on_time']``).
TIMED_EVENTS = frozenset(
    {
        "verified",
        "rejected",
        "filed",
        "dispatched",
        "handled",
        "check_requested",
        "reworked",
        "closed",
    }
)


class Count(StrEnum):
    """The counts of one object in one period. Labels are the bulletin's column names."""

    REPORTED = "reported"  # 上报数
    REPORTED_VALID = "reported_valid"  # 有效上报数
    REPORTED_PUBLIC = "reported_public"  # 监督举报数
    FILED = "filed"  # 立案数
    FILED_ON_TIME = "filed_on_time"  # 按时立案数
    FILED_PUBLIC = "filed_public"  # 立案数中市民/热线/媒体上报的
    FILED_CANCELLED = "filed_cancelled"  # 作废数
    DISPATCH_DUE = "dispatch_due"  # 应派遣数
    DISPATCHED = "dispatched"  # 派遣数
    DISPATCHED_ON_TIME = "dispatched_on_time"  # 按时派遣数
    DISPATCHED_WRONG = "dispatched_wrong"  # 错派数 (回退)
    RECEIVED = "received"  # 派遣到单位的案件数 (单位的立案数)
    HANDLING_DUE = "handling_due"  # 应处置数
    HANDLED = "handled"  # 处置数
    HANDLED_ON_TIME = "handled_on_time"  # 按期处置数
    EXTENDED = "extended"  # 延期数
    OVERDUE = "overdue"  # 超期待处置数
    CLOSURE_DUE = "closure_due"  # 应结案数
    CLOSED = "closed"  # 结案数
    CLOSED_ON_TIME = "closed_on_time"  # 按期结案数
    REWORKED = "reworked"  # 返工数
    VERIFIED = "verified"  # 核实数
    VERIFIED_ON_TIME = "verified_on_time"  # 按时核实数
    CHECKED = "checked"  # 核查数 (结案或返工)
    CHECKED_ON_TIME = "checked_on_time"  # 按时核查数
    ACCEPTED = "accepted"  # 受理数 (立案或不予立案)
    ACCEPTED_ON_TIME = "accepted_on_time"  # 按时受理数
    CHECK_SENT = "check_sent"  # 核查派发数
    CHECK_SENT_ON_TIME = "check_sent_on_time"  # 按时核查派发数
    CLOSE_STEPS = "close_steps"  # 结案操作数
    CLOSE_STEPS_ON_TIME = "close_steps_on_time"  # 按时结案操作数
    GRID_FILED = "grid_filed"  # 所辖网格立案数
    MISSED = "missed"  # 漏报数 (所辖网格内市民/热线/媒体首报并立案的)

    @property
    def label_zh(self) -> str:
        return COUNT_LABELS_ZH[self]


COUNT_LABELS_ZH = {
    Count.REPORTED: "上报数",
    Count.REPORTED_VALID: "有效上报数",
    Count.REPORTED_PUBLIC: "监督举报数",
    Count.FILED: "立案数",
    Count.FILED_ON_TIME: "按时立案数",
    Count.FILED_PUBLIC: "公众举报立案数",
    Count.FILED_CANCELLED: "作废数",
    Count.DISPATCH_DUE: "应派遣数",
    Count.DISPATCHED: "派遣数",
    Count.DISPATCHED_ON_TIME: "按时派遣数",
    Count.DISPATCHED_WRONG: "错派数",
    Count.RECEIVED: "接收派遣数",
    Count.HANDLING_DUE: "应处置数",
    Count.HANDLED: "处置数",
    Count.HANDLED_ON_TIME: "按期处置数",
    Count.EXTENDED: "延期数",
    Count.OVERDUE: "超期待处置数",
    Count.CLOSURE_DUE: "应结案数",
    Count.CLOSED: "结案数",
    Count.CLOSED_ON_TIME: "按期结案数",
    Count.REWORKED: "返工数",
    Count.VERIFIED: "核实数",
    Count.VERIFIED_ON_TIME: "按时核实数",
    Count.CHECKED: "核查数",
    Count.CHECKED_ON_TIME: "按时核查数",
    Count.ACCEPTED: "受理数",
    Count.ACCEPTED_ON_TIME: "按时受理数",
    Count.CHECK_SENT: "核查派发数",
    Count.CHECK_SENT_ON_TIME: "按时核查派发数",
    Count.CLOSE_STEPS: "结案操作数",
    Count.CLOSE_STEPS_ON_TIME: "按时结案操作数",
    Count.GRID_FILED: "所辖网格立案数",
    Count.MISSED: "漏报数",
}

# Which counts each kind of object has (the others stay zero and are not shown).
_CASE_COUNTS = (
    Count.REPORTED,
    Count.REPORTED_VALID,
    Count.REPORTED_PUBLIC,
    Count.FILED,
    Count.FILED_ON_TIME,
    Count.FILED_PUBLIC,
    Count.FILED_CANCELLED,
    Count.DISPATCH_DUE,
    Count.DISPATCHED,
    Count.DISPATCHED_ON_TIME,
    Count.DISPATCHED_WRONG,
    Count.RECEIVED,
    Count.HANDLING_DUE,
    Count.HANDLED,
    Count.HANDLED_ON_TIME,
    Count.EXTENDED,
    Count.OVERDUE,
    Count.CLOSURE_DUE,
    Count.CLOSED,
    Count.CLOSED_ON_TIME,
    Count.REWORKED,
)
_UNIT_COUNTS = (
    Count.RECEIVED,
    Count.HANDLING_DUE,
    Count.HANDLED,
    Count.HANDLED_ON_TIME,
    Count.EXTENDED,
    Count.OVERDUE,
    Count.CLOSURE_DUE,
    Count.CLOSED,
    Count.CLOSED_ON_TIME,
    Count.REWORKED,
)
_POST_COUNTS = (
    Count.REPORTED,
    Count.REPORTED_VALID,
    Count.VERIFIED,
    Count.VERIFIED_ON_TIME,
    Count.ACCEPTED,
    Count.ACCEPTED_ON_TIME,
    Count.FILED,
    Count.FILED_ON_TIME,
    Count.FILED_CANCELLED,
    Count.DISPATCH_DUE,
    Count.DISPATCHED,
    Count.DISPATCHED_ON_TIME,
    Count.DISPATCHED_WRONG,
    Count.CHECK_SENT,
    Count.CHECK_SENT_ON_TIME,
    Count.CHECKED,
    Count.CHECKED_ON_TIME,
    Count.CLOSE_STEPS,
    Count.CLOSE_STEPS_ON_TIME,
)
COUNTS_OF: dict[ObjectKind, tuple[Count, ...]] = {
    **{k: _CASE_COUNTS for k in REGION_KINDS},
    ObjectKind.DEPARTMENT: _UNIT_COUNTS,
    ObjectKind.INSPECTOR: (*_POST_COUNTS, Count.GRID_FILED, Count.MISSED),
    ObjectKind.ACCEPTOR: _POST_COUNTS,
    ObjectKind.SHIFT_LEADER: _POST_COUNTS,
    ObjectKind.DISPATCHER: _POST_COUNTS,
}

ObjectKey = tuple[ObjectKind, str]  # (kind, code): a region code, unit code or actor id
Counts = dict[ObjectKey, Counter[str]]


@dataclass(frozen=True, slots=True)
class Rate:
    """A rate in percent: numerator / denominator × 100, None when the denominator is 0."""

    key: str
    label_zh: str
    numerator: Callable[[Mapping[str, int]], int]
    denominator: Count
    against: bool = False  # a higher rate is worse (漏报率, 监督举报率, 返工率, …)

    def value(self, counts: Mapping[str, int]) -> float | None:
        den = counts.get(self.denominator, 0)
        if not den:
            return None
        return 100.0 * self.numerator(counts) / den


def _c(count: Count) -> Callable[[Mapping[str, int]], int]:
    return lambda c: int(c.get(count, 0))


def _minus(a: Count, b: Count) -> Callable[[Mapping[str, int]], int]:
    return lambda c: int(c.get(a, 0)) - int(c.get(b, 0))


RATES: dict[str, Rate] = {
    r.key: r
    for r in (
        Rate("valid_report_rate", "有效上报率", _c(Count.REPORTED_VALID), Count.REPORTED),
        Rate(
            "public_report_rate",
            "监督举报率",
            _c(Count.REPORTED_PUBLIC),
            Count.REPORTED,
            against=True,
        ),
        Rate("on_time_filing_rate", "按时立案率", _c(Count.FILED_ON_TIME), Count.FILED),
        Rate(
            "accurate_filing_rate",
            "准确立案率",
            _minus(Count.FILED, Count.FILED_CANCELLED),
            Count.FILED,
        ),
        Rate(
            "on_time_dispatch_rate", "按时派遣率", _c(Count.DISPATCHED_ON_TIME), Count.DISPATCH_DUE
        ),
        Rate(
            "accurate_dispatch_rate",
            "准确派遣率",
            _minus(Count.DISPATCHED, Count.DISPATCHED_WRONG),
            Count.DISPATCH_DUE,
        ),
        Rate("handling_rate", "处置率", _c(Count.HANDLED), Count.HANDLING_DUE),
        Rate("on_time_handling_rate", "按期处置率", _c(Count.HANDLED_ON_TIME), Count.HANDLING_DUE),
        Rate("extension_rate", "延期率", _c(Count.EXTENDED), Count.HANDLING_DUE, against=True),
        Rate("overdue_rate", "超期待处置率", _c(Count.OVERDUE), Count.HANDLING_DUE, against=True),
        Rate("closure_rate", "结案率", _c(Count.CLOSED), Count.CLOSURE_DUE),
        Rate("on_time_closure_rate", "按期结案率", _c(Count.CLOSED_ON_TIME), Count.CLOSURE_DUE),
        Rate("rework_rate", "返工率", _c(Count.REWORKED), Count.CLOSURE_DUE, against=True),
        Rate("on_time_verify_rate", "按时核实率", _c(Count.VERIFIED_ON_TIME), Count.VERIFIED),
        Rate("on_time_check_rate", "按时核查率", _c(Count.CHECKED_ON_TIME), Count.CHECKED),
        Rate("missed_report_rate", "漏报率", _c(Count.MISSED), Count.GRID_FILED, against=True),
        Rate("on_time_accept_rate", "按时受理率", _c(Count.ACCEPTED_ON_TIME), Count.ACCEPTED),
        Rate(
            "on_time_check_sent_rate",
            "核查按时派发率",
            _c(Count.CHECK_SENT_ON_TIME),
            Count.CHECK_SENT,
        ),
        Rate(
            "on_time_close_step_rate",
            "按时结案率",
            _c(Count.CLOSE_STEPS_ON_TIME),
            Count.CLOSE_STEPS,
        ),
    )
}

_REGION_RATES = (
    "valid_report_rate",
    "public_report_rate",
    "on_time_filing_rate",
    "accurate_filing_rate",
    "on_time_dispatch_rate",
    "accurate_dispatch_rate",
    "handling_rate",
    "on_time_handling_rate",
    "extension_rate",
    "overdue_rate",
    "closure_rate",
    "on_time_closure_rate",
    "rework_rate",
)
_UNIT_RATES = (
    "handling_rate",
    "on_time_handling_rate",
    "extension_rate",
    "overdue_rate",
    "closure_rate",
    "on_time_closure_rate",
    "rework_rate",
)
RATES_OF: dict[ObjectKind, tuple[str, ...]] = {
    **{k: _REGION_RATES for k in REGION_KINDS},
    ObjectKind.DEPARTMENT: _UNIT_RATES,
    ObjectKind.INSPECTOR: (
        "valid_report_rate",
        "missed_report_rate",
        "on_time_verify_rate",
        "on_time_check_rate",
    ),
    ObjectKind.ACCEPTOR: ("on_time_accept_rate", "on_time_check_sent_rate", "on_time_filing_rate"),
    ObjectKind.SHIFT_LEADER: (
        "on_time_filing_rate",
        "accurate_filing_rate",
        "on_time_close_step_rate",
    ),
    ObjectKind.DISPATCHER: ("on_time_dispatch_rate", "accurate_dispatch_rate"),
}


def rates(kind: ObjectKind, counts: Mapping[str, int]) -> dict[str, float | None]:
    return {key: RATES[key].value(counts) for key in RATES_OF[kind]}


def empty_counts() -> Counter[str]:
    return Counter()


def normalized(counts: Counts) -> dict[tuple[str, str], dict[str, int]]:
    """Counts without zeros and without empty objects (to compare two implementations)."""
    out: dict[tuple[str, str], dict[str, int]] = {}
    for (kind, code), c in counts.items():
        kept = {str(k): int(v) for k, v in c.items() if v}
        if kept:
            out[(str(kind), code)] = kept
    return out
