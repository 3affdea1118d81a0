"""A discrete-event generator of hotline work, for tests and the demo.

Calls arrive by hour and weekday; each order then moves as people would move it — the desk
dispatches, units sign, sometimes return, ignore or pass the order on, reply late or ask for
more time; the desk revisits, closes or reopens; some problems come back after closure — and
every step is a call of the real service functions at the simulated instant. Each order's fate
is drawn when it arrives, and the generator keeps the **truth** of what it made happen (every
dispatch signed on time or not, replied on time or not, every revisit's answer), so tests can
check the platform's rates and lists against what really happened.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import shapely
from sqlalchemy import select

from cityops.adapters.db.tables import geography as g
from cityops.adapters.db.unit_of_work import SharedTransaction
from cityops.domain.cases.model import Actor
from cityops.domain.cases.vocabulary import Role
from cityops.domain.catalog.model import UnitKind, Urgency
from cityops.domain.clock.limits import TimeLimit
from cityops.domain.hotline.model import Order
from cityops.domain.hotline.vocabulary import OrderKind, ReopenReason, Satisfaction
from cityops.errors import CityopsError
from cityops.services.hotline import commands as cmd
from cityops.services.hotline.settings import rules
from cityops.services.hotline.texts import order_text
from cityops.services.runtime import Runtime
from cityops.services.simulation.scenario import HOURLY, WEEKDAY

Action = Callable[[], None]
DESK = Actor("acceptor.hotline", Role.ACCEPTOR, None, "热线受理员")
LEAD = Actor("shift_leader.hotline", Role.SHIFT_LEADER, None, "热线值班长")
SATISFACTIONS = (
    Satisfaction.SATISFIED,
    Satisfaction.BASIC,
    Satisfaction.UNSATISFIED,
    Satisfaction.UNREACHED,
)


@dataclass(frozen=True)
class HotlineScenario:
    per_day: float = 200.0
    kind_share: dict[OrderKind, float] = field(
        default_factory=lambda: {
            OrderKind.COMPLAINT: 0.52,
            OrderKind.HELP: 0.24,
            OrderKind.CONSULT: 0.12,
            OrderKind.REPORT: 0.07,
            OrderKind.SUGGESTION: 0.05,
        }
    )
    p_direct_answer: float = 0.6  # of consultations
    p_urgent: float = 0.03
    p_void: float = 0.01
    p_wrong_dispatch: float = 0.08  # the first unit returns it
    p_passed_around: float = 0.03  # two units return it in turn
    p_ignored: float = 0.03  # the first unit never signs; the desk transfers it
    p_late_sign: float = 0.08
    p_late_reply: float = 0.08
    p_extension: float = 0.03
    p_unresolved: float = 0.05
    satisfaction: tuple[float, float, float, float] = (0.80, 0.08, 0.07, 0.05)
    p_reopen_unsatisfied: float = 0.6
    p_declines_revisit: float = 0.05
    p_comeback: float = 0.05  # the problem is back after closure: a new order, same place
    p_class_at_intake: float = 0.7  # else the dispatcher classifies before dispatching


@dataclass
class Script:
    kind: OrderKind
    class_code: str
    address: str
    urgency: Urgency
    route: list[str]  # units in the order they receive it; the last one is responsible
    mode: str = "normal"  # normal | wrong | passed | ignored
    void: bool = False
    direct: bool = False
    late_sign: bool = False
    late_reply: bool = False
    extension: bool = False
    unresolved: bool = False
    satisfaction: Satisfaction = Satisfaction.SATISFIED
    reopen: bool = False
    declines_revisit: bool = False
    comeback: bool = False
    named_class: bool = True  # the acceptor chose the class at intake (else the dispatcher does)
    step: int = 0  # which dispatch of the route is current
    reopened: bool = False


@dataclass
class TruthDispatch:
    order_id: int
    unit: str
    at: datetime
    sign: str = "pending"  # on_time | late | excluded | never
    reply: str = "open"  # on_time | late | returned | transferred | open


@dataclass
class Truth:
    """What the generator made happen, for checking the platform's figures."""

    received: dict[int, datetime] = field(default_factory=dict)
    voided: set[int] = field(default_factory=set)
    closed: set[int] = field(default_factory=set)
    dispatches: list[TruthDispatch] = field(default_factory=list)
    revisits: list[tuple[int, datetime, Satisfaction, str | None]] = field(default_factory=list)
    passed_around: set[int] = field(default_factory=set)
    ignored: list[TruthDispatch] = field(default_factory=list)
    comebacks: dict[int, int] = field(default_factory=dict)  # new order → the closed one
    refused: dict[str, int] = field(default_factory=dict)


@dataclass
class Spot:
    grid: str
    address: str


def load_spots(rt: Runtime, rng: random.Random) -> list[Spot]:
    """Address texts a caller could give, one or more per grid: a named place in the grid, or
    the community and a road nearby."""
    with rt.uow(readonly=True) as uow:
        regions = {
            r.code: r.name
            for r in uow.conn.execute(
                select(g.regions.c.code, g.regions.c.name).where(g.regions.c.level != "city")
            )
        }
        grids = uow.conn.execute(select(g.grids.c.code, g.grids.c.geometry)).all()
        roads = uow.conn.execute(
            select(g.roads.c.name, g.roads.c.geometry).where(g.roads.c.kind != "river")
        ).all()
        places = uow.conn.execute(select(g.places.c.name, g.places.c.grid_code)).all()
    spots: list[Spot] = []
    for p in places:
        if p.grid_code:
            spots.append(Spot(p.grid_code, p.name))
    if grids and roads:
        road_geoms = shapely.from_wkb([r.geometry for r in roads])
        tree = shapely.STRtree(road_geoms)
        grid_geoms = shapely.from_wkb([x.geometry for x in grids])
        near = tree.query(shapely.buffer(grid_geoms, 0.0005), predicate="intersects")
        by_grid: dict[int, list[str]] = {}
        for gi, ri in zip(near[0].tolist(), near[1].tolist(), strict=True):
            by_grid.setdefault(gi, []).append(roads[ri].name)
        for gi, names in by_grid.items():
            code = grids[gi].code
            community = regions.get(code[:12], "")
            district = regions.get(code[:6], "")
            road = rng.choice(sorted(set(names)))
            spots.append(Spot(code, f"{district}{community}{road}附近"))
    return spots


class HotlineSimulator:
    def __init__(
        self,
        rt: Runtime,
        scenario: HotlineScenario,
        *,
        start: datetime,
        days: int,
        settle_days: int = 0,
        until: datetime | None = None,
        seed: int = 12345,
        batch: int = 1,
        on_day: Callable[[int], None] | None = None,
    ) -> None:
        """Calls arrive over ``days`` days from ``start``; the work goes on ``settle_days``
        more. Nothing happens at or after ``until`` (e.g. now, for a history up to the
        present)."""
        self.rt = rt
        self.sc = scenario
        self.start = start
        self.arrivals_end = start + timedelta(days=days)
        self.end = self.arrivals_end + timedelta(days=settle_days)
        if until is not None:
            self.arrivals_end = min(self.arrivals_end, until)
            self.end = min(self.end, until)
        self.days = days
        self.rng = random.Random(seed)
        self.batch = max(1, batch)
        self.on_day = on_day
        self.queue: list[tuple[datetime, int, Action]] = []
        self.counter = 0
        self.now = start
        self.truth = Truth()
        self.scripts: dict[int, Script] = {}
        self.current: dict[int, TruthDispatch] = {}
        self.rules = rules(rt)
        profile = rt.policy.profile
        self.tz = ZoneInfo(profile.calendar.time_zone)
        weights: dict[str, float] = {}
        for cond in profile.conditions.values():
            if cond.class_code in profile.classes:
                weights[cond.class_code] = weights.get(cond.class_code, 0.0) + max(cond.weight, 0.0)
        self.classes = sorted(c for c, w in weights.items() if w > 0) or sorted(profile.classes)
        self.class_weights = [weights.get(c, 1.0) for c in self.classes]
        self.streets = [u.code for u in profile.units.values() if u.kind == UnitKind.STREET]
        self.depts = [
            u.code
            for u in profile.units.values()
            if u.kind in (UnitKind.DEPARTMENT, UnitKind.COMPANY)
        ]
        self.spots = load_spots(rt, self.rng)

    # ------------------------------------------------------------------ plumbing
    def at(self, when: datetime, action: Action) -> None:
        if when < self.end:
            self.counter += 1
            heapq.heappush(self.queue, (when, self.counter, action))

    def after(self, seconds: float, action: Action) -> None:
        self.at(self.now + timedelta(seconds=max(1.0, seconds)), action)

    def after_working(self, seconds: float, action: Action) -> None:
        self.at(self.rules.calendar.advance(self.now, max(60, int(seconds)), True), action)

    def after_limit(self, limit: TimeLimit, fraction: float, action: Action) -> None:
        """At ``fraction`` of a limit counted from now (in the limit's own time)."""
        seconds = int(limit.seconds(self.rules.calendar.day_seconds) * fraction)
        self.at(
            self.rules.calendar.advance(self.now, max(60, seconds), limit.unit.is_working), action
        )

    def run(self) -> Truth:
        self.rt.now = lambda: self.now
        self._plan_arrivals()
        marks = [self.start + timedelta(days=d + 1) for d in range(self.days)]
        mark = 0
        shared = SharedTransaction(self.rt.engine) if self.batch > 1 else None
        self.rt.shared = shared
        try:
            while self.queue:
                when, _, action = heapq.heappop(self.queue)
                while mark < len(marks) and when >= marks[mark]:
                    mark += 1
                    if self.on_day:
                        self.on_day(mark)
                self.now = when
                action()
                if shared is not None and shared.pending >= self.batch:
                    shared.flush()
        finally:
            self.rt.shared = None
            if shared is not None:
                shared.close()
        self.now = self.end
        while mark < len(marks):  # days at the end where nothing happened
            mark += 1
            if self.on_day:
                self.on_day(mark)
        return self.truth

    def _do(self, label: str, fn: Callable[[], Order]) -> Order | None:
        try:
            return fn()
        except CityopsError as exc:
            key = f"{label}:{exc.code}"
            self.truth.refused[key] = self.truth.refused.get(key, 0) + 1
            return None

    # ------------------------------------------------------------------ arrivals
    def _plan_arrivals(self) -> None:
        from cityops.domain.cases.vocabulary import Channel

        hours = HOURLY[Channel.HOTLINE]
        for d in range(self.days):
            local = (self.start + timedelta(days=d)).astimezone(self.tz)
            mean = self.sc.per_day * WEEKDAY[Channel.HOTLINE][local.weekday()]
            for _ in range(_poisson(self.rng, mean)):
                hour = self.rng.choices(range(24), weights=hours)[0]
                when = local.replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(
                    seconds=self.rng.uniform(0, 3600)
                )
                if when >= self.start:
                    self.at(when.astimezone(self.start.tzinfo), partial(self._arrive, None))

    def _right_unit(self, spot: Spot, class_code: str) -> str:
        from cityops.domain.catalog.routing import suggest_unit
        from cityops.domain.geo.model import Location

        s = suggest_unit(
            self.rt.policy.profile, class_code, Location.from_grid(0.0, 0.0, spot.grid)
        )
        if s is not None:
            return s.unit_code
        return self.rng.choice(self.streets or self.depts)

    def _other_unit(self, avoid: set[str]) -> str:
        pool = [u for u in self.streets + self.depts if u not in avoid]
        return self.rng.choice(pool)

    def _draw(self, comeback_of: Script | None) -> Script:
        sc, rng = self.sc, self.rng
        if comeback_of is not None:
            kind, class_code, address = (
                OrderKind.COMPLAINT,
                comeback_of.class_code,
                comeback_of.address,
            )
            right = comeback_of.route[-1]
        else:
            kinds = list(sc.kind_share)
            kind = rng.choices(kinds, weights=[sc.kind_share[k] for k in kinds])[0]
            class_code = rng.choices(self.classes, weights=self.class_weights)[0]
            spot = rng.choice(self.spots)
            address = spot.address
            right = self._right_unit(spot, class_code)
        s = Script(
            kind=kind,
            class_code=class_code,
            address=address,
            urgency=Urgency.URGENT if rng.random() < sc.p_urgent else Urgency.NORMAL,
            route=[right],
        )
        s.void = rng.random() < sc.p_void
        s.direct = kind == OrderKind.CONSULT and rng.random() < sc.p_direct_answer
        r = rng.random()
        if r < sc.p_wrong_dispatch:
            s.mode = "wrong"
            s.route = [self._other_unit({right}), right]
        elif r < sc.p_wrong_dispatch + sc.p_passed_around:
            s.mode = "passed"
            first = self._other_unit({right})
            s.route = [first, self._other_unit({right, first}), right]
        elif r < sc.p_wrong_dispatch + sc.p_passed_around + sc.p_ignored:
            s.mode = "ignored"
            s.route = [self._other_unit({right}), right]
        s.late_sign = rng.random() < sc.p_late_sign
        s.extension = rng.random() < sc.p_extension
        s.late_reply = not s.extension and rng.random() < sc.p_late_reply
        s.unresolved = rng.random() < sc.p_unresolved
        s.satisfaction = rng.choices(SATISFACTIONS, weights=sc.satisfaction)[0]
        s.reopen = rng.random() < sc.p_reopen_unsatisfied
        s.declines_revisit = rng.random() < sc.p_declines_revisit
        s.comeback = comeback_of is None and rng.random() < sc.p_comeback
        s.named_class = rng.random() < sc.p_class_at_intake
        return s

    def _arrive(self, comeback_of: int | None) -> None:
        if self.now >= self.arrivals_end:
            return
        earlier = self.scripts.get(comeback_of) if comeback_of is not None else None
        s = self._draw(earlier)
        cls = self.rt.policy.profile.classes[s.class_code]
        text = order_text(s.class_code, cls.name, s.address, s.kind.value, self.rng)
        phone = "1" + str(self.rng.choice((3, 5, 7, 8, 9))) + f"{self.rng.randrange(10**9):09d}"
        order = self._do(
            "receive",
            lambda: (
                cmd.receive_order(
                    self.rt,
                    DESK,
                    content=text,
                    kind=s.kind,
                    urgency=s.urgency,
                    address=s.address,
                    caller_name=self.rng.choice(("王先生", "李女士", "张先生", "刘女士")),
                    caller_phone=phone,
                    revisit_required=not s.declines_revisit,
                    class_code=s.class_code if s.named_class else None,
                    answer="已在电话中答复来电人" if s.direct else None,
                ).order
            ),
        )
        if order is None:
            return
        self.scripts[order.id] = s
        self.truth.received[order.id] = self.now
        if comeback_of is not None:
            self.truth.comebacks[order.id] = comeback_of
        if s.mode == "passed" and not s.void and not s.direct:
            self.truth.passed_around.add(order.id)
        if s.void:
            self.after(self.rng.uniform(300, 1800), partial(self._void, order.id))
        elif s.direct:
            self.after_working(self.rng.uniform(1, 8) * 3600, partial(self._revisit, order.id))
        else:
            self.after(self.rng.uniform(120, 1500), partial(self._dispatch, order.id))

    # ------------------------------------------------------------------ the desk
    def _void(self, order_id: int) -> None:
        if self._do("void", lambda: cmd.void_order(self.rt, LEAD, order_id, reason="无效来电")):
            self.truth.voided.add(order_id)

    def _dispatch(self, order_id: int, transfer: bool = False) -> None:
        s = self.scripts[order_id]
        unit = s.route[s.step]
        if not s.named_class and s.step == 0 and not transfer:
            code = s.class_code
            if not self._do(
                "classify", lambda: cmd.classify_order(self.rt, DESK, order_id, class_code=code)
            ):
                return
            s.named_class = True
        order = self._do(
            "dispatch",
            lambda: cmd.dispatch_order(
                self.rt, DESK, order_id, unit=unit, opinion="转有关单位办理" if transfer else ""
            ),
        )
        if order is None:
            return
        d = TruthDispatch(order_id, unit, self.now)
        self.truth.dispatches.append(d)
        self.current[order_id] = d
        self._unit_takes_it(order_id, order)

    def _unit_takes_it(self, order_id: int, order: Order) -> None:
        s = self.scripts[order_id]
        sign_limit = self.rules.policy.sign_limit_for(s.urgency)
        last = s.step == len(s.route) - 1
        if not last and s.mode in ("wrong", "passed"):
            self.after_limit(
                sign_limit, self.rng.uniform(0.1, 0.6), partial(self._return, order_id)
            )
        elif not last and s.mode == "ignored":
            grace = self.rules.policy.not_acted_grace
            deadline = order.sign_deadline or self.now
            limit = self.rules.calendar.advance(
                deadline, grace.seconds(self.rules.calendar.day_seconds), grace.unit.is_working
            )
            self.at(
                limit + timedelta(minutes=self.rng.uniform(30, 240)),
                partial(self._transfer, order_id),
            )
        else:
            late = s.late_sign and not s.reopened
            fraction = self.rng.uniform(1.2, 2.5) if late else self.rng.uniform(0.05, 0.8)
            self.after_limit(sign_limit, fraction, partial(self._sign, order_id))

    def _transfer(self, order_id: int) -> None:
        d = self.current[order_id]
        d.sign, d.reply = "never", "transferred"
        self.truth.ignored.append(d)
        self.scripts[order_id].step += 1
        self._dispatch(order_id, transfer=True)

    # ------------------------------------------------------------------ the unit
    def _actor(self, unit: str) -> Actor:
        return Actor(f"handler.{unit}", Role.HANDLER, unit)

    def _return(self, order_id: int) -> None:
        d = self.current[order_id]
        if self._do(
            "return",
            lambda: cmd.return_order(
                self.rt, self._actor(d.unit), order_id, reason="不属于本单位职责"
            ),
        ):
            d.sign, d.reply = "excluded", "returned"
            self.scripts[order_id].step += 1
            self.after(self.rng.uniform(300, 1800), partial(self._dispatch, order_id))

    def _sign(self, order_id: int) -> None:
        d = self.current[order_id]
        order = self._do("sign", lambda: cmd.sign_order(self.rt, self._actor(d.unit), order_id))
        if order is None:
            return
        s = self.scripts[order_id]
        d.sign = "late" if s.late_sign and not s.reopened else "on_time"  # by construction
        limit = TimeLimit.parse(order.handling_limit or "5 working_days")
        deadline = order.handling_deadline or self.now
        late = s.late_reply and not s.reopened
        if s.extension and not s.reopened:
            self.after_limit(limit, 0.3, partial(self._ask_more_time, order_id))
        elif late:
            overshoot = (deadline - d.at).total_seconds() * self.rng.uniform(0.05, 0.5)
            self.at(
                deadline + timedelta(seconds=max(600.0, overshoot)), partial(self._reply, order_id)
            )
        else:
            self._reply_before(order_id, deadline)

    def _reply_before(self, order_id: int, deadline: datetime) -> None:
        span = max(60.0, (deadline - self.now).total_seconds())
        self.after(span * self.rng.uniform(0.2, 0.9), partial(self._reply, order_id))

    def _ask_more_time(self, order_id: int) -> None:
        d = self.current[order_id]
        amount = TimeLimit.parse("2 working_days")
        if self._do(
            "extension",
            lambda: cmd.request_extension(
                self.rt, self._actor(d.unit), order_id, amount=amount, reason="需协调相关单位"
            ),
        ):
            self.after(self.rng.uniform(600, 3600), partial(self._grant, order_id))

    def _grant(self, order_id: int) -> None:
        order = self._do(
            "grant", lambda: cmd.decide_extension(self.rt, LEAD, order_id, approved=True)
        )
        if order is not None and order.handling_deadline is not None:
            self._reply_before(order_id, order.handling_deadline)

    def _reply(self, order_id: int) -> None:
        d = self.current[order_id]
        s = self.scripts[order_id]
        order = self._do(
            "reply",
            lambda: cmd.reply_order(
                self.rt,
                self._actor(d.unit),
                order_id,
                text="已按要求办理并答复来电人" if not s.unresolved else "已答复，问题需长期协调",
                resolved=not s.unresolved,
            ),
        )
        if order is None:
            return
        d.reply = "late" if s.late_reply and not s.reopened else "on_time"  # by construction
        self.after_working(self.rng.uniform(1, 12) * 3600, partial(self._revisit, order_id))

    # ------------------------------------------------------------------ revisit and closure
    def _revisit(self, order_id: int, attempt: int = 1) -> None:
        s = self.scripts[order_id]
        if s.declines_revisit:
            self._close(order_id)
            return
        answer = s.satisfaction if not s.reopened else Satisfaction.SATISFIED
        note = "来电人表示问题没有解决" if answer == Satisfaction.UNSATISFIED else ""
        order = self._do(
            "revisit",
            lambda: cmd.revisit_order(self.rt, DESK, order_id, satisfaction=answer, note=note),
        )
        if order is None:
            return
        unit = None if s.direct else s.route[-1]
        self.truth.revisits.append((order_id, self.now, answer, unit))
        if answer == Satisfaction.UNREACHED and attempt < self.rules.policy.max_revisit_attempts:
            self.after_working(
                self.rng.uniform(1, 4) * 3600, partial(self._revisit, order_id, attempt + 1)
            )
        elif answer == Satisfaction.UNSATISFIED and s.reopen and not s.reopened:
            self.after(self.rng.uniform(600, 3600), partial(self._reopen, order_id))
        else:
            self.after(self.rng.uniform(60, 1800), partial(self._close, order_id))

    def _reopen(self, order_id: int) -> None:
        s = self.scripts[order_id]
        order = self._do(
            "reopen",
            lambda: cmd.reopen_order(
                self.rt,
                DESK,
                order_id,
                reason_code=ReopenReason.UNSATISFIED,
                reason="回访不满意，重办",
            ),
        )
        if order is None or order.unit is None:
            return
        s.reopened = True
        d = TruthDispatch(order_id, order.unit, self.now)
        self.truth.dispatches.append(d)
        self.current[order_id] = d
        self._unit_takes_it(order_id, order)

    def _close(self, order_id: int) -> None:
        s = self.scripts[order_id]
        sat = None if s.declines_revisit else (s.satisfaction if not s.reopened else None)
        needs_note = s.unresolved or sat in (Satisfaction.UNSATISFIED, Satisfaction.UNREACHED)
        order = self._do(
            "close",
            lambda: cmd.close_order(
                self.rt, DESK, order_id, note="已向来电人解释说明" if needs_note else ""
            ),
        )
        if order is None:
            return
        self.truth.closed.add(order_id)
        if s.comeback:
            self.after(self.rng.uniform(0.5, 5) * 86400, partial(self._arrive, order_id))


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    threshold, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= threshold:
            return k
        k += 1
