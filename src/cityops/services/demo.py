"""The demo city's activity, so that a first start shows a city at work: a history of cases
up to now (or the history carried on from its last step), 12345 hotline orders and the
classifier trained on them, a sample work plan with monthly progress and a supervision, and
sensors (物联感知) with the last day of their readings. Each part is done only when it is
missing (the sensors' readings are carried on), so ``cityops demo`` can run at every start.

All of it goes through the same services as real work. The sample plan
(``data/cities/<city>/demo/workplan.txt``) says in its own text that it is demonstration
data; its tasks are for the current year.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from cityops.adapters.db.tables.cases import case_events
from cityops.adapters.db.tables.hotline import hotline_models, hotline_orders
from cityops.adapters.db.tables.workplan import (
    workplan_targets,
    workplan_task_units,
    workplan_tasks,
    workplans,
)
from cityops.domain.workplan.progress import Month
from cityops.services.runtime import Runtime

DEMO_ACTOR = "system.demo"
LEADER = "leader.1"
DEMO_PLAN = "demo/workplan.txt"
# Targets of the sample plan that a platform figure can measure: subject → figure.
LINKS = {
    "数字城管案件结案率": "evaluation.closure_rate",
    "按期结案率": "evaluation.on_time_closure_rate",
}


@dataclass
class DemoReport:
    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.lines.append(line)


Step = Callable[[str], None]


def install_demo_activity(
    rt: Runtime,
    *,
    days: int = 21,
    per_day: float = 400.0,
    hotline_per_day: float = 150.0,
    now: datetime | None = None,
    on_step: Step | None = None,
) -> DemoReport:
    """Bring the demo city's activity up to ``now``: cases, hotline orders, the classifier,
    the sample work plan. Parts already there are left alone (cases are carried on from
    their last step, at most ``days`` back)."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    say = on_step or (lambda _line: None)
    report = DemoReport()
    for part in (_cases, _hotline, _classifier, _work_plan, _sensors):
        line = part(rt, now=now, days=days, per_day=per_day, hotline_per_day=hotline_per_day)
        report.add(line)
        say(line)
    return report


def _cases(rt: Runtime, *, now: datetime, days: int, per_day: float, **_: float) -> str:
    from cityops.services.simulation.engine import Simulator
    from cityops.services.simulation.scenario import Scenario
    from cityops.services.simulation.world import load_world

    with rt.uow(readonly=True) as uow:
        last = uow.conn.execute(select(func.max(case_events.c.at))).scalar()
    begin = now - timedelta(days=days)
    if last is not None:
        begin = max(begin, last)
    if begin >= now - timedelta(minutes=1):
        return "案卷：已是最新 cases: up to date"
    world = load_world(rt)
    rt.inspector_for = world.staff.inspector_for
    real_now = rt.now
    sim = Simulator(
        rt,
        world,
        Scenario(per_day=per_day),
        start=begin,
        end=now,
        seed=20251001 + int(begin.timestamp()),
        batch=200,
    )
    adopted = sim.adopt_open_cases() if last is not None else 0
    try:
        stats = sim.run()
    finally:
        rt.now = real_now
    taken = f"，接续在办案卷{adopted}件" if adopted else ""
    return (
        f"案卷：模拟{(now - begin) / timedelta(days=1):.1f}天，上报{stats.reports}件，"
        f"操作{stats.commands}次{taken} cases simulated up to now"
    )


def _hotline(rt: Runtime, *, now: datetime, days: int, hotline_per_day: float, **_: float) -> str:
    from cityops.services.hotline.simulation import HotlineScenario, HotlineSimulator

    with rt.uow(readonly=True) as uow:
        if uow.conn.execute(select(hotline_orders.c.id).limit(1)).first() is not None:
            return "热线工单：已有 hotline orders: present"
    tz = ZoneInfo(rt.policy.profile.calendar.time_zone)
    first = now.astimezone(tz).date() - timedelta(days=days)
    begin = datetime.combine(first, time(0), tz).astimezone(UTC)
    real_now = rt.now
    try:
        truth = HotlineSimulator(
            rt,
            HotlineScenario(per_day=hotline_per_day),
            start=begin,
            days=days + 1,
            until=now,
            batch=200,
        ).run()
    finally:
        rt.now = real_now
    return f"热线工单：模拟受理{len(truth.received)}件，办结{len(truth.closed)}件 hotline orders"


def _classifier(rt: Runtime, **_: object) -> str:
    from cityops.services.hotline.classification import retrain_if_due

    with rt.uow(readonly=True) as uow:
        if uow.conn.execute(select(hotline_models.c.id).limit(1)).first() is not None:
            return "智能分类：已有模型 classifier: present"
    trained = retrain_if_due(rt, DEMO_ACTOR)
    if trained is None:
        return "智能分类：没有可学习的工单 classifier: nothing to learn from"
    return f"智能分类：已训练（{trained.examples}条样本） classifier trained"


def _work_plan(rt: Runtime, *, now: datetime, **_: object) -> str:
    from cityops.services.workplan import (
        evidence_store,
        import_document,
        link_target,
        platform_registry,
        read_bytes,
        report_progress,
        supervise_task,
    )

    profile = rt.policy.profile
    tz = ZoneInfo(profile.calendar.time_zone)
    today = now.astimezone(tz).date()
    with rt.uow(readonly=True) as uow:
        if uow.conn.execute(select(workplans.c.id).limit(1)).first() is not None:
            return "工作要点：已有计划 work plan: present"
    source = _demo_plan_file(rt)
    if source is None:
        return "工作要点：本城市配置没有示范计划 work plan: none in the city profile"
    text = source.read_text(encoding="utf-8").replace("{year}", str(today.year))
    document = read_bytes(f"{today.year}年工作要点（示范数据）.txt", text.encode("utf-8"))
    known = [(u.code, u.name) for u in profile.units.values()]
    start = datetime.combine(date(today.year, 1, 10), time(9), tz).astimezone(UTC)
    result = import_document(
        rt.engine, document, actor=DEMO_ACTOR, known_units=known, now=min(start, now)
    )
    with rt.uow(readonly=True) as uow:
        tasks = uow.conn.execute(
            select(workplan_tasks.c.id, workplan_tasks.c.due)
            .where(workplan_tasks.c.plan_id == result.plan_id)
            .order_by(workplan_tasks.c.seq)
        ).all()
        leads = {
            int(r.task_id): (r.name, r.unit_code)
            for r in uow.conn.execute(
                select(
                    workplan_task_units.c.task_id,
                    workplan_task_units.c.name,
                    workplan_task_units.c.unit_code,
                ).where(workplan_task_units.c.role == "lead")
            )
        }
        targets = uow.conn.execute(
            select(workplan_targets.c.id, workplan_targets.c.subject).where(
                workplan_targets.c.task_id.in_([t.id for t in tasks])
            )
        ).all()
    rng = random.Random(today.year)
    store = evidence_store(rt.settings)
    reports = 0
    for i, task in enumerate(tasks):
        name, code = leads.get(int(task.id), (None, None))
        pace = 0.75 if i % 4 == 3 else 1.0  # every fourth task lags behind
        due = task.due or date(today.year, 12, 31)
        for month in range(1, min(today.month, due.month + 1)):
            share = pace * month / max(1, due.month)  # on pace: done in the month it is due
            percent = 100 if share >= 1 else min(99, round(100 * share + rng.uniform(-4, 2)))
            at = datetime.combine(date(today.year, month, 25), time(16), tz).astimezone(UTC)
            report_progress(
                rt.engine,
                int(task.id),
                percent=max(1, percent),
                text=_progress_text(percent, rng),
                actor=_handler_login(code) if code else DEMO_ACTOR,
                unit=name,
                unit_code=code,
                month=Month(today.year, month),
                store=store,
                now=min(at, now),
                time_zone=profile.calendar.time_zone,
            )
            reports += 1
    if tasks:
        lagging = tasks[3] if len(tasks) > 3 else tasks[-1]
        supervise_task(
            rt.engine,
            int(lagging.id),
            actor=LEADER,
            leader="局领导",
            note="进度滞后，请牵头单位制定赶进度措施，每周报送一次进展",
            due=min(today + timedelta(days=30), date(today.year, 12, 31)),
            now=now - timedelta(days=3),
        )
    registry = platform_registry()
    linked = 0
    for target in targets:
        figure = LINKS.get(target.subject)
        if figure is not None:
            link_target(rt.engine, int(target.id), figure, registry=registry, actor=DEMO_ACTOR)
            linked += 1
    return (
        f"工作要点：导入示范计划（{len(tasks)}项任务），月度进展{reports}条，督办1项，"
        f"关联平台指标{linked}个 sample work plan"
    )


def _sensors(rt: Runtime, *, now: datetime, **_: object) -> str:
    from cityops.services.iot.demo_sensors import feed_demo_readings, install_demo_devices
    from cityops.services.iot.devices import count_devices
    from cityops.services.iot.ingest import sweep_offline
    from cityops.services.simulation.world import load_world

    if not rt.policy.profile.iot:
        return "物联感知：城市配置中没有设备类型 sensors: none configured"
    real_now = rt.now
    rt.now = lambda: now
    try:
        placed = 0 if count_devices(rt) else install_demo_devices(rt, load_world(rt))
        fed = feed_demo_readings(rt, now)
        offline = sweep_offline(rt)
    finally:
        rt.now = real_now
    new = f"登记设备{placed}台，" if placed else ""
    return (
        f"物联感知：{new}读数{fed.accepted}条，告警{fed.alarms_opened}次，"
        f"上报案卷{len(fed.cases)}件，离线{offline}台 sensors"
    )


def _demo_plan_file(rt: Runtime) -> Path | None:
    from cityops.services.profile import demo_profile_path

    folder = rt.settings.profile_dir or demo_profile_path()
    path = Path(folder) / DEMO_PLAN
    return path if path.is_file() else None


def _handler_login(unit_code: str) -> str:
    from cityops.services.simulation.staff import handler_id

    return handler_id(unit_code)


def _progress_text(percent: int, rng: random.Random) -> str:
    if percent >= 100:
        return "已全面完成年度任务，进入常态化管理。"
    steps = [
        "制定工作方案，明确责任分工和时间节点",
        "组织现场排查，建立问题台账",
        "按计划推进实施，开展督导检查",
        "对照目标逐项销号，总结经验做法",
    ]
    done = steps[: max(1, min(len(steps), percent // 25 + 1))]
    return "；".join(done) + f"。累计完成{percent}%。" + rng.choice(["", "下月继续推进。"])
