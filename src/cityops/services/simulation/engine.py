"""A discrete-event simulation of a city's case work.

Reports arrive by channel, hour and weekday; each case then moves through the loop as people
would move it — inspectors verify and check on site in working time, the centre's desk staff
accept and dispatch around the clock, units handle their cases in working time against their
limits — and every step is a call of the real service functions (``services.cases``) at the
simulated instant. Some cases are rejected, returned, extended, suspended, reworked, cancelled
or handled late; the overdue sweep runs every simulated hour.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from cityops.domain.cases.model import Actor, Case
from cityops.domain.cases.vocabulary import CaseState, Channel, RejectReason, Role
from cityops.domain.catalog.model import FilingCondition
from cityops.domain.clock.limits import TimeLimit
from cityops.errors import CityopsError
from cityops.services import cases as svc
from cityops.services.cases import Upload
from cityops.services.runtime import Runtime
from cityops.services.simulation.photos import PhotoPool
from cityops.services.simulation.scenario import HOURLY, WEEKDAY, Scenario
from cityops.services.simulation.texts import describe
from cityops.services.simulation.world import World
from cityops.services.sweep import sweep_overdue

Action = Callable[[], None]


@dataclass
class Script:
    """What will happen to one case, drawn when it is reported."""

    condition: FilingCondition
    true_class: str
    found: bool = True
    out_of_scope: bool = False
    wrong_dispatch: bool = False
    extension: bool = False
    suspension: bool = False
    cancel: bool = False
    overdue: bool = False
    reworks: int = 0
    dispatched_unit: str | None = None


@dataclass
class SimStats:
    reports: int = 0
    commands: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)
    warnings: int = 0


class Simulator:
    def __init__(
        self,
        rt: Runtime,
        world: World,
        scenario: Scenario,
        *,
        start: datetime,
        days: int = 0,
        end: datetime | None = None,
        seed: int = 20251001,
        batch: int = 1,
        on_day: Callable[[int], None] | None = None,
    ) -> None:
        """Simulate ``[start, start + days)``, or ``[start, end)`` when ``end`` is given.
        ``start`` need not be a midnight: arrivals are planned by the city's days and those
        outside the window are left out."""
        self.rt = rt
        self.world = world
        self.sc = scenario
        self.start = start
        self.end = end if end is not None else start + timedelta(days=days)
        self.days = (
            days if end is None else max(1, math.ceil((self.end - start) / timedelta(days=1)))
        )
        self.rng = random.Random(seed)
        self.batch = max(1, batch)
        self.on_day = on_day
        self.queue: list[tuple[datetime, int, Action]] = []
        self.counter = 0
        self.now = start
        self.stats = SimStats()
        self.scripts: dict[int, Script] = {}
        self.latest: dict[int, Case] = {}  # each case as the last command left it
        self.photos = PhotoPool(seed)
        self.tz = ZoneInfo(rt.policy.profile.calendar.time_zone)
        self.cal = rt.policy.calendar
        self.next_day = self._midnight(start)  # the next city day whose arrivals to plan
        conds = [c for c in rt.policy.profile.conditions.values() if c.weight > 0]
        self.conditions = conds
        self.condition_weights = [c.weight for c in conds]

    # ------------------------------------------------------------------ plumbing
    def at(self, when: datetime, action: Action) -> None:
        if when < self.end:
            self.counter += 1
            heapq.heappush(self.queue, (when, self.counter, action))

    def after(self, seconds: float, action: Action) -> None:
        self.at(self.now + timedelta(seconds=max(1.0, seconds)), action)

    def after_working(self, seconds: float, action: Action) -> None:
        self.at(self.cal.advance(self.now, max(60, int(seconds)), True), action)

    def run(self) -> SimStats:
        self.rt.now = lambda: self.now
        self._plan_arrivals(self.end)
        step = timedelta(minutes=self.sc.sweep_every_minutes)
        t = self.start + step
        while t < self.end:
            self.at(t, self._sweep)
            t += step
        day_marks = [self.start + timedelta(days=d + 1) for d in range(self.days)]
        next_mark = 0
        from cityops.adapters.db.unit_of_work import SharedTransaction

        shared = SharedTransaction(self.rt.engine) if self.batch > 1 else None
        self.rt.shared = shared
        try:
            while self.queue:
                when, _, action = heapq.heappop(self.queue)
                while next_mark < len(day_marks) and when >= day_marks[next_mark]:
                    next_mark += 1
                    if self.on_day:
                        self.on_day(next_mark)
                self.now = when
                action()
                if shared is not None and shared.pending >= self.batch:
                    shared.flush()
            self.now = self.end
            if shared is not None:
                shared.flush()
            self._sweep()
        finally:
            self.rt.shared = None
            if shared is not None:
                shared.close()
        while next_mark < len(day_marks):
            next_mark += 1
            if self.on_day:
                self.on_day(next_mark)
        return self.stats

    def advance(self, until: datetime) -> int:
        """Live use (a demo city kept going while the server runs): plan each new city day's
        reports as it begins and carry out every action due by ``until``, at ``until`` (the
        real time of the call: a step is never recorded before a person's step that came in
        meanwhile). Commits every command at once; returns how many were carried out. The
        server's own sweep raises the warnings."""
        self.rt.now = lambda: self.now
        self._plan_arrivals(until)
        done = self.stats.commands
        self.now = max(self.now, until)
        while self.queue and self.queue[0][0] <= until:
            _, _, action = heapq.heappop(self.queue)
            action()
        return self.stats.commands - done

    def adopt_open_cases(self) -> int:
        """Take over the open cases already in the database (left by an earlier run, or by
        people): each gets a script and its next step by its state, so the city carries on
        where it stood. Returns how many were taken over."""
        with self.rt.uow(readonly=True) as uow:
            found = uow.cases.open_cases()
        for case in found:
            self.latest[case.id] = case
            self.scripts[case.id] = self._script_for(case)
            self._continue(case)
        return len(found)

    def _script_for(self, case: Case) -> Script:
        cond = self.rt.policy.profile.conditions.get(case.condition_code or "")
        if cond is None:
            same = [c for c in self.conditions if c.class_code == case.class_code]
            pool = same or self.conditions
            cond = self.rng.choices(pool, weights=[c.weight for c in pool])[0]
        sc = self.sc
        return Script(
            condition=cond,
            true_class=cond.class_code,
            found=not (case.state == CaseState.VERIFYING and self.rng.random() < sc.p_not_found),
            extension=case.extension_count == 0 and self.rng.random() < sc.p_extension,
            suspension=case.suspension_count == 0 and self.rng.random() < sc.p_suspension,
            overdue=self.rng.random() < sc.p_overdue_handling,
            reworks=case.rework_count,
            dispatched_unit=case.assigned_unit,
        )

    def _continue(self, case: Case) -> None:
        """Schedule an adopted case's next step."""
        cid, state = case.id, case.state
        if state == CaseState.REPORTED:
            self.after(self.desk_delay(False), partial(self._accept, cid, False, []))
        elif state == CaseState.VERIFYING:
            self.after_working(self.field_delay(False), partial(self._verify, cid, False, []))
        elif state == CaseState.FILED:
            self.after(self.desk_delay(False), partial(self._dispatch, cid))
        elif state == CaseState.DISPATCHED:
            handler = self.world.staff.handlers.get(case.assigned_unit or "")
            clock = case.handling
            if handler is None or clock is None:
                return
            rest = max(600.0, (clock.limit_seconds - clock.used_seconds) * 0.5)
            if case.pending_extension:
                approved = self.rng.random() < self.sc.p_extension_approved
                self.after(
                    self.desk_delay(False),
                    partial(self._decide_extension, cid, handler, approved, rest),
                )
            elif case.suspended:
                self.after(self.rng.uniform(1, 5) * 86400, partial(self._resume, cid, rest))
            else:
                self._plan_handling(cid, case)
        elif state == CaseState.HANDLED:
            self.after(self.desk_delay(False), partial(self._request_check, cid))
        elif state == CaseState.CHECKING:
            inspector = self.world.staff.inspector_actor(case.community_code)
            if case.checker and case.checker != inspector.id:
                inspector = Actor(case.checker, Role.INSPECTOR)
            self.after_working(self.field_delay(False), partial(self._check, cid, inspector))

    def _do(self, label: str, fn: Callable[[], Case | None]) -> Case | None:
        try:
            case = fn()
        except CityopsError as exc:
            self.stats.refused[f"{label}:{exc.code}"] += 1
            return None
        self.stats.commands += 1
        self.stats.events[label] += 1
        if case is not None:
            if case.state.is_terminal:
                self.latest.pop(case.id, None)
            else:
                self.latest[case.id] = case
        return case

    def case(self, case_id: int) -> Case:
        """The case as the simulation last left it (what the person acting has on screen)."""
        known = self.latest.get(case_id)
        return known if known is not None else svc.get_case(self.rt, case_id)

    def _sweep(self) -> None:
        r = sweep_overdue(self.rt, self.now)
        self.stats.warnings += r.yellow + r.red

    def pick(self, actors: list[Actor]) -> Actor:
        return self.rng.choice(actors)

    def desk_delay(self, late: bool) -> float:
        """Seconds an acceptor or dispatcher takes; slower at night, sometimes late."""
        local_hour = self.now.astimezone(self.tz).hour
        base = self.rng.lognormvariate(math.log(300), 0.6)
        if local_hour < 7 or local_hour >= 22:
            base *= 2.0
        if late:
            base = self.rng.uniform(35, 120) * 60
        return base

    def field_delay(self, late: bool) -> float:
        """Working seconds an inspector takes to verify or check on site."""
        if late:
            return self.rng.uniform(1.2, 3.0) * 3600
        return min(3300.0, self.rng.lognormvariate(math.log(1500), 0.5))

    # ------------------------------------------------------------------ arrivals
    def _midnight(self, when: datetime) -> datetime:
        """The start of the city day ``when`` falls in (as UTC)."""
        local = when.astimezone(self.tz)
        return datetime.combine(local.date(), time(0), self.tz).astimezone(UTC)

    def _plan_arrivals(self, until: datetime) -> None:
        """Plan the reports of every city day that begins before ``until``."""
        while self.next_day < until:
            self._plan_day(self.next_day)
            local = self.next_day.astimezone(self.tz).date() + timedelta(days=1)
            self.next_day = datetime.combine(local, time(0), self.tz).astimezone(UTC)

    def _plan_day(self, day_start: datetime) -> None:
        local = day_start.astimezone(self.tz)
        for channel, share in self.sc.channel_share.items():
            mean = self.sc.per_day * share * WEEKDAY[channel][local.weekday()]
            n = _poisson(self.rng, mean)
            hours = HOURLY[channel]
            for _ in range(n):
                hour = self.rng.choices(range(24), weights=hours)[0]
                when = local.replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(
                    seconds=self.rng.uniform(0, 3600)
                )
                if when >= self.now:  # a window that starts mid-day leaves out the hours before
                    self.at(when.astimezone(UTC), partial(self._arrive, channel))

    def _arrive(self, channel: Channel) -> None:
        cond = self.rng.choices(self.conditions, weights=self.condition_weights)[0]
        grid = self.world.pick_grid(self.rng)
        lon, lat = self.world.point_in(grid, self.rng)
        community = grid[:12]
        address = self.world.address(grid, self.rng)
        class_code = cond.class_code
        reporter: Actor
        kw: dict[str, Any] = {}
        if channel == Channel.INSPECTOR:
            reporter = self.world.staff.inspector_actor(community)
        elif channel in (Channel.VIDEO_AI, Channel.SENSOR):
            reporter = Actor(f"system.{channel.value}", Role.SYSTEM)
        elif channel == Channel.PUBLIC:
            reporter = Actor(f"citizen.{self.rng.randrange(10**6):06d}", Role.PUBLIC)
            if self.rng.random() > self.sc.p_public_names_class:
                class_code = None  # type: ignore[assignment]
            kw["reporter_phone"] = f"13{self.rng.randrange(10**9):09d}"
        elif channel == Channel.LEADER:
            reporter = self.pick(self.world.staff.leaders)
        else:  # hotline, media: entered by an acceptor
            reporter = self.pick(self.world.staff.acceptors)
            if channel == Channel.HOTLINE:
                kw["reporter_phone"] = (
                    f"1{self.rng.randrange(3, 10)}{self.rng.randrange(10**9):09d}"
                )
                kw["reporter_name"] = self.rng.choice("王李张刘陈杨赵黄周吴") + self.rng.choice(
                    ["先生", "女士"]
                )
                kw["source_ref"] = f"12345-{self.rng.randrange(10**8):08d}"
        name = self.rt.policy.profile.classes[cond.class_code].name
        photos = [Upload(self.photos.before(cond.class_code), "现场照片.jpg", "before")]
        res = None
        try:
            res = svc.report_case(
                self.rt,
                reporter,
                channel=channel,
                description=describe(name, address, self.rng, channel.value),
                address=address,
                lon=lon,
                lat=lat,
                class_code=class_code,
                urgency=cond.urgency,
                photos=photos if channel != Channel.HOTLINE else (),
                **kw,
            )
        except CityopsError as exc:
            self.stats.refused[f"reported:{exc.code}"] += 1
            return
        self.stats.reports += 1
        self.stats.commands += 1
        self.stats.events["reported"] += 1
        case = res.case
        self.latest[case.id] = case
        sc = self.sc
        script = Script(
            condition=cond,
            true_class=cond.class_code,
            found=not (case.state == CaseState.VERIFYING and self.rng.random() < sc.p_not_found),
            out_of_scope=self.rng.random() < sc.p_out_of_scope,
            wrong_dispatch=self.rng.random() < sc.p_wrong_dispatch,
            extension=self.rng.random() < sc.p_extension,
            suspension=self.rng.random() < sc.p_suspension,
            cancel=self.rng.random() < sc.p_cancel,
            overdue=self.rng.random() < sc.p_overdue_handling,
        )
        self.scripts[case.id] = script
        dup = bool(res.duplicates) and self.rng.random() < sc.p_merge_duplicate
        if case.state == CaseState.VERIFYING:
            late = self.rng.random() < sc.p_late_field
            self.after_working(
                self.field_delay(late), lambda: self._verify(case.id, dup, res.duplicates)
            )
        else:
            late = self.rng.random() < sc.p_late_desk
            self.after(self.desk_delay(late), lambda: self._accept(case.id, dup, res.duplicates))

    # ------------------------------------------------------------------ the loop
    def _verify(self, case_id: int, dup: bool, dups: list[dict[str, Any]]) -> None:
        s = self.scripts[case_id]
        case = self.case(case_id)
        who = self.world.staff.inspector_actor(case.community_code)
        opinion = "现场核实属实" if s.found else "现场未发现该问题"
        ok = self._do(
            "verified",
            lambda: svc.verify_case(
                self.rt,
                who,
                case_id,
                found=s.found,
                opinion=opinion,
                photos=[Upload(self.photos.field(case_id), "核实照片.jpg", "verify")],
            ),
        )
        if ok:
            late = self.rng.random() < self.sc.p_late_desk
            self.after(self.desk_delay(late), lambda: self._accept(case_id, dup, dups))

    def _accept(self, case_id: int, dup: bool, dups: list[dict[str, Any]]) -> None:
        s = self.scripts[case_id]
        who = self.pick(self.world.staff.acceptors)
        if not s.found:
            self._end(
                case_id,
                "rejected",
                lambda: svc.reject_case(
                    self.rt, who, case_id, reason_code=RejectReason.NOT_FOUND, reason="核实不属实"
                ),
            )
            return
        if dup:
            self._end(
                case_id,
                "rejected",
                lambda: svc.reject_case(
                    self.rt,
                    who,
                    case_id,
                    reason_code=RejectReason.DUPLICATE,
                    reason="与在办案卷重复",
                    duplicate_of=int(dups[0]["case_id"]),
                ),
            )
            return
        if s.out_of_scope:
            reason = self.rng.choice(
                [
                    (RejectReason.OUT_OF_SCOPE, "不属于城市管理受理范围"),
                    (RejectReason.NO_CONDITION, "未达到立案条件"),
                ]
            )
            self._end(
                case_id,
                "rejected",
                lambda: svc.reject_case(
                    self.rt, who, case_id, reason_code=reason[0], reason=reason[1]
                ),
            )
            return
        ok = self._do(
            "filed",
            lambda: svc.file_case(
                self.rt, who, case_id, class_code=s.true_class, condition_code=s.condition.code
            ),
        )
        if not ok:
            self.scripts.pop(case_id, None)
            return
        if s.cancel and self.rng.random() < 0.5:
            self.after(self.rng.uniform(600, 7200), lambda: self._cancel(case_id))
            return
        late = self.rng.random() < self.sc.p_late_desk
        self.after(self.desk_delay(late), lambda: self._dispatch(case_id))

    def _end(self, case_id: int, label: str, fn: Callable[[], Case]) -> None:
        self._do(label, fn)
        self.scripts.pop(case_id, None)

    def _cancel(self, case_id: int) -> None:
        who = self.pick(self.world.staff.shift_leaders)
        self._end(
            case_id,
            "cancelled",
            lambda: svc.cancel_case(
                self.rt,
                who,
                case_id,
                reason=self.rng.choice(
                    ["案卷信息有误，作废", "与其他案卷重复立案", "不属于本平台处置范围"]
                ),
            ),
        )

    def _dispatch(self, case_id: int) -> None:
        s = self.scripts.get(case_id)
        if s is None:
            return
        who = self.pick(self.world.staff.dispatchers)
        case = self.case(case_id)
        suggestion = svc.routing_suggestion(self.rt, case)
        unit = suggestion.unit_code if suggestion else None
        if unit is None:
            unit = self.rng.choice(list(self.world.staff.handlers))
        wrong = s.wrong_dispatch and case.return_count == 0
        if wrong:
            others = [u for u in self.world.streets_near(case.district_code) if u != unit]
            if others:
                unit = self.rng.choice(others)
            else:
                wrong = False
        c = self._do("dispatched", lambda: svc.dispatch_case(self.rt, who, case_id, unit=unit))
        if c is None:
            self.scripts.pop(case_id, None)
            return
        s.dispatched_unit = unit
        handler = self.world.staff.handlers[unit]
        if wrong:
            self.after_working(self.rng.uniform(600, 5400), lambda: self._return(case_id, handler))
            return
        self._plan_handling(case_id, c)

    def _return(self, case_id: int, handler: Actor) -> None:
        ok = self._do(
            "returned",
            lambda: svc.return_case(
                self.rt, handler, case_id, reason="经核查不属于本单位职责范围，申请回退"
            ),
        )
        if ok:
            self.after(self.desk_delay(False), lambda: self._dispatch(case_id))

    def _plan_handling(self, case_id: int, case: Case) -> None:
        s = self.scripts[case_id]
        handler = self.world.staff.handlers[case.assigned_unit or ""]
        clock = case.handling
        if clock is None:
            return
        remaining = clock.limit_seconds - clock.used_seconds
        if s.overdue:
            frac = self.rng.uniform(1.05, 2.5)
        else:
            frac = min(0.97, self.rng.lognormvariate(math.log(0.45), 0.45))
        total = max(120.0, remaining * frac)
        if s.cancel:
            s.cancel = False
            self.after(self.rng.uniform(1800, 36000), lambda: self._cancel(case_id))
            return
        if s.suspension:
            s.suspension = False
            self._schedule(clock.working, total * 0.3, lambda: self._suspend(case_id, total * 0.7))
            return
        if s.extension:
            s.extension = False
            self._schedule(
                clock.working, total * 0.5, lambda: self._extend(case_id, handler, total * 0.5)
            )
            return
        self._schedule(clock.working, total, lambda: self._handle(case_id, handler))

    def _schedule(self, working: bool, seconds: float, action: Action) -> None:
        if working:
            self.after_working(seconds, action)
        else:
            self.after(seconds, action)

    def _extend(self, case_id: int, handler: Actor, rest: float) -> None:
        case = self.case(case_id)
        assert case.handling is not None
        limit = TimeLimit.parse(case.handling_limit or "1 working_days")
        ok = self._do(
            "extension_requested",
            lambda: svc.request_extension(
                self.rt,
                handler,
                case_id,
                amount=limit.scaled(0.5),
                reason="需协调相关权属单位，申请延期",
            ),
        )
        if not ok:
            return
        approved = self.rng.random() < self.sc.p_extension_approved
        self.after(
            self.desk_delay(False),
            partial(self._decide_extension, case_id, handler, approved, rest),
        )

    def _decide_extension(self, case_id: int, handler: Actor, approved: bool, rest: float) -> None:
        who = self.pick(self.world.staff.dispatchers)
        c = self._do(
            "extension_decided",
            lambda: svc.decide_extension(
                self.rt,
                who,
                case_id,
                approved=approved,
                opinion="同意延期" if approved else "时限充足，不予延期",
            ),
        )
        if c is not None and c.handling is not None:
            extra = rest * (1.4 if approved else 1.0)
            self._schedule(c.handling.working, extra, lambda: self._handle(case_id, handler))

    def _suspend(self, case_id: int, rest: float) -> None:
        who = self.pick(self.world.staff.dispatchers)
        c = self._do(
            "suspended",
            lambda: svc.suspend_case(
                self.rt, who, case_id, reason="需结合季节性施工统一处置，申请挂账"
            ),
        )
        if c is None:
            return
        pause = self.rng.uniform(2, 15) * 86400
        self.after(pause, partial(self._resume, case_id, rest))

    def _resume(self, case_id: int, rest: float) -> None:
        c2 = self._do(
            "resumed",
            lambda: svc.resume_case(
                self.rt,
                self.pick(self.world.staff.dispatchers),
                case_id,
                opinion="具备处置条件，解除挂账",
            ),
        )
        if c2 is not None and c2.handling is not None:
            handler = self.world.staff.handlers[c2.assigned_unit or ""]
            self._schedule(c2.handling.working, rest, lambda: self._handle(case_id, handler))

    def _handle(self, case_id: int, handler: Actor) -> None:
        ok = self._do(
            "handled",
            lambda: svc.handle_case(
                self.rt,
                handler,
                case_id,
                opinion="已按要求处置完毕",
                photos=[Upload(self.photos.after(case_id), "处置后照片.jpg", "after")],
            ),
        )
        if ok:
            late = self.rng.random() < self.sc.p_late_desk
            self.after(self.desk_delay(late), lambda: self._request_check(case_id))

    def _request_check(self, case_id: int) -> None:
        case = self.case(case_id)
        who = self.pick(self.world.staff.acceptors)
        inspector = self.world.staff.inspector_actor(case.community_code)
        ok = self._do(
            "check_requested",
            lambda: svc.request_check(self.rt, who, case_id, inspector=inspector.id),
        )
        if ok:
            late = self.rng.random() < self.sc.p_late_field
            self.after_working(self.field_delay(late), lambda: self._check(case_id, inspector))

    def _check(self, case_id: int, inspector: Actor) -> None:
        s = self.scripts.get(case_id)
        if s is None:
            return
        fail_p = self.sc.p_rework / (2**s.reworks)
        photo = [Upload(self.photos.field(case_id + 7), "核查照片.jpg", "check")]
        if self.rng.random() < fail_p:
            c = self._do(
                "reworked",
                lambda: svc.rework_case(
                    self.rt, inspector, case_id, reason="现场核查未处置到位，需返工", photos=photo
                ),
            )
            if c is not None and c.handling is not None:
                s.reworks += 1
                handler = self.world.staff.handlers[c.assigned_unit or ""]
                left = max(600, c.handling.limit_seconds - c.handling.used_seconds)
                self._schedule(
                    c.handling.working,
                    left * self.rng.uniform(0.2, 0.8),
                    lambda: self._handle(case_id, handler),
                )
            return
        self._end(
            case_id,
            "closed",
            lambda: svc.close_case(
                self.rt, inspector, case_id, opinion="核查已处置到位", photos=photo
            ),
        )


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
