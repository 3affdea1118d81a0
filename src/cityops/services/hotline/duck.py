"""The hotspot and recurrence analyses in DuckDB SQL, over the same columns as the NumPy ones.

Two independent implementations of the same definitions check each other (the tests compare
them on generated orders); the benchmark runs both on a million orders. The frame's arrays are
handed to DuckDB as they are (no copy into a database file).
"""

from __future__ import annotations

from typing import Any

import duckdb

from cityops.domain.hotline.frame import OrderFrame
from cityops.domain.hotline.hotspots import Count
from cityops.domain.hotline.recurrence import PeriodicProblem, RepeatSeries


def connect(frame: OrderFrame) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register(
        "orders",
        {
            "id": frame.ids,
            "t": frame.t,
            "cls": frame.cls,
            "grid": frame.grid,
            "lt": frame.local(),
        },
    )
    return con


def top(con: duckdb.DuckDBPyConnection, frame: OrderFrame, column: str, n: int) -> list[Count]:
    names = {"cls": frame.classes, "grid": frame.grids}[column]
    total = len(frame)
    rows = con.execute(
        f"select {column}, count(*) as c from orders where {column} >= 0 "
        f"group by {column} order by c desc, {column} limit ?",
        [n],
    ).fetchall()
    return [Count(names[k], int(c), c / total if total else 0.0) for k, c in rows]


def repeated_series(
    con: duckdb.DuckDBPyConnection,
    frame: OrderFrame,
    window_days: int = 30,
    min_orders: int = 3,
    limit: int = 100,
) -> list[RepeatSeries]:
    rows = con.execute(
        """
        with s as (
            select id, t, grid, cls,
                case when t - lag(t) over w > ? then 1 else 0 end as brk
            from orders where grid >= 0 and cls >= 0
            window w as (partition by grid, cls order by t, id)
        ), g as (
            select *, sum(brk) over (partition by grid, cls order by t, id
                                     rows unbounded preceding) as series
            from s
        )
        select grid, cls, count(*) as n, min(t) as first_t, max(t) as last_t,
               list(id order by t, id) as ids
        from g group by grid, cls, series
        having count(*) >= ?
        order by n desc, grid, cls, first_t
        limit ?
        """,
        [window_days * 86400, min_orders, limit],
    ).fetchall()
    return [
        RepeatSeries(
            frame.classes[cls],
            frame.grids[grid],
            int(n),
            int(a),
            int(b),
            tuple(int(i) for i in ids),
        )
        for grid, cls, n, a, b, ids in rows
    ]


def periodic_problems(
    con: duckdb.DuckDBPyConnection, frame: OrderFrame, min_weeks: int = 4, limit: int = 100
) -> list[PeriodicProblem]:
    rows = con.execute(
        """
        with o as (
            select grid, cls, (lt // 86400 + 3) // 7 as week,
                   (lt // 86400 + 3) % 7 as wd, (lt % 86400) // 3600 as hr
            from orders where grid >= 0 and cls >= 0
        ), k as (
            select grid, cls, count(distinct week) as weeks, count(*) as n
            from o group by grid, cls having count(distinct week) >= ?
        ), wd as (
            select grid, cls, wd, row_number() over (
                partition by grid, cls order by count(*) desc, wd) as r
            from o semi join k using (grid, cls) group by grid, cls, wd
        ), hr as (
            select grid, cls, hr, row_number() over (
                partition by grid, cls order by count(*) desc, hr) as r
            from o semi join k using (grid, cls) group by grid, cls, hr
        )
        select k.grid, k.cls, k.weeks, k.n, wd.wd, hr.hr
        from k join wd on wd.grid = k.grid and wd.cls = k.cls and wd.r = 1
               join hr on hr.grid = k.grid and hr.cls = k.cls and hr.r = 1
        order by k.weeks desc, k.n desc, k.cls, k.grid
        limit ?
        """,
        [min_weeks, limit],
    ).fetchall()
    return [
        PeriodicProblem(frame.classes[c], frame.grids[g], int(w), int(n), int(d), int(h))
        for g, c, w, n, d, h in rows
    ]


def weekday_hour(con: duckdb.DuckDBPyConnection) -> list[list[int]]:
    matrix = [[0] * 24 for _ in range(7)]
    for wd, hr, n in con.execute(
        "select (lt // 86400 + 3) % 7, (lt % 86400) // 3600, count(*) from orders group by 1, 2"
    ).fetchall():
        matrix[int(wd)][int(hr)] = int(n)
    return matrix


def report(
    frame: OrderFrame, top_n: int = 10, window_days: int = 30, min_orders: int = 3
) -> dict[str, Any]:
    con = connect(frame)
    try:
        return {
            "top_matters": top(con, frame, "cls", top_n),
            "top_grids": top(con, frame, "grid", top_n),
            "repeated": repeated_series(con, frame, window_days, min_orders, limit=top_n * 5),
            "periodic": periodic_problems(con, frame, limit=top_n * 3),
            "weekday_hour": weekday_hour(con),
        }
    finally:
        con.close()
