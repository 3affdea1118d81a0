"""The demo city behind the HTTP API, on every configured backend.

A migrated database with the 济南 demo profile, the generated demo geography and the demo
accounts is built once per test session and backend, with the app over it and logged-in
clients for a cast of personas (two inspectors of different communities, desk roles,
handlers of two streets and of the first street's district, two citizens, a machine reporter,
a district-scoped acceptor, an administrator). Cases are prepared through the service layer
(fast); the tests themselves speak HTTP with real logins.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import shapely
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, and_, select, text
from sqlalchemy.engine import make_url

from cityops.adapters.db.engine import make_engine
from cityops.adapters.db.migrate import upgrade
from cityops.adapters.db.tables import geography as geo_tables
from cityops.adapters.db.tables.accounts import access_denials
from cityops.api.app import create_app
from cityops.api.presenters import actor_of
from cityops.config import Settings
from cityops.domain.cases.model import Actor, Case
from cityops.domain.cases.vocabulary import Channel, Role
from cityops.domain.clock.limits import LimitUnit, TimeLimit
from cityops.services import accounts
from cityops.services import cases as svc
from cityops.services.cases import Upload
from cityops.services.geography import install_demo_geography
from cityops.services.profile import demo_profile_path, install_profile
from cityops.services.runtime import Runtime, bootstrap
from tests.conftest import PG_HINT, _backends, _pg_admin_url
from tests.fakes import JPEG, PNG

PASSWORD = accounts.DEMO_PASSWORD
# Password hashing at the production cost takes about a second per login on a busy test
# machine; the tests hash with the cheapest argon2 parameters instead (like Django's tests).
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
DISTRICT_A, STREET_A, COMMUNITY_A = "370102", "370102001", "370102001001"
CLASS, CONDITION = "06010", "06010-01"  # 暴露垃圾, routed to the street of the place


@dataclass(frozen=True)
class Place:
    lon: float
    lat: float
    grid: str

    @property
    def community(self) -> str:
        return self.grid[:12]

    @property
    def street(self) -> str:
        return self.grid[:9]

    @property
    def district(self) -> str:
        return self.grid[:6]


def _place(engine: Engine, where: Any) -> Place:
    g = geo_tables.grids
    with engine.connect() as conn:
        row = conn.execute(select(g.c.code, g.c.geometry).where(where).order_by(g.c.code)).first()
    assert row is not None
    p = shapely.from_wkb(row.geometry).representative_point()
    return Place(round(p.x, 7), round(p.y, 7), row.code)


def _install_city(engine: Engine, var_dir: Path) -> None:
    upgrade(engine)
    install_profile(engine, demo_profile_path())
    install_demo_geography(engine)  # the generated city is made once per process
    rt = bootstrap(Settings(var_dir=var_dir), engine=engine)
    accounts.install_demo_accounts(rt)
    place_b = _place(engine, geo_tables.grids.c.district_code != DISTRICT_A)
    accounts.create_user(rt, "citizen.two", name="市民二", role=Role.PUBLIC, password=PASSWORD)
    accounts.create_user(
        rt,
        "acceptor.district_b",
        name="区分中心受理员",
        role=Role.ACCEPTOR,
        password=PASSWORD,
        unit="center",
        district=place_b.district,
    )


PERSONAS = {
    "inspector_a": f"inspector.{COMMUNITY_A}",
    "inspector_b": None,  # the inspector of place B's community (another district)
    "acceptor": "acceptor.1",
    "acceptor_district_b": "acceptor.district_b",
    "shift_leader": "shift_leader.1",
    "dispatcher": "dispatcher.1",
    "handler_a": f"handler.street.{STREET_A}",
    "handler_b": None,  # the handler of place B's street
    "handler_district_a": f"handler.district.{DISTRICT_A}",
    "leader": "leader.1",
    "evaluator": "evaluator.1",
    "admin": "admin",
    "citizen_1": "citizen.demo",
    "citizen_2": "citizen.two",
    "system": "system.video_ai",
}


@dataclass
class World:
    """The demo city behind the app, with logged-in personas."""

    backend: str
    engine: Engine
    rt: Runtime
    client: TestClient
    a: Place
    b: Place
    c: Place  # another grid of place A's community, far from A (for duplicate checks)
    logins: dict[str, str] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    # -- HTTP ---------------------------------------------------------------------------
    def call(self, persona: str | None, method: str, path: str, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}) or {})
        if persona is not None:
            headers.update(self.headers[persona])
        return self.client.request(method, "/api/v1" + path, headers=headers, **kw)

    def get(self, persona: str | None, path: str, **kw: Any) -> Any:
        return self.call(persona, "GET", path, **kw)

    def post(self, persona: str | None, path: str, **kw: Any) -> Any:
        return self.call(persona, "POST", path, **kw)

    def login(self, login: str, password: str = PASSWORD) -> Any:
        return self.client.post(
            "/api/v1/auth/token", data={"username": login, "password": password}
        )

    def denials(self) -> int:
        with self.engine.connect() as conn:
            return len(conn.execute(select(access_denials.c.id)).all())

    # -- cases through the service layer (fast preparation) -----------------------------
    def actor(self, persona: str) -> Actor:
        return actor_of(accounts.user_for(self.rt, self.logins[persona]))

    def case_in(self, state: str, place: str = "a") -> Case:
        """A new case of class 06010 at place A (or B), brought to ``state``:
        verifying, reported, filed, dispatched, extension_pending, suspended, handled,
        checking."""
        p = {"a": self.a, "b": self.b, "c": self.c}[place]
        if state == "verifying":
            return svc.report_case(
                self.rt,
                self.actor("citizen_1"),
                channel=Channel.PUBLIC,
                description="小区门口有暴露垃圾",
                lon=p.lon,
                lat=p.lat,
                class_code=CLASS,
                reporter_name="张三丰",
                reporter_phone="13812345678",
                photos=[Upload(JPEG + os.urandom(16), "before.jpg")],
            ).case
        inspector = "inspector_b" if place == "b" else "inspector_a"
        case = svc.report_case(
            self.rt,
            self.actor(inspector),
            channel=Channel.INSPECTOR,
            description="路边有暴露垃圾",
            lon=p.lon,
            lat=p.lat,
            class_code=CLASS,
            photos=[Upload(JPEG + os.urandom(16), "before.jpg")],
        ).case
        if state == "reported":
            return case
        case = svc.file_case(
            self.rt, self.actor("acceptor"), case.id, class_code=CLASS, condition_code=CONDITION
        )
        if state == "filed":
            return case
        case = svc.dispatch_case(self.rt, self.actor("dispatcher"), case.id)
        handler = "handler_b" if place == "b" else "handler_a"
        if state == "dispatched":
            return case
        if state == "extension_pending":
            return svc.request_extension(
                self.rt,
                self.actor(handler),
                case.id,
                amount=TimeLimit(1, LimitUnit.WORKING_DAYS),
                reason="需协调权属单位",
            )
        if state == "suspended":
            return svc.suspend_case(
                self.rt, self.actor("dispatcher"), case.id, reason="冬季不具备施工条件"
            )
        case = svc.handle_case(
            self.rt,
            self.actor(handler),
            case.id,
            opinion="已清理",
            photos=[Upload(PNG + os.urandom(16), "after.png")],
        )
        if state == "handled":
            return case
        case = svc.request_check(self.rt, self.actor("acceptor"), case.id)
        if state == "checking":
            return case
        raise ValueError(state)


def _city_database(backend: str, folder: Path) -> Iterator[str]:
    """A new database holding the demo city (dropped afterwards on PostgreSQL)."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'city.sqlite'}"
        engine = make_engine(url)
        _install_city(engine, folder)
        engine.dispose()
        yield url
        return
    admin_url = _pg_admin_url()
    try:
        admin = make_engine(admin_url, pool_size=1)
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:
        pytest.fail(PG_HINT.format(url=admin_url) + f" ({exc.__class__.__name__})", pytrace=False)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"cityops_api_{worker}_{uuid.uuid4().hex[:8]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        engine = make_engine(url, pool_size=1)
        _install_city(engine, folder)
        engine.dispose()
        yield url
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _world(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    folder = tmp_path_factory.mktemp(f"api-{backend}")
    patch = pytest.MonkeyPatch()
    patch.setattr(accounts, "_hasher", FAST_HASHER)
    request.addfinalizer(patch.undo)
    databases = _city_database(backend, folder)
    url = next(databases)
    engine = make_engine(url, pool_size=5)
    rt = bootstrap(Settings(var_dir=folder, database_url=url), engine=engine)
    a = _place(engine, geo_tables.grids.c.community_code == COMMUNITY_A)
    b = _place(engine, geo_tables.grids.c.district_code != DISTRICT_A)
    c = _place(
        engine,
        and_(
            geo_tables.grids.c.community_code == COMMUNITY_A,
            geo_tables.grids.c.code != a.grid,
            geo_tables.grids.c.min_lon > a.lon + 0.001,
        ),
    )
    logins = dict(PERSONAS)
    logins["inspector_b"] = f"inspector.{b.community}"
    logins["handler_b"] = f"handler.street.{b.street}"
    with TestClient(create_app(rt)) as client:
        w = World(backend, engine, rt, client, a, b, c, logins)
        for persona, login in logins.items():
            assert login is not None
            r = w.login(login)
            assert r.status_code == 200, (persona, r.text)
            w.headers[persona] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        yield w
    engine.dispose()
    for _ in databases:  # finish the generator: drops the PostgreSQL database
        pass


@pytest.fixture(scope="session", params=_backends())
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The city for every API test of the session on one backend. Tests share it: each makes
    its own cases and asserts on them, never on totals of the whole city."""
    yield from _world(request.param, request, tmp_path_factory)


@pytest.fixture(scope="session", params=_backends())
def fuzz_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """A city of its own for the fuzzing, which may deactivate, lock or rename anyone."""
    yield from _world(request.param, request, tmp_path_factory)
