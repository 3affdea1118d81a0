"""The hotline tables as the migration creates them, and the event log as the truth."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select

from cityops.adapters.db.tables import metadata
from cityops.adapters.db.tables.hotline import hotline_orders
from cityops.domain.hotline import machine
from cityops.services.hotline import queries
from cityops.services.hotline.simulation import HotlineScenario, HotlineSimulator
from cityops.services.hotline.store import row_to_order
from cityops.services.runtime import Runtime
from tests.fakes import T0


def test_migration_matches_the_tables(engine: Engine) -> None:
    def ours(name: str | None, type_: str, *_: object) -> bool:
        return type_ != "table" or bool(name and name.startswith(("hotline", "petition")))

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": ours, "include_object": lambda o, n, t, *a: ours(n, t)}
        )
        assert compare_metadata(context, metadata) == []


def test_every_generated_order_replays_from_its_log_to_the_stored_projection(rt: Runtime):
    HotlineSimulator(rt, HotlineScenario(per_day=25), start=T0, days=2, settle_days=3, seed=9).run()
    with rt.engine.connect() as conn:
        stored = [row_to_order(r) for r in conn.execute(select(hotline_orders)).mappings()]
    assert len(stored) > 20
    for order in stored:
        assert machine.replay(queries.order_events(rt, order.id)) == order, order.order_no
