"""Deadlines and elapsed time for many cases at once, with NumPy.

Same semantics and same tables as the scalar ``WorkCalendar.advance`` / ``elapsed`` (epoch
seconds in, epoch seconds out), for the sweeps, simulations and evaluations that handle
hundreds of thousands of clocks.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cityops.domain.clock.calendar import MAX_YEAR, MIN_YEAR, WorkCalendar
from cityops.errors import CalendarError

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_MAX_AMOUNT = (MAX_YEAR - MIN_YEAR + 1) * 366 * 86400


def _inputs(
    a: npt.ArrayLike, b: npt.ArrayLike, working: npt.ArrayLike
) -> tuple[Int64Array, Int64Array, BoolArray]:
    try:
        x, y, w = np.broadcast_arrays(
            np.asarray(a, dtype=np.int64),
            np.asarray(b, dtype=np.int64),
            np.asarray(working, dtype=np.bool_),
        )
    except ValueError as exc:
        raise CalendarError(
            "calendar.shape_mismatch", "输入数组的长度不一致", reason=str(exc)
        ) from None
    return x, y, w


def deadlines(
    cal: WorkCalendar, starts: npt.ArrayLike, amounts: npt.ArrayLike, working: npt.ArrayLike
) -> Int64Array:
    """``cal.advance_epoch(start, amount, working)`` element by element.

    ``starts`` are epoch seconds, ``amounts`` non-negative seconds (working or natural as
    ``working`` says); the result is epoch seconds."""
    s, a, w = _inputs(starts, amounts, working)
    if a.size and int(a.min()) < 0:
        raise CalendarError("calendar.amount_negative", "时长不能为负数", value=int(a.min()))
    if a.size and int(a.max()) > _MAX_AMOUNT:  # also keeps start + amount inside int64
        raise CalendarError(
            "calendar.out_of_range", "时长超出工作日历支持的范围", value=int(a.max())
        )
    out = s + a
    sel = w & (a > 0)
    if not sel.any():
        return out
    ws, wa = s[sel], a[sel]
    cal.check_reach(int((ws + wa).max()))
    tables = cal.tables(int(ws.min()), int(ws.max()))
    while True:
        target = tables.positions(ws) + wa
        deficit = int(target.max()) - tables.total
        if deficit <= 0:
            break
        tables = cal.grown(tables, deficit)
    out[sel] = tables.instants(target)
    return out


def elapsed(
    cal: WorkCalendar, starts: npt.ArrayLike, ends: npt.ArrayLike, working: npt.ArrayLike
) -> Int64Array:
    """``cal.elapsed_epoch(start, end, working)`` element by element (0 where end <= start)."""
    s, e, w = _inputs(starts, ends, working)
    out = np.maximum(e - s, 0)
    sel = w & (e > s)
    if not sel.any():
        return out
    ws, we = s[sel], e[sel]
    tables = cal.tables(int(ws.min()), int(we.max()))
    out[sel] = tables.positions(we) - tables.positions(ws)
    return out
