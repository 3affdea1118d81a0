"""The hotline section of the monthly evaluation bulletin (月度考评通报 · 12345热线部分).

``hotline_section(rt, period)`` returns plain tables, figures (chart data) and paragraphs in
Chinese, so the bulletin writer can lay them out (.docx, console, PDF) without knowing how
they were computed: the four rates against the period before, the units' rates, the negative
list, the matters and places most complained about, repeated problems and the targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cityops.domain.evaluation.periods import EvalPeriod
from cityops.domain.hotline.rates import RATE_KEYS, RATE_LABELS_ZH, Rates
from cityops.domain.hotline.vocabulary import NegativeKind
from cityops.services.hotline import analytics, hotspots
from cityops.services.runtime import Runtime


@dataclass
class BulletinTable:
    title: str
    header: list[str]
    rows: list[list[Any]]


@dataclass
class BulletinFigure:
    """Chart data: ``kind`` bar | line | heatmap; ``labels`` on the category axis."""

    title: str
    kind: str
    labels: list[str]
    series: dict[str, list[float]]


@dataclass
class BulletinSection:
    title: str
    period: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[BulletinTable] = field(default_factory=list)
    figures: list[BulletinFigure] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # the figures behind the text

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "period": self.period,
            "paragraphs": self.paragraphs,
            "tables": [t.__dict__ for t in self.tables],
            "figures": [f.__dict__ for f in self.figures],
            "data": self.data,
        }


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def _change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return "—"
    diff = (now - before) * 100
    return f"{'上升' if diff > 0 else '下降' if diff < 0 else '持平'}{abs(diff):.2f}个百分点"


def _city(rows: list[Rates]) -> Rates:
    return rows[0] if rows else Rates("city")


def hotline_section(rt: Runtime, period: EvalPeriod, *, top: int = 10) -> BulletinSection:
    start, end = period.utc_bounds()
    before = period.previous()
    b_start, b_end = before.utc_bounds()
    now = _city(analytics.rates(rt, start, end))
    prev = _city(analytics.rates(rt, b_start, b_end))
    units = analytics.rates(rt, start, end, by="unit")
    negatives = analytics.negatives(rt, start, end)
    reexam = analytics.reexamination(rt, start, end)
    spots = hotspots.hotspot_report(rt, start, end, top=top)
    trends = hotspots.trend_report(rt, period)
    names = {u.code: u.name for u in rt.policy.profile.units.values()}
    classes = {c.code: c.name for c in rt.policy.profile.classes.values()}

    section = BulletinSection(f"12345热线工单办理情况（{period.label_zh}）", period.label)
    section.paragraphs.append(
        f"{period.label_zh}共受理12345热线城市管理类工单{now.received}件，"
        + "，".join(
            f"{RATE_LABELS_ZH[k]}{_pct(getattr(now, k).value)}"
            f"（较上期{_change(getattr(now, k).value, getattr(prev, k).value)}）"
            for k in RATE_KEYS
        )
        + "。"
    )
    counts = {k: sum(1 for e in negatives if e.kind == k) for k in NegativeKind}
    section.paragraphs.append(
        "负面清单："
        + "，".join(f"{k.label_zh}{counts[k]}件" for k in NegativeKind)
        + f"；纳入“回头看”的已办结工单{len(reexam)}件。"
    )
    if spots["top_matters"]:
        lead = spots["top_matters"][0]
        section.paragraphs.append(
            f"反映最多的问题是“{classes.get(lead['key'], lead['key'])}”，共{lead['count']}件，"
            f"占{_pct(lead['share'])}；重复诉求{len(spots['repeated'])}处。"
        )
    for t in trends:
        label = t.target.label or f"{t.target.scope}类工单"
        state = "已完成" if t.met else "未完成" if t.met is False else "无可比数据"
        section.paragraphs.append(
            f"目标“{label}”：本期{t.current}件，对比期{t.previous}件，"
            f"变化{_pct(t.change)}，{state}。"
        )

    section.tables.append(
        BulletinTable(
            "热线工单办理指标",
            ["指标", "本期", "上期", "分子", "分母"],
            [
                [
                    RATE_LABELS_ZH[k],
                    _pct(getattr(now, k).value),
                    _pct(getattr(prev, k).value),
                    getattr(now, k).numerator,
                    getattr(now, k).denominator,
                ]
                for k in RATE_KEYS
            ],
        )
    )
    section.tables.append(
        BulletinTable(
            "承办单位办理情况",
            ["承办单位", *[RATE_LABELS_ZH[k] for k in RATE_KEYS[:3]], "应签收", "应办结"],
            [
                [
                    names.get(r.key, r.key),
                    *[_pct(getattr(r, k).value) for k in RATE_KEYS[:3]],
                    r.sign_on_time.denominator,
                    r.reply_on_time.denominator,
                ]
                for r in sorted(units, key=lambda r: -(r.reply_on_time.denominator))
            ][: top * 3],
        )
    )
    section.tables.append(
        BulletinTable(
            "负面清单",
            ["类型", "工单编号", "承办单位", "发生时间"],
            [
                [
                    e.kind.label_zh,
                    e.order_no,
                    names.get(e.unit or "", e.unit or "多个单位"),
                    e.at.isoformat(),
                ]
                for e in negatives
            ],
        )
    )
    section.tables.append(
        BulletinTable(
            "反映集中的问题",
            ["问题类别", "工单数", "占比"],
            [
                [classes.get(c["key"], c["key"]), c["count"], _pct(c["share"])]
                for c in spots["top_matters"]
            ],
        )
    )
    section.figures.append(
        BulletinFigure(
            "热线指标与上期对比",
            "bar",
            [RATE_LABELS_ZH[k] for k in RATE_KEYS],
            {
                "本期": [round((getattr(now, k).value or 0.0) * 100, 2) for k in RATE_KEYS],
                "上期": [round((getattr(prev, k).value or 0.0) * 100, 2) for k in RATE_KEYS],
            },
        )
    )
    matrix = spots["patterns"]["weekday_hour"]
    section.figures.append(
        BulletinFigure(
            "来电时段分布（星期×小时）",
            "heatmap",
            [f"{h}时" for h in range(24)],
            {
                day: [float(x) for x in row]
                for day, row in zip("一二三四五六日", matrix, strict=True)
            },
        )
    )
    section.data = {
        "rates": now.to_dict(),
        "previous_rates": prev.to_dict(),
        "negative_counts": {k.value: counts[k] for k in NegativeKind},
        "reexamination": len(reexam),
        "trends": [t.to_dict() for t in trends],
        "hotspots": spots,
    }
    return section
