"""The city's hotline rules as data: time limits and the thresholds of the negative list,
recurrence and the satisfaction rate.

Every city sets its own (a ``[hotline]`` document stored with ``cityops hotline policy set``);
the defaults follow common 12345 practice: sign for an order within 2 working hours (urgent
30 minutes), answer a consultation within 1 working day, fix a complaint or a request for
help within 5 working days (urgent 2 hours), a suggestion within 10, revisit within 2 working
days of the reply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from cityops.domain.catalog.model import Urgency
from cityops.domain.clock.limits import LimitUnit, TimeLimit
from cityops.domain.hotline.vocabulary import OrderKind, Satisfaction
from cityops.errors import ValidationError


def _limits(**kw: str) -> dict[str, TimeLimit]:
    return {k: TimeLimit.parse(v) for k, v in kw.items()}


SIGN_LIMIT = TimeLimit(2, LimitUnit.WORKING_HOURS)
URGENT_SIGN_LIMIT = TimeLimit(30, LimitUnit.MINUTES)
URGENT_HANDLING_LIMIT = TimeLimit(2, LimitUnit.HOURS)
REVISIT_LIMIT = TimeLimit(2, LimitUnit.WORKING_DAYS)
NOT_ACTED_GRACE = TimeLimit(1, LimitUnit.WORKING_DAYS)
DEFAULT_HANDLING = TimeLimit(5, LimitUnit.WORKING_DAYS)


@dataclass(frozen=True)
class HotlinePolicy:
    sign_limit: TimeLimit = SIGN_LIMIT
    urgent_sign_limit: TimeLimit = URGENT_SIGN_LIMIT
    # Handling limit by kind, counted from the dispatch to the unit.
    handling_limits: Mapping[str, TimeLimit] = field(
        default_factory=lambda: _limits(
            consult="1 working_days",
            help="5 working_days",
            complaint="5 working_days",
            report="5 working_days",
            suggestion="10 working_days",
            praise="5 working_days",
        )
    )
    urgent_handling_limit: TimeLimit = URGENT_HANDLING_LIMIT
    revisit_limit: TimeLimit = REVISIT_LIMIT
    # The answers that count as satisfied in 回访满意率.
    satisfied: frozenset[Satisfaction] = frozenset({Satisfaction.SATISFIED, Satisfaction.BASIC})
    # Unreached revisits after which the desk may close without an answer.
    max_revisit_attempts: int = 3
    # 应办不办: an order left unsigned this long past its sign-for deadline.
    not_acted_grace: TimeLimit = NOT_ACTED_GRACE
    # 推诿扯皮: this many returns, or this many units holding the order in turn.
    passed_around_returns: int = 2
    passed_around_units: int = 3
    # Repeated problems: the same matter at the same place within this many days.
    recurrence_days: int = 30
    recurrence_radius_m: float = 100.0
    recurrence_min_orders: int = 3
    # 回头看: a closed order counts as "come back" when a new order of the same matter at the
    # same place arrives within this many days of its closure.
    comeback_days: int = 30

    def sign_limit_for(self, urgency: Urgency) -> TimeLimit:
        return self.urgent_sign_limit if urgency == Urgency.URGENT else self.sign_limit

    def handling_limit_for(self, kind: OrderKind, urgency: Urgency) -> TimeLimit:
        if urgency == Urgency.URGENT:
            return self.urgent_handling_limit
        return self.handling_limits.get(kind.value) or DEFAULT_HANDLING

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, TimeLimit):
                out[f.name] = str(value)
            elif f.name == "handling_limits":
                out[f.name] = {k: str(v) for k, v in value.items()}
            elif f.name == "satisfied":
                out[f.name] = sorted(s.value for s in value)
            else:
                out[f.name] = value
        return out


_INTS = {
    "max_revisit_attempts",
    "passed_around_returns",
    "passed_around_units",
    "recurrence_days",
    "recurrence_min_orders",
    "comeback_days",
}


def policy_from_mapping(doc: Mapping[str, Any]) -> HotlinePolicy:
    """A policy from a document (TOML table or JSON); unknown keys and bad values are refused
    with every problem listed in ``details['problems']``."""
    base = HotlinePolicy()
    known = {f.name for f in fields(base)}
    changes: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in doc.items():
        if key not in known:
            problems.append(f"未知的设置项“{key}”")
            continue
        try:
            changes[key] = _parse_value(key, value)
        except ValidationError as exc:
            problems.append(f"{key}: {exc.message}")
    if problems:
        raise ValidationError(
            "hotline.policy_invalid", "热线规则设置有误：" + "；".join(problems), problems=problems
        )
    if "handling_limits" in changes:
        changes["handling_limits"] = {**base.handling_limits, **changes["handling_limits"]}
    return replace(base, **changes)


def _parse_value(key: str, value: Any) -> Any:
    if key == "handling_limits":
        if not isinstance(value, Mapping):
            raise ValidationError("hotline.policy_invalid", "应为“诉求类型 = 时限”的表")
        kinds = {k.value for k in OrderKind}
        out = {}
        for kind, text in value.items():
            if kind not in kinds:
                raise ValidationError("hotline.policy_invalid", f"未知的诉求类型“{kind}”")
            out[kind] = TimeLimit.parse(str(text))
        return out
    if key == "satisfied":
        try:
            return frozenset(Satisfaction(v) for v in value)
        except (TypeError, ValueError) as exc:
            raise ValidationError("hotline.policy_invalid", "满意度取值无效") from exc
    if key in _INTS:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValidationError("hotline.policy_invalid", "应为正整数")
        return value
    if key == "recurrence_radius_m":
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise ValidationError("hotline.policy_invalid", "应为正数")
        return float(value)
    return TimeLimit.parse(str(value))
