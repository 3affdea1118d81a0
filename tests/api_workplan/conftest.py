"""The task ledger's HTTP API over the demo city, on every configured backend.

Each test gets the ``engine`` fixture's empty database (SQLite and PostgreSQL + PostGIS) with
the 济南 demo profile and the demo accounts, an app over it whose clock stands at
2025-07-10 10:00 city time, and logged-in clients for a cast of personas. Plans are imported
over HTTP from the real plans in ``tests/fixtures/workplans``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from cityops.api.app import create_app
from cityops.config import Settings
from cityops.domain.cases.vocabulary import Role
from cityops.services import accounts
from cityops.services.profile import demo_profile_path, install_profile
from cityops.services.runtime import Runtime, bootstrap

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "workplans"
JINING = next(FIXTURES.glob("000_*.txt"))  # the one plan that names units per task
PLANS = sorted(FIXTURES.glob("0*.txt"))
NOW = datetime(2025, 7, 10, 2, 0, tzinfo=UTC)  # 10:00 in 济南, July 2025
PASSWORD = accounts.DEMO_PASSWORD
# The cheapest argon2 parameters: logins at production cost take about a second each.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

# Jining's offices matched to units of the demo city: what a bureau uploads with its plan.
UNITS_CSV = """code,name,aliases
dept.sanitation,济南市环境卫生服务中心,环卫管理科;市环境卫生管理服务中心
dept.enforcement,济南市城市管理综合行政执法支队,市城市管理综合执法支队;市容管理科
dept.roads,济南市市政工程服务中心,市政设施科
dept.greening,济南市园林和林业绿化局,园林绿化科;市市政园林养护中心
district.370102,历下区城市管理局,各区市政主管部门
""".encode()

# A small plan naming units of the demo city by their own names (a street, a district).
STREET_PLAN = "\n".join(
    [
        "济南市城市管理局",
        "2025年背街小巷整治工作要点",
        "一、环境整治",
        "1. 整治背街小巷。9月底前完成10条背街小巷整治。（牵头单位：解放路街道办事处）",
        "2. 规范占道经营。年底前设置3处便民摊点群。（牵头单位：历下区城市管理局；"
        "责任单位：千佛山街道办事处）",
    ]
).encode()

PERSONAS = {
    "leader": "leader.1",
    "evaluator": "evaluator.1",
    "admin": "admin",
    "sanitation": "handler.dept.sanitation",
    "enforcement": "handler.dept.enforcement",
    "district": "handler.district.370102",
    "street": "handler.street.370102001",
    "acceptor": "acceptor.1",
    "shift_leader": "shift_leader.1",
    "dispatcher": "dispatcher.1",
    "inspector": "inspector.workplan",
    "citizen": "citizen.demo",
    "system": "system.sensor",
}


@dataclass
class City:
    engine: Engine
    rt: Runtime
    client: TestClient
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def call(self, persona: str | None, method: str, path: str, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}) or {})
        if persona is not None:
            headers.update(self.headers[persona])
        return self.client.request(method, "/api/v1/workplans" + path, headers=headers, **kw)

    def get(self, persona: str | None, path: str, **kw: Any) -> Any:
        return self.call(persona, "GET", path, **kw)

    def post(self, persona: str | None, path: str, **kw: Any) -> Any:
        return self.call(persona, "POST", path, **kw)

    def put(self, persona: str | None, path: str, **kw: Any) -> Any:
        return self.call(persona, "PUT", path, **kw)

    def import_plan(
        self, name: str, content: bytes, units: bytes | None = None, persona: str = "evaluator"
    ) -> dict[str, Any]:
        files: dict[str, tuple[str, bytes]] = {"file": (name, content)}
        if units is not None:
            files["units"] = ("units.csv", units)
        r = self.post(persona, "", files=files)
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    def import_jining(self) -> int:
        return int(self.import_plan(JINING.name, JINING.read_bytes(), UNITS_CSV)["plan"]["id"])

    def import_streets(self) -> int:
        return int(self.import_plan("streets.txt", STREET_PLAN)["plan"]["id"])

    def tasks(self, plan_id: int, persona: str = "evaluator", **params: Any) -> list[Any]:
        r = self.get(persona, f"/{plan_id}", params=params)
        assert r.status_code == 200, r.text
        items: list[Any] = r.json()["items"]
        return items

    def task_numbered(self, plan_id: int, number: int) -> dict[str, Any]:
        task: dict[str, Any] = next(t for t in self.tasks(plan_id) if t["number"] == number)
        return task


def saved_name(response: Any) -> str:
    """The UTF-8 file name a browser saves a download under (RFC 6266 ``filename*``)."""
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;"), disposition
    match = re.search(r"filename\*=UTF-8''([^;]+)", disposition)
    assert match is not None, disposition
    return unquote(match.group(1))


@pytest.fixture(scope="session")
def apps() -> dict[str, FastAPI]:
    """One app per session: FastAPI builds every route's models on the first request an app
    serves (about a second), so the tests share an app and point it at their own runtime."""
    return {}


@pytest.fixture
def city(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: dict[str, FastAPI]
) -> Iterator[City]:
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)
    install_profile(engine, demo_profile_path())
    rt = bootstrap(Settings(var_dir=tmp_path), engine=engine, now=lambda: NOW)
    accounts.install_demo_accounts(rt)
    accounts.create_user(
        rt, PERSONAS["inspector"], name="监督员", role=Role.INSPECTOR, password=PASSWORD
    )
    app = apps.get("app")
    if app is None:
        app = apps["app"] = create_app(rt)
    app.state.rt = rt
    with TestClient(app) as client:
        c = City(engine, rt, client)
        for persona, login in PERSONAS.items():
            r = client.post("/api/v1/auth/token", data={"username": login, "password": PASSWORD})
            assert r.status_code == 200, (persona, r.text)
            c.headers[persona] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        yield c
