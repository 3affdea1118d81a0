"""The city's rules as the state machine needs them: profile data plus its calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cityops.domain.cases.vocabulary import CaseState, Channel
from cityops.domain.catalog.model import AreaClass, CityProfile, FilingCondition, Stage, Urgency
from cityops.domain.clock.case_clock import YELLOW_FRACTION
from cityops.domain.clock.limits import LimitUnit, TimeLimit
from cityops.domain.clock.protocol import WorkingTime
from cityops.errors import ValidationError

# Used when a profile leaves a stage without a limit: generous, so a gap in the data never
# turns every case red; ``profile check`` warns about it.
FALLBACK_STAGE_LIMIT = TimeLimit(1, LimitUnit.WORKING_DAYS)

DEFAULT_VERIFICATION_CHANNELS = frozenset({Channel.PUBLIC, Channel.HOTLINE, Channel.MEDIA})


@dataclass(frozen=True)
class CasePolicy:
    profile: CityProfile
    calendar: WorkingTime
    verification_channels: frozenset[Channel] = DEFAULT_VERIFICATION_CHANNELS

    def needs_verification(self, channel: Channel) -> bool:
        return channel in self.verification_channels

    def stage_limit(self, stage: Stage, urgency: Urgency, area_class: AreaClass) -> TimeLimit:
        return stage_limit_in(self.profile, stage, urgency, area_class)

    def stage_times(
        self, stage: Stage, start: datetime, urgency: Urgency, area_class: AreaClass
    ) -> tuple[datetime, datetime]:
        """(yellow_at, deadline) of a stage starting at ``start``."""
        limit = self.stage_limit(stage, urgency, area_class)
        seconds = limit.seconds(self.calendar.day_seconds)
        working = limit.unit.is_working
        deadline = self.calendar.advance(start, seconds, working)
        yellow = self.calendar.advance(start, int(-(-YELLOW_FRACTION * seconds // 1)), working)
        return yellow, deadline

    def condition(self, condition_code: str, class_code: str | None = None) -> FilingCondition:
        cond = self.profile.conditions.get(condition_code)
        if cond is None:
            raise ValidationError(
                "case.condition_unknown",
                f"立案条件“{condition_code}”不存在",
                condition_code=condition_code,
            )
        if class_code is not None and cond.class_code != class_code:
            raise ValidationError(
                "case.condition_class_mismatch",
                f"立案条件“{condition_code}”不属于类别“{class_code}”",
                condition_code=condition_code,
                class_code=class_code,
            )
        return cond


def stage_limit_in(
    profile: CityProfile, stage: Stage, urgency: Urgency, area_class: AreaClass
) -> TimeLimit:
    """The limit of a stage in ``profile``, or the generous fallback where it has none."""
    return profile.stage_limit(stage, urgency, area_class) or FALLBACK_STAGE_LIMIT


def deadline_is_working(
    profile: CityProfile,
    state: str,
    stage: str | None,
    urgency: str,
    area_class: str,
    handling_working: bool | None,
) -> bool | None:
    """Whether the deadline a case shows counts working time (True) or natural time (False),
    which is what a countdown must follow: the handling clock's own unit while the case is
    dispatched, else the unit of its current stage's limit in ``profile``. None when the case
    has no deadline. Takes the stored values (a list row or a case)."""
    if state == CaseState.DISPATCHED.value:
        return handling_working
    if stage is None:
        return None
    try:
        key = (Stage(stage), Urgency(urgency), AreaClass(area_class))
    except ValueError:
        return None
    return stage_limit_in(profile, *key).unit.is_working
