"""Fixtures of the Open311 tests: a runtime over the test city of ``tests.fakes`` (with a
second filing condition for exposed garbage, so one service offers a choice of wording), an
API client, an issued key, and a walk of a case round the loop."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cityops.adapters.blobstore import BlobStore
from cityops.api.app import create_app
from cityops.config import Settings
from cityops.domain.cases.policy import CasePolicy
from cityops.domain.cases.vocabulary import CloseOutcome
from cityops.domain.catalog.model import CityProfile, FilingCondition, Urgency
from cityops.domain.clock.limits import LimitUnit, TimeLimit
from cityops.services import cases as svc
from cityops.services.cases import Upload
from cityops.services.open311.keys import IssuedKey, create_key
from cityops.services.runtime import Runtime
from tests.fakes import (
    ACCEPTOR,
    DISPATCHER,
    INSPECTOR,
    PNG,
    SHIFT_LEADER,
    STREET_HANDLER,
    T0,
    AlwaysWorking,
    SquareLocator,
    make_profile,
)

BIN_OVERFLOW = FilingCondition(
    "06010-02",
    "06010",
    "垃圾桶满溢，周边有散落垃圾",
    TimeLimit(1, LimitUnit.WORKING_DAYS),
    Urgency.NORMAL,
    "垃圾桶清运，周边无散落垃圾",
    "@street",
)


def open311_profile() -> CityProfile:
    p = make_profile()
    cls = replace(p.classes["06010"], aliases=("垃圾", "乱扔垃圾"))
    return replace(
        p,
        classes={**p.classes, "06010": cls},
        conditions={**p.conditions, BIN_OVERFLOW.code: BIN_OVERFLOW},
    )


class StepClock:
    def __init__(self, start: datetime = T0) -> None:
        self.t = start

    def __call__(self) -> datetime:
        return self.t

    def tick(self, minutes: float = 5) -> None:
        self.t += timedelta(minutes=minutes)


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def rt(engine: Engine, tmp_path: Path, clock: StepClock) -> Runtime:
    return Runtime(
        engine=engine,
        settings=Settings(var_dir=tmp_path),
        blobs=BlobStore(tmp_path / "blobs"),
        now=clock,
        policy_override=CasePolicy(open311_profile(), AlwaysWorking()),
        locator_override=SquareLocator(),
        inspector_for=lambda loc: "inspector-1",
    )


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(rt)) as c:
        yield c


@pytest.fixture
def issued(rt: Runtime) -> IssuedKey:
    return create_key(rt, "cityapp", "测试客户端")


def form(key: IssuedKey | None, **fields: Any) -> dict[str, Any]:
    """A valid POST requests form (exposed garbage at a point of street 370102001)."""
    base: dict[str, Any] = {
        "service_code": "06010",
        "lat": "36.605",
        "long": "117.005",
        "description": "路边有一堆暴露垃圾",
        "address_string": "解放路1号门前",
    }
    if key is not None:
        base["api_key"] = key.secret
    base.update(fields)
    return base


def walk_to_close(
    rt: Runtime,
    clock: StepClock,
    case_id: int,
    *,
    outcome: CloseOutcome = CloseOutcome.FIXED,
    condition: str = "06010-01",
) -> None:
    """Verify, file, dispatch, handle (with a result photo), send for a check and close."""
    for step in (
        lambda: svc.verify_case(rt, INSPECTOR, case_id, found=True),
        lambda: svc.file_case(
            rt, ACCEPTOR, case_id, class_code=condition[:5], condition_code=condition
        ),
        lambda: svc.dispatch_case(rt, DISPATCHER, case_id),
        lambda: svc.handle_case(
            rt,
            STREET_HANDLER,
            case_id,
            opinion="已清理，联系人13912345678",
            photos=[Upload(PNG, "after.png")],
        ),
        lambda: svc.request_check(rt, ACCEPTOR, case_id),
    ):
        clock.tick()
        step()
    clock.tick()
    if outcome == CloseOutcome.FIXED:
        svc.close_case(rt, INSPECTOR, case_id)
    else:
        svc.close_case(rt, SHIFT_LEADER, case_id, outcome=outcome, opinion="值班长决定")


def xml_items(content: bytes, root: str, item: str) -> list[dict[str, str | None]]:
    """The items of an Open311 XML list as dicts of their children's text."""
    doc = ET.fromstring(content)
    assert doc.tag == root
    return [{child.tag: child.text for child in element} for element in doc.findall(item)]


def xml_error(content: bytes) -> tuple[int, str]:
    doc = ET.fromstring(content)
    assert doc.tag == "errors"
    (error,) = doc.findall("error")
    return int(error.findtext("code") or 0), error.findtext("description") or ""
