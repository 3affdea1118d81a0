"""The evaluation and cockpit APIs over the demo city, on every configured backend.

A migrated database with the 济南 demo profile, the generated demo geography and the demo
accounts is built once per test session and backend, with a month and a half of cases made
through the service layer at chosen times (September for 环比, October up to "today"), the
overdue sweep run at "now", and logged-in clients for a cast of personas. The app's clock
stands at ``NOW`` (Tuesday 2025-10-21 16:00 in 济南).

Tests that move cases make their own and compare what the API answers with what the service
functions give at that moment, never with totals fixed in advance.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import shapely
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, and_, select, text
from sqlalchemy.engine import make_url

from cityops.adapters.db.engine import make_engine
from cityops.adapters.db.migrate import upgrade
from cityops.adapters.db.tables import geography as geo_tables
from cityops.api.app import create_app
from cityops.api.presenters import actor_of
from cityops.config import Settings
from cityops.domain.cases.model import Actor, Case
from cityops.domain.cases.vocabulary import Channel, RejectReason, Role
from cityops.services import accounts
from cityops.services import cases as svc
from cityops.services.cases import Upload
from cityops.services.cockpit import SummaryCache
from cityops.services.geography import install_demo_geography
from cityops.services.profile import demo_profile_path, install_profile
from cityops.services.runtime import Runtime, bootstrap
from cityops.services.sweep import sweep_overdue
from tests.conftest import PG_HINT, _backends, _pg_admin_url
from tests.fakes import JPEG, PNG

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 10, 21, 16, 0, tzinfo=ZONE)
PASSWORD = accounts.DEMO_PASSWORD
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
DISTRICT_A, STREET_A, COMMUNITY_A = "370102", "370102001", "370102001001"
CLASS, CONDITION = "06010", "06010-01"  # 暴露垃圾, routed to the street of the place

PERSONAS = {
    "leader": "leader.1",
    "evaluator": "evaluator.1",
    "admin": "admin",
    "acceptor": "acceptor.1",
    "shift_leader": "shift_leader.1",
    "dispatcher": "dispatcher.1",
    "acceptor_district_b": "acceptor.district_b",
    "handler_a": f"handler.street.{STREET_A}",
    "handler_district_a": f"handler.district.{DISTRICT_A}",
    "handler_b": None,  # the handler of place B's street
    "inspector_a": f"inspector.{COMMUNITY_A}",
    "inspector_b": None,  # the inspector of place B's community
    "citizen": "citizen.demo",
    "system": "system.video_ai",
}


def at(day: str, hm: str) -> datetime:
    """A time in 济南: ``at("10-21", "09:30")`` is 2025-10-21 09:30."""
    return datetime.fromisoformat(f"2025-{day}T{hm}:00").replace(tzinfo=ZONE)


@dataclass(frozen=True)
class Place:
    lon: float
    lat: float
    grid: str

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


@dataclass
class City:
    backend: str
    engine: Engine
    rt: Runtime
    client: TestClient
    a: Place
    b: Place
    c: Place  # another grid of place A's community
    logins: dict[str, str]
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    made: dict[str, int] = field(default_factory=dict)  # story name → case id

    # -- HTTP ---------------------------------------------------------------------------
    def get(self, persona: str | None, path: str, **kw: Any) -> Any:
        return self.call(persona, "GET", path, **kw)

    def post(self, persona: str | None, path: str, **kw: Any) -> Any:
        return self.call(persona, "POST", path, **kw)

    def call(self, persona: str | None, method: str, path: str, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}) or {})
        if persona is not None:
            headers.update(self.headers[persona])
        return self.client.request(method, "/api/v1" + path, headers=headers, **kw)

    # -- cases through the service layer ------------------------------------------------
    def actor(self, persona: str) -> Actor:
        return actor_of(accounts.user_for(self.rt, self.logins[persona]))

    def report(
        self,
        when: datetime,
        place: str = "a",
        persona: str | None = None,
        channel: Channel | None = None,
    ) -> Case:
        p = {"a": self.a, "b": self.b, "c": self.c}[place]
        persona = persona or ("inspector_b" if place == "b" else "inspector_a")
        role_channel = {
            "citizen": Channel.PUBLIC,
            "system": Channel.VIDEO_AI,
            "acceptor": Channel.HOTLINE,
        }
        return svc.report_case(
            self.rt,
            self.actor(persona),
            channel=channel or role_channel.get(persona, Channel.INSPECTOR),
            description="路边有暴露垃圾",
            lon=p.lon,
            lat=p.lat,
            class_code=CLASS,
            photos=[Upload(JPEG + os.urandom(16), "before.jpg")],
            at=when,
        ).case

    def loop(self, case: Case, steps: list[tuple[str, datetime]], place: str = "a") -> Case:
        """Run ``steps`` (file, dispatch, handle, check, close, reject, cancel, verify) on a
        case at the given times."""
        handler = "handler_b" if place == "b" else "handler_a"
        inspector = "inspector_b" if place == "b" else "inspector_a"
        for step, when in steps:
            if step == "verify":
                case = svc.verify_case(self.rt, self.actor(inspector), case.id, found=True, at=when)
            elif step == "file":
                case = svc.file_case(
                    self.rt,
                    self.actor("acceptor"),
                    case.id,
                    class_code=CLASS,
                    condition_code=CONDITION,
                    at=when,
                )
            elif step == "dispatch":
                case = svc.dispatch_case(self.rt, self.actor("dispatcher"), case.id, at=when)
            elif step == "handle":
                case = svc.handle_case(
                    self.rt,
                    self.actor(handler),
                    case.id,
                    opinion="已清理",
                    photos=[Upload(PNG + os.urandom(16), "after.png")],
                    at=when,
                )
            elif step == "check":
                case = svc.request_check(self.rt, self.actor("acceptor"), case.id, at=when)
            elif step == "close":
                case = svc.close_case(self.rt, self.actor(inspector), case.id, at=when)
            elif step == "reject":
                case = svc.reject_case(
                    self.rt,
                    self.actor("acceptor"),
                    case.id,
                    reason_code=RejectReason.OUT_OF_SCOPE,
                    reason="不属于城市管理范围",
                    at=when,
                )
            elif step == "cancel":
                case = svc.cancel_case(
                    self.rt, self.actor("shift_leader"), case.id, reason="信息有误", at=when
                )
            else:  # pragma: no cover
                raise ValueError(step)
        return case


FULL_LOOP = ("file", "dispatch", "handle", "check", "close")


def _story(
    city: City,
    name: str,
    place: str,
    reported: datetime,
    steps: list[tuple[str, datetime]],
    persona: str | None = None,
) -> None:
    case = city.report(reported, place, persona)
    city.made[name] = city.loop(case, steps, place).id


def make_history(city: City) -> None:
    """September (for 环比) and October up to ``NOW``; see the module's docstring."""
    m = timedelta(minutes=1)

    def loop(day: str, start: str, minutes: list[int]) -> list[tuple[str, datetime]]:
        t0 = at(day, start)
        return [(s, t0 + k * m) for s, k in zip(FULL_LOOP, minutes, strict=False)]

    _story(
        city, "sep_a", "a", at("09-16", "09:00"), loop("09-16", "09:00", [10, 20, 100, 110, 140])
    )
    _story(
        city, "sep_b", "b", at("09-16", "10:00"), loop("09-16", "10:00", [10, 20, 100, 110, 140])
    )
    # 10-01: handled a week late, closed late.
    late = [("file", at("10-09", "09:05")), ("dispatch", at("10-09", "09:10"))]
    late += [("handle", at("10-13", "10:00")), ("check", at("10-13", "10:05"))]
    late += [("close", at("10-13", "10:30"))]
    _story(city, "oct_late", "a", at("10-09", "09:00"), late)
    _story(
        city,
        "oct_20_closed",
        "a",
        at("10-20", "09:00"),
        loop("10-20", "09:00", [5, 10, 60, 65, 90]),
    )
    _story(city, "oct_20_overdue", "a", at("10-20", "09:30"), loop("10-20", "09:30", [5, 10]))
    checking = loop("10-20", "10:00", [5, 10])
    checking += [("handle", at("10-21", "09:00")), ("check", at("10-21", "09:10"))]
    _story(city, "oct_20_checking_b", "b", at("10-20", "10:00"), checking)
    _story(city, "today_public", "a", at("10-21", "08:40"), [], persona="citizen")
    _story(
        city, "today_closed", "a", at("10-21", "09:00"), loop("10-21", "09:00", [5, 10, 60, 65, 90])
    )
    _story(city, "today_rejected", "a", at("10-21", "09:30"), [("reject", at("10-21", "09:35"))])
    _story(
        city,
        "today_cancelled",
        "a",
        at("10-21", "10:00"),
        [("file", at("10-21", "10:05")), ("cancel", at("10-21", "10:20"))],
    )
    _story(
        city,
        "today_video",
        "c",
        at("10-21", "11:00"),
        loop("10-21", "11:00", [5, 10]),
        persona="system",
    )
    _story(city, "today_reported_b", "b", at("10-21", "13:00"), [])
    _story(city, "today_hotline", "a", at("10-21", "14:00"), [], persona="acceptor")
    sweep_overdue(city.rt, at=NOW)


def _install_city(engine: Engine, var_dir: Path) -> Place:
    upgrade(engine)
    install_profile(engine, demo_profile_path())
    install_demo_geography(engine)
    rt = bootstrap(Settings(var_dir=var_dir), engine=engine, now=lambda: NOW)
    accounts.install_demo_accounts(rt)
    place_b = _place(engine, geo_tables.grids.c.district_code != DISTRICT_A)
    accounts.create_user(
        rt,
        "acceptor.district_b",
        name="区分中心受理员",
        role=Role.ACCEPTOR,
        password=PASSWORD,
        unit="center",
        district=place_b.district,
    )
    return place_b


def _city_database(backend: str, folder: Path) -> Iterator[str]:
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
    name = f"cityops_apieval_{worker}_{uuid.uuid4().hex[:8]}"
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


@pytest.fixture(scope="session", params=_backends())
def city(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[City]:
    folder = tmp_path_factory.mktemp(f"api-eval-{request.param}")
    patch = pytest.MonkeyPatch()
    patch.setattr(accounts, "_hasher", FAST_HASHER)
    request.addfinalizer(patch.undo)
    databases = _city_database(request.param, folder)
    url = next(databases)
    engine = make_engine(url, pool_size=5)
    rt = bootstrap(Settings(var_dir=folder, database_url=url), engine=engine, now=lambda: NOW)
    g = geo_tables.grids.c
    a = _place(engine, g.community_code == COMMUNITY_A)
    b = _place(engine, g.district_code != DISTRICT_A)
    c = _place(
        engine, and_(g.community_code == COMMUNITY_A, g.code != a.grid, g.min_lon > a.lon + 0.001)
    )
    logins = {k: v for k, v in PERSONAS.items() if v is not None}
    logins["inspector_b"] = f"inspector.{b.grid[:12]}"
    logins["handler_b"] = f"handler.street.{b.street}"
    app = create_app(rt)
    app.state.cockpit_cache = SummaryCache(ttl=5.0, min_age=0.0)
    with TestClient(app) as client:
        c_ = City(request.param, engine, rt, client, a, b, c, logins)
        for persona, login in logins.items():
            r = client.post("/api/v1/auth/token", data={"username": login, "password": PASSWORD})
            assert r.status_code == 200, (persona, r.text)
            c_.headers[persona] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        make_history(c_)
        yield c_
    engine.dispose()
    for _ in databases:
        pass
