"""A real HTTP round trip: uvicorn on a free local port over a fresh SQLite database with the
济南 demo catalog, driven with httpx. A client gets a key from the command line, reads the
services, reports a missing manhole cover, follows it while the city works it round the loop,
and sees it closed as fixed with every step in the updates."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import pytest
import uvicorn
from sqlalchemy import select
from typer.testing import CliRunner

from cityops.adapters.db.engine import make_engine
from cityops.adapters.db.migrate import upgrade
from cityops.adapters.db.tables.cases import cases
from cityops.api.app import create_app
from cityops.cli.main import app as cli
from cityops.config import Settings, get_settings
from cityops.domain.cases.model import Actor
from cityops.domain.cases.vocabulary import Role
from cityops.services import cases as svc
from cityops.services.cases import Upload
from cityops.services.profile import demo_profile_path, install_profile
from cityops.services.runtime import Runtime, bootstrap
from tests.fakes import ACCEPTOR, DISPATCHER, INSPECTOR, PNG, SquareLocator

V2 = "/open311/v2"
WATER = Actor("handler-water", Role.HANDLER, "company.water", "供水抢修")


@pytest.fixture
def city(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    """A fresh deployment under ``tmp_path``: migrated SQLite, the demo profile, a small
    square of grids in 历下区 instead of the whole demo geography (faster)."""
    monkeypatch.delenv("CITYOPS_DATABASE_URL", raising=False)
    monkeypatch.setenv("CITYOPS_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    settings = Settings(var_dir=tmp_path)
    engine = make_engine(settings.resolved_database_url())
    upgrade(engine)
    install_profile(engine, demo_profile_path())
    rt = bootstrap(settings, engine=engine)
    rt.locator_override = SquareLocator()
    rt.inspector_for = lambda loc: "inspector-1"
    yield rt
    engine.dispose()
    get_settings.cache_clear()


@pytest.fixture
def server(city: Runtime) -> Iterator[str]:
    """uvicorn in a thread on a socket bound to a free port; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(city), log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    sock.close()


def test_a_citizen_report_goes_round_the_loop_over_http(city: Runtime, server: str):
    issued = CliRunner().invoke(cli, ["open311", "key", "create", "cityapp"])
    assert issued.exit_code == 0, issued.output
    api_key = issued.output.strip().splitlines()[-1]

    with httpx.Client(base_url=server + V2, timeout=20) as http:
        services = {s["service_code"]: s for s in http.get("/services.json").json()}
        assert services["01001"]["service_name"] == "供水井盖异常"
        assert services["01001"]["group"] == "市政公用设施类" and services["01001"]["metadata"]
        definition = ET.fromstring(http.get("/services/01001.xml").content)
        codes = [a.findtext("code") for a in definition.iterfind("attributes/attribute")]
        assert codes == ["condition", "urgent"]

        posted = http.post(
            "/requests.json",
            data={
                "api_key": api_key,
                "jurisdiction_id": "370100",
                "service_code": "01001",
                "lat": "36.605",
                "long": "117.005",
                "address_string": "解放路1号门前",
                "description": "人行道上井盖不见了，很危险",
                "attribute[condition]": "01001-01",
                "attribute[urgent]": "yes",
                "first_name": "三",
                "last_name": "张",
                "phone": "13812345678",
            },
        )
        assert posted.status_code == 200, posted.text
        (receipt,) = posted.json()
        rid, token = receipt["service_request_id"], receipt["token"]
        tokens = ET.fromstring(http.get(f"/tokens/{token}.xml").content)
        assert tokens.findtext("request/service_request_id") == rid

        (fresh,) = http.get(f"/requests/{rid}.json").json()
        assert (fresh["status"], fresh["detailed_status"]) == ("open", "received")
        assert fresh["agency_responsible"] == "济南市数字化城市管理监督指挥中心"

        with city.engine.connect() as conn:
            case_id = conn.execute(select(cases.c.id).where(cases.c.case_no == rid)).scalar_one()
        svc.verify_case(city, INSPECTOR, case_id, found=True)
        svc.file_case(city, ACCEPTOR, case_id, class_code="01001", condition_code="01001-01")
        svc.dispatch_case(city, DISPATCHER, case_id)  # routing: water supply company
        svc.handle_case(
            city, WATER, case_id, opinion="已补装井盖", photos=[Upload(PNG, "after.png")]
        )
        svc.request_check(city, ACCEPTOR, case_id)
        svc.close_case(city, INSPECTOR, case_id)

        (done,) = http.get(f"/requests/{rid}.json").json()
        assert done["status"] == "closed" and done["detailed_status"] == "closed_fixed"
        assert done["status_notes"].startswith("已办结（问题已解决）")
        assert done["agency_responsible"] == "济南水务集团有限公司"
        assert done["expected_datetime"] and done["service_notice"].startswith("处置时限：2小时")
        photo = http.get(done["media_url"])
        assert photo.status_code == 200 and photo.content == PNG

        updates = ET.fromstring(
            http.get("/servicerequestupdates.xml", params={"service_request_id": rid}).content
        )
        steps = [
            (u.findtext("status"), (u.findtext("description") or "").split(" / ")[0])
            for u in updates.iterfind("request_update")
        ]
        assert steps == [
            ("open", "已提交"),
            ("open", "已现场核实"),
            ("open", "已受理立案，处置时限：2小时"),
            ("open", "已交办处置单位：济南水务集团有限公司"),
            ("open", "处置单位已反馈处理结果"),
            ("open", "已安排现场核查"),
            ("closed", "已办结（问题已解决）"),
        ]
        listing = http.get("/requests.xml", params={"status": "closed"}).text
        assert rid in listing and "张" not in listing and "13812345678" not in listing
