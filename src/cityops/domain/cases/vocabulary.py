"""The stable exchange vocabulary of the closed loop: states, event types, roles, channels.

These strings appear in the event log, in exports and in the API. They are never renamed;
``docs/exchange.md`` documents them for other platforms.
"""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    REPORTED = "reported"  # 已上报, awaiting filing
    VERIFYING = "verifying"  # 待核实 (public/hotline reports, checked on site first)
    REJECTED = "rejected"  # 不予立案 (terminal)
    FILED = "filed"  # 已立案, awaiting dispatch (also after a return)
    DISPATCHED = "dispatched"  # 已派遣, the unit's handling clock runs
    HANDLED = "handled"  # 已处置, awaiting a check
    CHECKING = "checking"  # 核查中
    CLOSED = "closed"  # 已结案 (terminal)
    CANCELLED = "cancelled"  # 已作废 (terminal)

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATES

    @property
    def label_zh(self) -> str:
        return STATE_LABELS_ZH[self]


TERMINAL_STATES = frozenset({CaseState.REJECTED, CaseState.CLOSED, CaseState.CANCELLED})
OPEN_STATES = frozenset(set(CaseState) - TERMINAL_STATES)

STATE_LABELS_ZH = {
    CaseState.REPORTED: "待立案",
    CaseState.VERIFYING: "待核实",
    CaseState.REJECTED: "不予立案",
    CaseState.FILED: "待派遣",
    CaseState.DISPATCHED: "处置中",
    CaseState.HANDLED: "待核查",
    CaseState.CHECKING: "核查中",
    CaseState.CLOSED: "已结案",
    CaseState.CANCELLED: "已作废",
}


class EventType(StrEnum):
    REPORTED = "reported"  # 上报
    VERIFIED = "verified"  # 核实
    REJECTED = "rejected"  # 不予立案
    FILED = "filed"  # 立案
    DISPATCHED = "dispatched"  # 派遣
    RETURNED = "returned"  # 回退
    EXTENSION_REQUESTED = "extension_requested"  # 申请延期
    EXTENSION_DECIDED = "extension_decided"  # 延期审批
    SUSPENDED = "suspended"  # 挂账
    RESUMED = "resumed"  # 恢复 (解除挂账)
    HANDLED = "handled"  # 处置反馈
    CHECK_REQUESTED = "check_requested"  # 派发核查
    REWORKED = "reworked"  # 返工
    CLOSED = "closed"  # 结案
    CANCELLED = "cancelled"  # 作废

    @property
    def label_zh(self) -> str:
        return EVENT_LABELS_ZH[self]


EVENT_LABELS_ZH = {
    EventType.REPORTED: "上报",
    EventType.VERIFIED: "核实",
    EventType.REJECTED: "不予立案",
    EventType.FILED: "立案",
    EventType.DISPATCHED: "派遣",
    EventType.RETURNED: "回退",
    EventType.EXTENSION_REQUESTED: "申请延期",
    EventType.EXTENSION_DECIDED: "延期审批",
    EventType.SUSPENDED: "挂账",
    EventType.RESUMED: "解除挂账",
    EventType.HANDLED: "处置反馈",
    EventType.CHECK_REQUESTED: "派发核查",
    EventType.REWORKED: "返工",
    EventType.CLOSED: "结案",
    EventType.CANCELLED: "作废",
}


class Role(StrEnum):
    INSPECTOR = "inspector"  # 监督员 / 网格员
    ACCEPTOR = "acceptor"  # 受理员
    SHIFT_LEADER = "shift_leader"  # 值班长
    DISPATCHER = "dispatcher"  # 派遣员
    HANDLER = "handler"  # 处置部门
    LEADER = "leader"  # 领导
    EVALUATOR = "evaluator"  # 考评
    PUBLIC = "public"  # 市民
    SYSTEM = "system"  # video AI, sensors, upper platforms
    ADMIN = "admin"  # 系统管理员 (accounts, profile); never acts on cases

    @property
    def label_zh(self) -> str:
        return ROLE_LABELS_ZH[self]


ROLE_LABELS_ZH = {
    Role.INSPECTOR: "监督员",
    Role.ACCEPTOR: "受理员",
    Role.SHIFT_LEADER: "值班长",
    Role.DISPATCHER: "派遣员",
    Role.HANDLER: "处置部门",
    Role.LEADER: "领导",
    Role.EVALUATOR: "考评员",
    Role.PUBLIC: "市民",
    Role.SYSTEM: "系统",
    Role.ADMIN: "系统管理员",
}


class Channel(StrEnum):
    INSPECTOR = "inspector"  # 监督员巡查上报
    HOTLINE = "hotline"  # 12345 政务服务便民热线
    PUBLIC = "public"  # 随手拍 / app / web
    VIDEO_AI = "video_ai"  # 视频智能识别
    SENSOR = "sensor"  # 物联感知
    LEADER = "leader"  # 领导交办
    MEDIA = "media"  # 媒体曝光
    UPPER_PLATFORM = "upper_platform"  # 上级平台转办

    @property
    def label_zh(self) -> str:
        return CHANNEL_LABELS_ZH[self]


CHANNEL_LABELS_ZH = {
    Channel.INSPECTOR: "监督员上报",
    Channel.HOTLINE: "12345热线",
    Channel.PUBLIC: "市民随手拍",
    Channel.VIDEO_AI: "视频智能识别",
    Channel.SENSOR: "物联感知",
    Channel.LEADER: "领导交办",
    Channel.MEDIA: "媒体曝光",
    Channel.UPPER_PLATFORM: "上级平台转办",
}


class Light(StrEnum):
    """Warning light of the stage clock (DOMAIN.md §3)."""

    GREEN = "green"  # < 80 % of the limit used
    YELLOW = "yellow"  # 80–100 %
    RED = "red"  # overdue
    NONE = "none"  # no running clock (terminal)


class RejectReason(StrEnum):
    DUPLICATE = "duplicate"  # 重复上报
    OUT_OF_SCOPE = "out_of_scope"  # 不属于受理范围
    NO_CONDITION = "no_condition"  # 不符合立案条件
    NOT_FOUND = "not_found"  # 核实不属实
    OTHER = "other"


class CloseOutcome(StrEnum):
    """Why a case was closed. Only ``fixed`` is shown to the public as "已解决"."""

    FIXED = "fixed"  # 已处置解决
    NO_LONGER_PRESENT = "no_longer_present"  # 问题已消失
    NOT_FIXABLE = "not_fixable"  # 暂不具备处置条件 (shift leader decision)
