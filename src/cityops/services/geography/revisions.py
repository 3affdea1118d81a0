"""Change counters, so that cached lookups notice new geography.

``geography_revisions`` holds one counter per layer, bumped in the same transaction as every
write of that layer (``grids`` by grid imports, ``regions`` by region imports, both by an
install). Other processes notice a change by re-reading the counters. Writes in this process
also count up an in-memory generation per engine, so they take effect on the next lookup.
"""

from __future__ import annotations

import threading
import weakref

from sqlalchemy import Connection, Engine, select, update

from cityops.adapters.db.tables import geography as t

# The layers a locator answers from: a change of any of them rebuilds it.
WATCHED_LAYERS = ("grids", "regions")

_generations: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def bump(conn: Connection, layer: str) -> None:
    """Count one change of ``layer`` inside ``conn``'s transaction."""
    rev = t.geography_revisions
    done = conn.execute(update(rev).where(rev.c.layer == layer).values(revision=rev.c.revision + 1))
    if done.rowcount == 0:
        conn.execute(rev.insert().values(layer=layer, revision=1))


def revisions(conn: Connection, layers: tuple[str, ...] = WATCHED_LAYERS) -> tuple[int, ...]:
    """The counters of ``layers`` (0 for a layer never written)."""
    rev = t.geography_revisions
    query = select(rev.c.layer, rev.c.revision).where(rev.c.layer.in_(layers))
    found = {row.layer: row.revision for row in conn.execute(query)}
    return tuple(int(found.get(layer) or 0) for layer in layers)


def note_change(engine: Engine) -> None:
    """After a committed write through these services: lookups in this process reload."""
    with _lock:
        _generations[engine] = _generations.get(engine, 0) + 1


def generation(engine: Engine) -> int:
    return _generations.get(engine, 0)
