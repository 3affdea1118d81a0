"""The server's hourly retraining of the order classifier: a city with nothing to learn from
yet (no history, or one class only) is not an error; a first model is trained as soon as
there is a history to learn from; then only when enough corrections arrived (or the model is
old and orders were closed since)."""

from __future__ import annotations

from cityops.services import cases as case_svc
from cityops.services.cases import Upload
from cityops.services.hotline import classification
from cityops.services.runtime import Runtime
from tests.fakes import ACCEPTOR, DISPATCHER, INSPECTOR, PNG, STREET_HANDLER
from tests.integration.helpers import StepClock, report


def _closed_case(rt: Runtime, clock: StepClock, class_code: str, description: str) -> None:
    case_id = report(rt, class_code=class_code, description=description).case.id
    condition = f"{class_code}-01"
    case_svc.file_case(rt, ACCEPTOR, case_id, class_code=class_code, condition_code=condition)
    case_svc.dispatch_case(rt, DISPATCHER, case_id)
    clock.tick(60)
    case_svc.handle_case(rt, STREET_HANDLER, case_id, opinion="已清理", photos=[Upload(PNG)])
    case_svc.request_check(rt, ACCEPTOR, case_id)
    clock.tick(20)
    case_svc.close_case(rt, INSPECTOR, case_id)


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
