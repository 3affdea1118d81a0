"""The stable vocabulary of hotline work orders: states, event types, kinds, channels and the
results of a revisit. These strings are stored in the order event log and shown by the API;
they are never renamed."""

from __future__ import annotations

from enum import StrEnum


class OrderState(StrEnum):
    RECEIVED = "received"  # 已受理，待派单 (also after a return, or a reopen without a unit)
    DISPATCHED = "dispatched"  # 已派单，待签收 (the sign-for clock runs)
    SIGNED = "signed"  # 已签收，办理中 (the handling clock runs since the dispatch)
    IN_CASE = "in_case"  # 已转案卷，随数字城管闭环办理
    REPLIED = "replied"  # 已答复，待回访
    REVISITED = "revisited"  # 已回访，待办结或重办
    CLOSED = "closed"  # 已办结 (may still be reopened or re-examined)
    VOIDED = "voided"  # 已作废 (invalid, duplicate; terminal)

    @property
    def label_zh(self) -> str:
        return STATE_LABELS_ZH[self]


STATE_LABELS_ZH = {
    OrderState.RECEIVED: "待派单",
    OrderState.DISPATCHED: "待签收",
    OrderState.SIGNED: "办理中",
    OrderState.IN_CASE: "转案卷办理",
    OrderState.REPLIED: "待回访",
    OrderState.REVISITED: "待办结",
    OrderState.CLOSED: "已办结",
    OrderState.VOIDED: "已作废",
}

# States in which the order is still being worked on (not replied yet).
WORKING_STATES = frozenset(
    {OrderState.RECEIVED, OrderState.DISPATCHED, OrderState.SIGNED, OrderState.IN_CASE}
)
OPEN_STATES = frozenset(set(OrderState) - {OrderState.CLOSED, OrderState.VOIDED})


class OrderEventType(StrEnum):
    RECEIVED = "received"  # 受理
    CLASSIFIED = "classified"  # 分类 (the dispatcher's class, possibly correcting a suggestion)
    DISPATCHED = "dispatched"  # 派单 / 转办 (a dispatch while a unit holds it is a transfer)
    SIGNED = "signed"  # 签收
    RETURNED = "returned"  # 退回 (the unit says it is not responsible)
    PROGRESSED = "progressed"  # 办理过程记录
    EXTENSION_REQUESTED = "extension_requested"  # 申请延期
    EXTENSION_DECIDED = "extension_decided"  # 延期审批
    REPLIED = "replied"  # 答复 (the unit's result, told to the caller)
    CASE_OPENED = "case_opened"  # 转案卷 (a city-management matter goes into the loop)
    CASE_CONCLUDED = "case_concluded"  # 案卷办结 (the order's reply follows the case's outcome)
    REVISITED = "revisited"  # 回访
    CLOSED = "closed"  # 办结
    REOPENED = "reopened"  # 重办
    REEXAMINED = "reexamined"  # 回头看
    VOIDED = "voided"  # 作废

    @property
    def label_zh(self) -> str:
        return EVENT_LABELS_ZH[self]


EVENT_LABELS_ZH = {
    OrderEventType.RECEIVED: "受理",
    OrderEventType.CLASSIFIED: "分类",
    OrderEventType.DISPATCHED: "派单",
    OrderEventType.SIGNED: "签收",
    OrderEventType.RETURNED: "退回",
    OrderEventType.PROGRESSED: "办理过程",
    OrderEventType.EXTENSION_REQUESTED: "申请延期",
    OrderEventType.EXTENSION_DECIDED: "延期审批",
    OrderEventType.REPLIED: "答复",
    OrderEventType.CASE_OPENED: "转案卷",
    OrderEventType.CASE_CONCLUDED: "案卷办结",
    OrderEventType.REVISITED: "回访",
    OrderEventType.CLOSED: "办结",
    OrderEventType.REOPENED: "重办",
    OrderEventType.REEXAMINED: "回头看",
    OrderEventType.VOIDED: "作废",
}


class OrderKind(StrEnum):
    """诉求类型: what the caller wants; the kind chooses the handling limit."""

    CONSULT = "consult"  # 咨询
    HELP = "help"  # 求助
    COMPLAINT = "complaint"  # 投诉
    REPORT = "report"  # 举报
    SUGGESTION = "suggestion"  # 建议
    PRAISE = "praise"  # 表扬

    @property
    def label_zh(self) -> str:
        return KIND_LABELS_ZH[self]


KIND_LABELS_ZH = {
    OrderKind.CONSULT: "咨询",
    OrderKind.HELP: "求助",
    OrderKind.COMPLAINT: "投诉",
    OrderKind.REPORT: "举报",
    OrderKind.SUGGESTION: "建议",
    OrderKind.PRAISE: "表扬",
}


class OrderChannel(StrEnum):
    """How the citizen reached the hotline."""

    PHONE = "phone"  # 电话
    WEB = "web"  # 网站
    APP = "app"  # 手机客户端
    WECHAT = "wechat"  # 微信
    SMS = "sms"  # 短信
    MAILBOX = "mailbox"  # 市长信箱
    TRANSFER = "transfer"  # 上级或其他平台转来

    @property
    def label_zh(self) -> str:
        return CHANNEL_LABELS_ZH[self]


CHANNEL_LABELS_ZH = {
    OrderChannel.PHONE: "电话",
    OrderChannel.WEB: "网站",
    OrderChannel.APP: "手机客户端",
    OrderChannel.WECHAT: "微信",
    OrderChannel.SMS: "短信",
    OrderChannel.MAILBOX: "市长信箱",
    OrderChannel.TRANSFER: "平台转办",
}


class Satisfaction(StrEnum):
    """The caller's answer at the revisit (回访)."""

    SATISFIED = "satisfied"  # 满意
    BASIC = "basically_satisfied"  # 基本满意
    UNSATISFIED = "unsatisfied"  # 不满意
    UNREACHED = "unreached"  # 未接通 / 拒绝回访: no answer counted

    @property
    def reached(self) -> bool:
        return self != Satisfaction.UNREACHED

    @property
    def label_zh(self) -> str:
        return SATISFACTION_LABELS_ZH[self]


SATISFACTION_LABELS_ZH = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASIC: "基本满意",
    Satisfaction.UNSATISFIED: "不满意",
    Satisfaction.UNREACHED: "未接通",
}


class ReopenReason(StrEnum):
    UNSATISFIED = "unsatisfied"  # 回访不满意
    RECURRED = "recurred"  # 问题反弹 (the caller or another says it is back)
    REEXAMINATION = "reexamination"  # 回头看 found it unresolved
    OTHER = "other"


class ReexamFinding(StrEnum):
    """The result of a re-examination (回头看) of a closed order."""

    RESOLVED = "resolved"  # 经回头看，问题已解决
    UNRESOLVED = "unresolved"  # 问题仍未解决 (to be reopened)
    UNREASONABLE = "unreasonable"  # 诉求不合理或超出政策，已做解释


class NegativeKind(StrEnum):
    """The negative list (负面清单) of DOMAIN.md §7."""

    NOT_ACTED = "not_acted"  # 应办不办
    PASSED_AROUND = "passed_around"  # 推诿扯皮
    OVERDUE = "overdue"  # 超期办理

    @property
    def label_zh(self) -> str:
        return NEGATIVE_LABELS_ZH[self]


NEGATIVE_LABELS_ZH = {
    NegativeKind.NOT_ACTED: "应办不办",
    NegativeKind.PASSED_AROUND: "推诿扯皮",
    NegativeKind.OVERDUE: "超期办理",
}
