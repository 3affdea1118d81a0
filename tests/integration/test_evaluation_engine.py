"""The SQL engine equals the hand-worked stories and the pure-Python reference, on SQLite and
on PostgreSQL: on hand-built cases and on simulated histories (several seeds and periods)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from cityops.adapters.blobstore import BlobStore
from cityops.adapters.db.case_repository import case_to_row, event_to_row
from cityops.adapters.db.tables.cases import case_events, cases
from cityops.config import Settings
from cityops.domain.evaluation.reference import reference_counts
from cityops.services.evaluation.engine import engine_counts, normalized, overdue_case_ids
from cityops.services.evaluation.store import relevant_case_events
from cityops.services.runtime import Runtime
from cityops.services.simulation.engine import Simulator
from tests.fakes import T0, SquareLocator, make_policy
from tests.integration.test_simulation import BUSY, _world
from tests.unit.test_evaluation_stories import G1, HI, LO, expected_city, stories

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def store_stories(engine: Engine) -> None:
    with engine.begin() as conn:
        for s in stories():
            assert s.case is not None
            conn.execute(insert(cases).values(case_to_row(s.case, NOW)))
            conn.execute(insert(case_events), [event_to_row(e, NOW) for e in s.events])


def test_the_engine_gives_the_hand_counted_figures(engine: Engine):
    store_stories(engine)
    got = normalized(engine_counts(engine, LO, HI))
    assert got[("city", "*")] == {str(k): v for k, v in expected_city().items()}
    x = got[("inspector", "inspector.x")]
    assert x["grid_filed"] == 3 and x["missed"] == 1
    assert got == normalized(reference_counts([s.events for s in stories()], LO, HI))
    with engine.connect() as conn:
        assert overdue_case_ids(conn, LO, HI) == [2, 3, 10]  # B C J


def test_the_engine_honours_an_explicit_grid_assignment(engine: Engine):
    store_stories(engine)
    got = normalized(engine_counts(engine, LO, HI, {"inspector.x": {G1}, "inspector.z": {G1}}))
    assert got[("inspector", "inspector.z")] == {"grid_filed": 3, "missed": 1}


def test_the_hotline_filter_counts_only_hotline_cases(engine: Engine):
    store_stories(engine)
    got = normalized(engine_counts(engine, LO, HI, channels=["hotline"]))
    assert got[("city", "*")] == {"reported": 1, "reported_public": 1}


@pytest.fixture
def simulated(engine: Engine, tmp_path: Path, request: pytest.FixtureRequest) -> Engine:
    profile = make_policy(handled_requires_photo=True).profile
    weights = {"06010-01": 6.0, "07001-01": 3.0, "01001-01": 1.0}
    conditions = {k: replace(v, weight=weights[k]) for k, v in profile.conditions.items()}
    policy = replace(make_policy(), profile=replace(profile, conditions=conditions))
    rt = Runtime(
        engine=engine,
        settings=Settings(var_dir=tmp_path),
        blobs=BlobStore(tmp_path / "blobs"),
        policy_override=policy,
        locator_override=SquareLocator(),
    )
    world = _world(rt.policy)
    rt.inspector_for = world.staff.inspector_for
    scenario = replace(BUSY, per_day=50, p_overdue_handling=0.3, p_suspension=0.15)
    Simulator(rt, world, scenario, start=T0, days=3, seed=request.param, batch=100).run()
    return engine


PERIODS = [
    (T0, T0 + timedelta(days=3)),  # everything
    (T0 + timedelta(days=1), T0 + timedelta(days=2)),  # a day in the middle: carry-over both ways
    (T0 + timedelta(hours=30), T0 + timedelta(hours=33)),  # three hours
    (T0 + timedelta(days=2, hours=20), T0 + timedelta(days=9)),  # the end and after it
]


@pytest.mark.parametrize("simulated", [7, 23], indirect=True)
def test_engine_equals_reference_on_simulated_histories(simulated: Engine):
    for lo, hi in PERIODS:
        got = normalized(engine_counts(simulated, lo, hi))
        with simulated.connect() as conn:
            want = normalized(reference_counts(relevant_case_events(conn, lo, hi), lo, hi))
        assert got == want, (lo, hi)
        city = got[("city", "*")]
        assert city.get("handling_due", 0) > 0
    whole = normalized(engine_counts(simulated, *PERIODS[0]))[("city", "*")]
    # The busy scenario takes every path: make sure the figures exercised them.
    for key in ("dispatched_wrong", "extended", "reworked", "filed_cancelled", "reported_public"):
        assert whole.get(key, 0) > 0, key
