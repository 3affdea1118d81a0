"""The lists of open cases by warning light and deadline can use the partial indexes of
migration 0009 on both databases (they are what keeps those lists fast with a million cases;
see BENCHMARKS.md)."""

from __future__ import annotations

import importlib

from sqlalchemy import Engine, and_, select, text

from cityops.adapters.db.tables.cases import cases
from cityops.domain.access import User
from cityops.domain.cases.vocabulary import OPEN_STATES, Light, Role
from cityops.services import case_queries as q

MIGRATION = importlib.import_module("cityops.adapters.db.migrations.versions.0009_console")


def test_the_indexes_and_the_queries_name_the_same_open_states():
    assert set(q.OPEN_VALUES) == {s.value for s in OPEN_STATES}
    assert "state IN (" + ", ".join(f"'{v}'" for v in q.OPEN_VALUES) + ")" == MIGRATION.OPEN
    assert str(q.open_clause()) == "cases." + MIGRATION.OPEN


def _plan(engine: Engine, query: object) -> str:
    compiled = query.compile(engine, compile_kwargs={"literal_binds": True})  # type: ignore[attr-defined]
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET enable_seqscan = off"))
            rows = conn.exec_driver_sql(f"EXPLAIN {compiled}").all()
        else:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
    return "\n".join(" ".join(str(c) for c in r) for r in rows)


def test_the_red_list_reads_the_partial_index_of_open_cases(engine: Engine):
    user = User("dispatcher.1", "派遣员", Role.DISPATCHER)
    f = q.CaseFilter(lights=(Light.RED,), open_only=True)
    query = (
        select(*q.SUMMARY_COLUMNS)
        .where(and_(q.user_clause(user), q.filter_clause(f)))
        .order_by(q.SORTS["deadline"].asc(), cases.c.id.desc())
        .limit(20)
    )
    assert "ix_cases_open_light_deadline" in _plan(engine, query)


def test_own_reports_read_the_reporter_index(engine: Engine):
    f = q.CaseFilter(reported_by="citizen.demo")
    user = User("citizen.demo", "市民", Role.PUBLIC)
    query = (
        select(*q.SUMMARY_COLUMNS)
        .where(and_(q.user_clause(user), q.filter_clause(f)))
        .order_by(cases.c.reported_at.desc())
        .limit(20)
    )
    assert "ix_cases_reported_by" in _plan(engine, query)


def test_an_inspectors_list_reads_one_index_for_each_way_he_sees_a_case(engine: Engine):
    """His grids, the cases he reported, verified or checked: each part by its own index,
    the ids united (one OR made SQLite read every open case)."""
    user = User(
        "inspector.370102001001",
        "监督员",
        Role.INSPECTOR,
        grids=frozenset({"370102001001001", "370102001001002"}),
    )
    query = (
        select(*q.SUMMARY_COLUMNS)
        .where(and_(q.user_clause(user), q.filter_clause(q.CaseFilter(open_only=True))))
        .order_by(cases.c.reported_at.desc())
        .limit(20)
    )
    plan = _plan(engine, query)
    for index in (
        "ix_cases_grid_state",
        "ix_cases_reported_by",
        "ix_cases_verifier_state",
        "ix_cases_checker_state",
    ):
        assert index in plan, plan


def test_the_duplicate_search_reads_open_cases_of_the_class_by_latitude(engine: Engine):
    from datetime import UTC, datetime, timedelta

    from cityops.adapters.db.case_repository import _OPEN_CASES_NEAR
    from cityops.adapters.db.tables.cases import OPEN_STATE_VALUES

    assert set(OPEN_STATE_VALUES) == {s.value for s in OPEN_STATES}
    now = datetime(2025, 10, 20, tzinfo=UTC)
    query = _OPEN_CASES_NEAR.params(
        class_code="06010",
        since=now - timedelta(hours=72),
        until=now,
        minx=117.0,
        maxx=117.001,
        miny=36.6,
        maxy=36.601,
    )
    assert "ix_cases_open_class_lat" in _plan(engine, query)


def test_the_dispatchers_queue_reads_small_indexes_for_decisions_and_suspensions(engine: Engine):
    """Counting the queue finds each kind of case from its own index (PostgreSQL decides by
    its statistics: a few thousand dispatched cases, of which a handful wait on the
    dispatcher, make the choice what it is in a city)."""
    from datetime import UTC, datetime

    from sqlalchemy import func, insert

    at = datetime(2025, 10, 20, tzinfo=UTC)

    def row(i: int, state: str, **extra: object) -> dict[str, object]:
        return {
            "id": i,
            "case_no": f"C{i}",
            "version": 1,
            "state": state,
            "channel": "inspector",
            "reported_at": at,
            "reported_by": "inspector.1",
            "description": "",
            "address": "",
            "lon": 117.0,
            "lat": 36.6,
            "area_class": "urban",
            "urgency": "normal",
            "suspended": False,
            "pending_extension": None,
            "light": "green",
            "rework_count": 0,
            "return_count": 0,
            "dispatch_count": 1,
            "extension_count": 0,
            "suspension_count": 0,
            "updated_at": at,
            **extra,
        }

    rows = [row(i, "dispatched") for i in range(1, 3001)]
    rows += [row(i, "closed") for i in range(3001, 6001)]
    rows += [row(i, "filed") for i in range(6001, 6031)]
    rows += [row(i, "dispatched", pending_extension={"value": 1}) for i in range(6031, 6036)]
    rows += [row(i, "dispatched", suspended=True) for i in range(6036, 6041)]
    with engine.begin() as conn:
        conn.execute(insert(cases), rows)
        conn.execute(text("ANALYZE cases"))
    user = User("dispatcher.1", "派遣员", Role.DISPATCHER)
    query = (
        select(func.count())
        .select_from(cases)
        .where(and_(q.user_clause(user), q.queue_clause(user), q.open_clause()))
    )
    plan = _plan(engine, query)
    assert "ix_cases_pending_extension" in plan and "ix_cases_suspended" in plan, plan
    with engine.connect() as conn:
        assert conn.execute(query).scalar_one() == 30 + 5 + 5
