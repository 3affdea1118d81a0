"""The simulator drives the real services and produces every path of the loop."""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from shapely.geometry import box
from sqlalchemy import Engine, func, select

from cityops.adapters.blobstore import BlobStore
from cityops.adapters.db.case_repository import CaseRepository
from cityops.adapters.db.engine import make_engine
from cityops.adapters.db.tables.cases import case_events, case_warnings, cases
from cityops.config import Settings
from cityops.domain.cases import machine
from cityops.domain.cases.vocabulary import EventType
from cityops.domain.catalog.model import FilingCondition
from cityops.services.runtime import Runtime
from cityops.services.simulation.engine import Simulator
from cityops.services.simulation.scenario import Scenario
from cityops.services.simulation.staff import demo_staff
from cityops.services.simulation.world import build_world
from tests.fakes import T0, SquareLocator, make_policy

BUSY = Scenario(
    per_day=90,
    p_wrong_dispatch=0.15,
    p_extension=0.15,
    p_suspension=0.08,
    p_cancel=0.06,
    p_rework=0.3,
    p_not_found=0.3,
)


def _world(policy):
    grids = []
    for street, x0 in (("370102001", 117.0), ("370102002", 117.01)):
        for col in range(10):
            code = f"{street}001{col:03d}"
            x = x0 + col * 0.001
            grids.append((code, box(x + 1e-6, 36.6 + 1e-6, x + 0.001 - 1e-6, 36.61 - 1e-6)))
    communities = [("370102001001", "解放路社区"), ("370102002001", "千佛山社区")]
    names = {"370102001": "解放路街道", "370102002": "千佛山街道", **dict(communities)}
    return build_world(policy.profile, grids, names, demo_staff(policy.profile, communities))


def _weighted_policy():
    profile = make_policy(handled_requires_photo=True).profile
    # Give the three test conditions realistic relative weights.
    weights = {"06010-01": 6.0, "07001-01": 3.0, "01001-01": 1.0}
    conditions = {k: replace(v, weight=weights[k]) for k, v in profile.conditions.items()}
    return replace(make_policy(), profile=replace(profile, conditions=conditions))


def _rt(engine: Engine, tmp_path: Path) -> Runtime:
    return Runtime(
        engine=engine,
        settings=Settings(var_dir=tmp_path),
        blobs=BlobStore(tmp_path / "blobs"),
        policy_override=_weighted_policy(),
        locator_override=SquareLocator(),
    )


@pytest.fixture
def sim_rt(engine: Engine, tmp_path: Path) -> Runtime:
    return _rt(engine, tmp_path)


def test_a_simulated_week_takes_every_path_and_replays(sim_rt: Runtime, engine: Engine):
    world = _world(sim_rt.policy)
    sim_rt.inspector_for = world.staff.inspector_for
    days_seen: list[int] = []
    stats = Simulator(
        sim_rt, world, BUSY, start=T0, days=6, seed=11, batch=50, on_day=days_seen.append
    ).run()
    assert days_seen == list(range(1, 7))
    assert stats.reports > 400
    with engine.connect() as conn:
        types = Counter(r[0] for r in conn.execute(select(case_events.c.type)))
        assert set(types) == {t.value for t in EventType}, types
        n_cases = conn.execute(select(func.count()).select_from(cases)).scalar_one()
        assert n_cases == stats.reports
        assert conn.execute(select(func.count()).select_from(case_warnings)).scalar_one() > 0
        repo = CaseRepository(conn)
        for case_id in conn.execute(select(cases.c.id).order_by(cases.c.id).limit(200)).scalars():
            assert machine.same_history(machine.replay(repo.events(case_id)), repo.get(case_id))
    # Nothing a simulated person did was refused for a reason other than the planned ones.
    unexpected = {k: v for k, v in stats.refused.items() if not k.startswith("reported:location")}
    assert unexpected == {}


def test_the_same_seed_gives_the_same_history(
    sim_rt: Runtime, sqlite_template: Path, tmp_path: Path
):
    """Two runs with one seed on two fresh databases write the same events."""
    histories = []
    for n in (1, 2):
        path = tmp_path / f"run{n}.sqlite"
        shutil.copyfile(sqlite_template, path)
        eng = make_engine(f"sqlite:///{path}")
        rt = _rt(eng, tmp_path)
        world = _world(rt.policy)
        rt.inspector_for = world.staff.inspector_for
        Simulator(rt, world, BUSY, start=T0, days=2, seed=5).run()
        with eng.connect() as conn:
            histories.append(
                conn.execute(
                    select(
                        case_events.c.case_id,
                        case_events.c.seq,
                        case_events.c.type,
                        case_events.c.at,
                    ).order_by(case_events.c.id)
                ).all()
            )
        eng.dispose()
    assert len(histories[0]) > 100
    assert histories[0] == histories[1]


def test_the_condition_filed_is_one_of_the_profile(sim_rt: Runtime, engine: Engine):
    world = _world(sim_rt.policy)
    Simulator(sim_rt, world, BUSY, start=T0, days=1, seed=3).run()
    with engine.connect() as conn:
        codes = set(
            conn.execute(
                select(cases.c.condition_code).where(cases.c.condition_code.is_not(None))
            ).scalars()
        )
    known: dict[str, FilingCondition] = sim_rt.policy.profile.conditions
    assert codes and codes <= set(known)


def _open_ids(engine: Engine) -> dict[int, int]:
    from cityops.domain.cases.vocabulary import OPEN_STATES

    with engine.connect() as conn:
        rows = conn.execute(
            select(cases.c.id, cases.c.version).where(
                cases.c.state.in_([s.value for s in OPEN_STATES])
            )
        ).all()
    return {int(r.id): int(r.version) for r in rows}


def _replays(engine: Engine, ids: list[int]) -> None:
    with engine.connect() as conn:
        repo = CaseRepository(conn)
        for case_id in ids:
            assert machine.same_history(machine.replay(repo.events(case_id)), repo.get(case_id))


def test_a_later_run_takes_over_the_open_cases_and_carries_them_on(sim_rt: Runtime, engine: Engine):
    """A city simulated up to a point and simulated again later (the demo city on a later
    start): the second run adopts every case left open, whatever its state, and moves it on."""
    from datetime import timedelta

    world = _world(sim_rt.policy)
    sim_rt.inspector_for = world.staff.inspector_for
    first_end = T0 + timedelta(days=2, hours=6)  # a Wednesday afternoon: work in flight
    Simulator(sim_rt, world, BUSY, start=T0, end=first_end, seed=21).run()
    left = _open_ids(engine)
    with engine.connect() as conn:
        states = set(
            conn.execute(select(cases.c.state).where(cases.c.id.in_(list(left)))).scalars()
        )
    assert len(left) > 20 and len(states) >= 4, states
    # six days: a suspended case is resumed within five
    start = first_end + timedelta(hours=2)
    later = Simulator(sim_rt, world, BUSY, start=start, days=6, seed=22)
    assert later.adopt_open_cases() == len(left)
    stats = later.run()
    still = _open_ids(engine)
    moved = [cid for cid, version in left.items() if still.get(cid, 10**9) != version]
    assert len(moved) == len(left)  # every adopted case took at least one more step
    finished = [cid for cid in left if cid not in still]
    assert len(finished) > len(left) * 0.6
    _replays(engine, list(left))
    with engine.connect() as conn:
        first_after = conn.execute(
            select(func.min(case_events.c.at)).where(case_events.c.at > first_end)
        ).scalar_one()
    assert first_after >= start  # the second run begins where it was told to
    unexpected = {k: v for k, v in stats.refused.items() if not k.startswith("reported:location")}
    assert unexpected == {}


def test_a_live_city_moves_in_real_time_steps_and_never_back_in_time(
    sim_rt: Runtime, engine: Engine
):
    """The live demo: ``advance`` every few minutes over a day; reports arrive and cases move,
    each step recorded at the time of the call that carried it out, never before an earlier
    step of the same case."""
    from datetime import UTC, datetime, timedelta

    world = _world(sim_rt.policy)
    sim_rt.inspector_for = world.staff.inspector_for
    live = Simulator(sim_rt, world, BUSY, start=T0, end=datetime(9999, 1, 1, tzinfo=UTC), seed=31)
    assert live.adopt_open_cases() == 0
    calls, t = [], T0
    for _ in range(6 * 30):  # every 10 minutes for 30 hours
        t += timedelta(minutes=10)
        live.advance(t)
        calls.append(t)
    assert live.stats.reports > 60 and live.stats.commands > 3 * live.stats.reports
    with engine.connect() as conn:
        rows = conn.execute(
            select(case_events.c.case_id, case_events.c.seq, case_events.c.at).order_by(
                case_events.c.case_id, case_events.c.seq
            )
        ).all()
    assert {r.at for r in rows} <= set(calls) | {r.at for r in rows if r.seq == 1}
    last: dict[int, datetime] = {}
    for r in rows:
        assert r.at <= calls[-1]
        assert r.at >= last.get(r.case_id, r.at)
        last[r.case_id] = r.at
    _replays(engine, list(last)[:100])
    assert {k for k in live.stats.refused if not k.startswith("reported:location")} == set()
