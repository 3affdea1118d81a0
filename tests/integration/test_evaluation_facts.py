"""The evaluation's projection of the event log (services.evaluation.facts), on SQLite and on
PostgreSQL: taken in by event id, batch after batch, it equals a rebuild from scratch; and the
engine equals the pure-Python reference whatever the projection holds — nothing, part of the
log, all of it — including cases longer than the projection's span and open ones."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, insert, select, text, update

from cityops.adapters.db.case_repository import case_to_row, event_to_row
from cityops.adapters.db.tables import metadata
from cityops.adapters.db.tables.cases import case_events, cases
from cityops.adapters.db.tables.evaluation import (
    evaluation_case_facts,
    evaluation_event_facts,
    evaluation_facts_state,
    evaluation_post_keys,
    evaluation_work_keys,
)
from cityops.domain.cases import machine
from cityops.domain.cases.model import Event
from cityops.domain.cases.vocabulary import Channel
from cityops.domain.evaluation.reference import reference_counts
from cityops.services.evaluation.engine import engine_counts, normalized, overdue_case_ids
from cityops.services.evaluation.facts import refresh_facts, watermark
from cityops.services.evaluation.facts_sql import Dialect
from cityops.services.evaluation.store import relevant_case_events
from tests.fakes import DISPATCHER
from tests.integration.test_evaluation_engine import PERIODS, simulated  # noqa: F401
from tests.unit.test_evaluation_stories import INSPECTOR_X, LO, Story, h, stories

NOW = datetime(2030, 1, 1, tzinfo=UTC)
Figures = dict[tuple[str, str], dict[str, int]]


def projection(engine: Engine) -> dict[str, Any]:
    """Everything the projection holds, its internal key numbers replaced by what they
    stand for (two builds may number their keys differently)."""
    ef, pk, wk = evaluation_event_facts, evaluation_post_keys, evaluation_work_keys
    columns = [c for c in ef.c if c.name not in ("post_key", "work_key")]
    with engine.connect() as conn:
        events = conn.execute(
            select(*columns, pk.c.role, pk.c.actor, pk.c.type, wk.c.actor, wk.c.grid_code)
            .outerjoin(pk, pk.c.id == ef.c.post_key)
            .outerjoin(wk, wk.c.id == ef.c.work_key)
            .order_by(ef.c.case_id, ef.c.seq)
        ).all()
        case_rows = conn.execute(
            select(evaluation_case_facts).order_by(evaluation_case_facts.c.case_id)
        ).all()
        post_keys = set(conn.execute(select(pk.c.role, pk.c.actor, pk.c.type)).all())
        work_keys = set(conn.execute(select(wk.c.actor, wk.c.grid_code)).all())
    return {
        "events": [tuple(r) for r in events],
        "cases": [tuple(r) for r in case_rows],
        "post_keys": post_keys,
        "work_keys": work_keys,
    }


def event_ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [int(i) for i in conn.scalars(select(case_events.c.id).order_by(case_events.c.id))]


def reference(
    engine: Engine, lo: datetime, hi: datetime, channels: set[str] | None = None
) -> Figures:
    with engine.connect() as conn:
        cases_events = [
            evs
            for evs in relevant_case_events(conn, lo, hi)
            if channels is None or evs[0].data.get("channel") in channels
        ]
    return normalized(reference_counts(cases_events, lo, hi))


def test_the_migration_makes_exactly_the_projection_tables(engine: Engine) -> None:
    def ours(name: str | None, type_: str, *_: object) -> bool:
        return type_ != "table" or bool(name and name.startswith("evaluation_"))

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": ours, "include_object": lambda o, n, t, *a: ours(n, t)}
        )
        assert compare_metadata(context, metadata) == []


@pytest.mark.parametrize("simulated", [7], indirect=True)
def test_taking_the_log_in_batch_after_batch_equals_a_rebuild(simulated: Engine) -> None:  # noqa: F811
    ids = event_ids(simulated)
    first = refresh_facts(simulated, batch=97, until=ids[len(ids) // 2])
    rest = refresh_facts(simulated, batch=61)
    assert first.rebuilt and not rest.rebuilt
    assert first.events + rest.events == len(ids) and rest.watermark == ids[-1]
    by_batches = projection(simulated)
    assert len(by_batches["events"]) == len(ids) and by_batches["post_keys"]
    assert by_batches["work_keys"]
    again = refresh_facts(simulated, rebuild=True)
    assert again.rebuilt and again.events == len(ids)
    assert projection(simulated) == by_batches
    assert refresh_facts(simulated).events == 0  # nothing new: nothing to do


@pytest.mark.parametrize("simulated", [7], indirect=True)
def test_the_engine_equals_the_reference_whatever_the_projection_holds(
    simulated: Engine,  # noqa: F811
) -> None:
    ids = event_ids(simulated)
    public = {"public", "hotline", "media"}
    for until in (0, ids[len(ids) // 3], ids[2 * len(ids) // 3], ids[-1]):
        refresh_facts(simulated, rebuild=True, until=until)
        with simulated.connect() as conn:
            assert watermark(conn) == until
        for lo, hi in PERIODS:
            with simulated.connect() as conn:  # as it stands: no refresh
                got = normalized(engine_counts(conn, lo, hi))
                got_public = normalized(engine_counts(conn, lo, hi, channels=public))
            assert got == reference(simulated, lo, hi), (until, lo, hi)
            assert got_public == reference(simulated, lo, hi, public), (until, lo, hi)
        with simulated.connect() as conn:
            assert watermark(conn) == until  # reading never moved it


@pytest.mark.parametrize("simulated", [7], indirect=True)
def test_a_projection_of_another_definition_is_not_read_and_is_rebuilt(
    simulated: Engine,  # noqa: F811
) -> None:
    lo, hi = PERIODS[1]
    refresh_facts(simulated)
    with simulated.begin() as conn:
        conn.execute(update(evaluation_facts_state).values(version=0))
        # Spoil a stored figure: an engine that still read it would count a wrong figure.
        conn.execute(update(evaluation_case_facts).values(rep_in=0, closed=0))
    want = reference(simulated, lo, hi)
    with simulated.connect() as conn:
        assert watermark(conn) == 0
        assert normalized(engine_counts(conn, lo, hi)) == want
    assert refresh_facts(simulated).rebuilt
    with simulated.connect() as conn:
        assert normalized(engine_counts(conn, lo, hi)) == want


def long_stories() -> list[Story]:
    """The ten hand-worked cases, and three that outlast the projection's span (7 days)."""
    out = stories()
    p = out[0].policy

    def new() -> Story:
        s = Story(p, len(out) + 1)
        out.append(s)
        return s

    # K: suspended for eight days, then handled and closed: 8 days from report to closure.
    k = new().report(LO + h(1), INSPECTOR_X, Channel.INSPECTOR).file(LO + h(1.2))
    k.dispatch(LO + h(1.4)).do(machine.suspend, DISPATCHER, LO + h(2), reason="季节性施工")
    k.do(machine.resume, DISPATCHER, LO + h(194))
    k.handle(LO + h(195)).check(LO + h(195.2)).do(machine.close, INSPECTOR_X, LO + h(195.6))
    # L: suspended and never resumed: open for good.
    ll = new().report(LO + h(3), INSPECTOR_X, Channel.INSPECTOR).file(LO + h(3.1))
    ll.dispatch(LO + h(3.3)).do(machine.suspend, DISPATCHER, LO + h(4), reason="季节性施工")
    # M: reported twelve days before LO, dispatched, handled late on the eleventh.
    m = new().report(LO - h(288), INSPECTOR_X, Channel.INSPECTOR).file(LO - h(287.9))
    m.dispatch(LO - h(287.5)).handle(LO - h(20)).check(LO - h(19.8))
    m.do(machine.close, INSPECTOR_X, LO + h(0.5))
    return out


def store(engine: Engine, stories_: Sequence[Story]) -> None:
    with engine.begin() as conn:
        for s in stories_:
            assert s.case is not None
            conn.execute(insert(cases).values(case_to_row(s.case, NOW)))
            conn.execute(insert(case_events), [event_to_row(e, NOW) for e in s.events])


def test_long_and_open_cases_count_in_every_period_they_reach(engine: Engine) -> None:
    all_stories = long_stories()
    store(engine, all_stories)
    refresh_facts(engine)
    with engine.connect() as conn:
        spans = dict(
            conn.execute(
                select(evaluation_case_facts.c.case_id, evaluation_case_facts.c.long_span)
            ).all()
        )
    assert spans[11] == spans[12] == spans[13] == 1 and spans[1] == 0
    events: list[list[Event]] = [s.events for s in all_stories]
    periods = [
        (LO, LO + h(24)),  # K and L begin, M ends
        (LO + h(72), LO + h(96)),  # K and L open throughout, not one event of theirs
        (LO, LO + h(24 * 9)),  # K whole inside: counted from its stored figures
        (LO + h(190), LO + h(200)),  # K resumes, is handled and closes
        (LO - h(300), LO - h(100)),  # M begins
        (LO + h(24 * 30), LO + h(24 * 31)),  # a month on: L still open and suspended
    ]
    for lo, hi in periods:
        got = normalized(engine_counts(engine, lo, hi))
        assert got == normalized(reference_counts(events, lo, hi)), (lo, hi)
        city = got[("city", "*")]
        assert city["closure_due"] >= 1 and city["handling_due"] >= 1, (lo, hi)
    with engine.connect() as conn:
        assert overdue_case_ids(conn, LO + h(72), LO + h(96)) == [2, 3, 10]  # not K or L


def test_json_times_are_stored_to_the_microsecond_whatever_their_offset(engine: Engine) -> None:
    rng = random.Random(11)
    zones = [UTC, timezone(timedelta(hours=8)), timezone(-timedelta(hours=5, minutes=30))]
    zones.append(ZoneInfo("Asia/Shanghai"))
    base = datetime(2025, 6, 30, 15, 59, 59, tzinfo=UTC)
    times = [base, base + timedelta(microseconds=999_999), base + timedelta(microseconds=1)]
    times += [base + timedelta(seconds=rng.uniform(-4e7, 4e7)) for _ in range(40)]
    d = Dialect(engine.dialect.name)
    with engine.connect() as conn:
        for t in times:
            for zone in zones:
                raw = t.astimezone(zone).isoformat()
                stored = conn.execute(text(f"SELECT {d.instant(':raw')}"), {"raw": raw}).scalar()
                if engine.dialect.name == "sqlite":
                    assert stored == t.strftime("%Y-%m-%d %H:%M:%S.%f"), raw
                else:
                    assert stored == t, raw
        assert conn.execute(text(f"SELECT {d.instant('NULL')}")).scalar() is None


def test_an_evaluation_reads_events_newer_than_the_projection_from_the_log(engine: Engine) -> None:
    first, later = stories()[:5], stories()[5:]
    store(engine, first)
    refresh_facts(engine)
    store(engine, later)  # not yet taken in
    events = [s.events for s in stories()]
    lo, hi = LO, LO + h(24)
    with engine.connect() as conn:
        assert 0 < watermark(conn) < conn.execute(select(func.max(case_events.c.id))).scalar()
        assert normalized(engine_counts(conn, lo, hi)) == normalized(
            reference_counts(events, lo, hi)
        )
