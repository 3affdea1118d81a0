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
from tests.fakes import INSPECTOR, JPEG, T0, SquareLocator, make_policy


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
