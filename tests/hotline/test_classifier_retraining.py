"""The server's hourly retraining of the order classifier: a city with nothing to learn from
yet (no history, or one class only) is not an error; a first model is trained as soon as
there is a history to learn from; then only when enough corrections arrived (or the model is
old and orders were closed since)."""

from __future__ import annotations

from cityops.services.hotline import classification
from cityops.services.runtime import Runtime
from tests.integration.helpers import StepClock, file_and_close, report


def _closed_case(rt: Runtime, clock: StepClock, class_code: str, description: str) -> None:
    case = report(rt, class_code=class_code, description=description).case
    file_and_close(rt, clock, case.id, class_code)


def test_nothing_to_learn_from_is_no_error_and_a_first_model_follows_the_history(
    rt: Runtime, clock: StepClock
):
    assert classification.retrain_if_due(rt, "system.classifier") is None
    _closed_case(rt, clock, "06010", "路边有暴露垃圾")
    # one class only: still nothing a classifier could learn to tell apart
    assert classification.retrain_if_due(rt, "system.classifier") is None
    assert classification.models(rt) == []
    _closed_case(rt, clock, "07001", "电线杆上张贴小广告")
    trained = classification.retrain_if_due(rt, "system.classifier")
    assert trained is not None
    assert [m["active"] for m in classification.models(rt)] == [True]
    assert classification.retrain_if_due(rt, "system.classifier") is None  # not due again
