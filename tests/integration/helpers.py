"""Helpers and fixtures shared by the service-level integration tests."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine

from cityops.adapters.blobstore import BlobStore
from cityops.config import Settings
from cityops.domain.cases.vocabulary import Channel
from cityops.services import cases as svc
from cityops.services.cases import ReportResult, Upload
from cityops.services.runtime import Runtime
from tests.fakes import (
    ACCEPTOR,
    DISPATCHER,
    INSPECTOR,
    JPEG,
    PNG,
    STREET_HANDLER,
    T0,
    SquareLocator,
    make_policy,
)


class StepClock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self):
        return self.t

    def tick(self, minutes: float = 5) -> None:
        self.t += timedelta(minutes=minutes)


def make_rt(engine: Engine, tmp_path: Path, clock: StepClock) -> Runtime:
    return Runtime(
        engine=engine,
        settings=Settings(var_dir=tmp_path),
        blobs=BlobStore(tmp_path / "blobs"),
        now=clock,
        policy_override=make_policy(),
        locator_override=SquareLocator(),
        inspector_for=lambda loc: f"inspector.{loc.street_code}",
    )


def report(rt: Runtime, **kw) -> ReportResult:
    args = {
        "channel": Channel.INSPECTOR,
        "description": "路边有暴露垃圾",
        "lon": 117.005,
        "lat": 36.605,
        "class_code": "06010",
        "photos": [Upload(JPEG, "before.jpg")],
    }
    args.update(kw)
    actor = args.pop("actor", INSPECTOR)
    return svc.report_case(rt, actor, **args)


def file_and_close(rt: Runtime, clock: StepClock, case_id: int, class_code: str = "06010") -> None:
    """A case waiting to be filed taken through filing (condition ``<class>-01``), dispatch to
    the street, handling, check and closure."""
    condition = f"{class_code}-01"
    svc.file_case(rt, ACCEPTOR, case_id, class_code=class_code, condition_code=condition)
    svc.dispatch_case(rt, DISPATCHER, case_id)
    clock.tick(60)
    svc.handle_case(rt, STREET_HANDLER, case_id, opinion="已清理", photos=[Upload(PNG)])
    svc.request_check(rt, ACCEPTOR, case_id)
    clock.tick(20)
    svc.close_case(rt, INSPECTOR, case_id)
