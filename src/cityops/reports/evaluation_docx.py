"""The monthly evaluation bulletin (综合评价通报) as .docx: title, summary, charts, ranking
tables of districts, streets, departments and inspectors, and the changes against the
period before and a year before."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from cityops.domain.evaluation.definitions import RATES, RATES_OF, Count, ObjectKind
from cityops.domain.evaluation.results import Evaluation, ObjectResult
from cityops.reports.evaluation_charts import bar_chart

FONT = "宋体"
TITLE_FONT = "黑体"
MAX_ROWS = 20  # streets and inspectors: the first and last of the ranking


def _font(run: Any, name: str = FONT, size: float = 11, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(
    doc: DocumentObject,
    text: str,
    *,
    size: float = 11,
    bold: bool = False,
    center: bool = False,
    font: str = FONT,
) -> None:
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), font, size, bold)


def _heading(doc: DocumentObject, text: str) -> None:
    _para(doc, text, size=14, bold=True, font=TITLE_FONT)


def _table(doc: DocumentObject, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(str(title)), FONT, 9, True)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(_fmt(value)), FONT, 9)


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


def _delta(value: float | None, unit: str = "个百分点") -> str:
    if value is None:
        return "—"
    if abs(value) < 0.005:
        return "持平"
    return f"{'上升' if value > 0 else '下降'}{abs(value):.2f}{unit}"


def _picture(doc: DocumentObject, png: bytes | None, caption: str) -> None:
    if png is None:
        return
    doc.add_picture(io.BytesIO(png), width=Cm(15.5))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, caption, size=9, center=True)


def summary_text(ev: Evaluation) -> str:
    city = ev.city
    if city is None:
        return "本期无数据。"
    c = city.count
    parts = [
        f"{ev.period.label_zh}，全市共上报问题{c(Count.REPORTED)}件，其中市民、热线和媒体反映{c(Count.REPORTED_PUBLIC)}件；"
        f"立案{c(Count.FILED)}件，按时立案率{_pct(city.rate('on_time_filing_rate'))}；"
        f"派遣{c(Count.DISPATCHED)}次，准确派遣率{_pct(city.rate('accurate_dispatch_rate'))}；"
        f"应处置{c(Count.HANDLING_DUE)}件，处置{c(Count.HANDLED)}件，按期处置率{_pct(city.rate('on_time_handling_rate'))}，"
        f"期末超期待处置{c(Count.OVERDUE)}件；"
        f"应结案{c(Count.CLOSURE_DUE)}件，结案{c(Count.CLOSED)}件，结案率{_pct(city.rate('closure_rate'))}，"
        f"按期结案率{_pct(city.rate('on_time_closure_rate'))}，返工率{_pct(city.rate('rework_rate'))}。"
    ]
    if city.mom is not None:
        closure = city.mom.rate_delta("closure_rate", city.rate("closure_rate"))
        on_time = city.mom.rate_delta("on_time_closure_rate", city.rate("on_time_closure_rate"))
        before = ev.previous.label_zh if ev.previous else city.mom.period
        if closure is not None or on_time is not None:
            parts.append(f"与{before}相比，结案率{_delta(closure)}，按期结案率{_delta(on_time)}。")
    if city.yoy is not None:
        closure = city.yoy.rate_delta("closure_rate", city.rate("closure_rate"))
        if closure is not None:
            parts.append(f"与去年同期相比，结案率{_delta(closure)}。")
    return "".join(parts)


def _ranking_rows(
    objs: Sequence[ObjectResult], rates: Sequence[str], volume: Count
) -> list[list[Any]]:
    rows = []
    for o in objs:
        rows.append(
            [
                o.rank,
                o.name,
                o.count(volume),
                *[o.rate(r) for r in rates],
                o.score,
                o.grade,
                o.score_delta(o.mom),
            ]
        )
    return rows


def _trim(objs: Sequence[ObjectResult]) -> list[ObjectResult]:
    if len(objs) <= MAX_ROWS:
        return list(objs)
    half = MAX_ROWS // 2
    return [*objs[:half], *objs[-half:]]


RANKINGS: tuple[tuple[ObjectKind, str, Count, tuple[str, ...]], ...] = (
    (
        ObjectKind.DISTRICT,
        "区县综合评价排名",
        Count.FILED,
        ("public_report_rate", "closure_rate", "on_time_closure_rate"),
    ),
    (
        ObjectKind.STREET,
        "街道综合评价排名",
        Count.FILED,
        ("public_report_rate", "closure_rate", "on_time_closure_rate"),
    ),
    (
        ObjectKind.DEPARTMENT,
        "处置单位综合评价排名",
        Count.RECEIVED,
        ("closure_rate", "on_time_handling_rate", "rework_rate"),
    ),
    (
        ObjectKind.INSPECTOR,
        "监督员综合评价排名",
        Count.REPORTED,
        ("valid_report_rate", "missed_report_rate", "on_time_verify_rate", "on_time_check_rate"),
    ),
)


def bulletin(ev: Evaluation) -> DocumentObject:
    doc = Document()
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.2)
    title = f"{ev.city_name}城市运行管理服务平台综合评价通报"
    _para(doc, title, size=18, bold=True, center=True, font=TITLE_FONT)
    _para(doc, f"（{ev.period.label_zh}）", size=12, center=True)
    _heading(doc, "一、总体情况")
    _para(doc, summary_text(ev))
    _city_changes(doc, ev)
    _heading(doc, "二、排名情况")
    for n, (kind, caption, volume, rates) in enumerate(RANKINGS, start=1):
        objs = ev.of(kind)
        if not objs:
            continue
        _para(doc, f"（{n}）{caption}", bold=True)
        if kind in (ObjectKind.DISTRICT, ObjectKind.DEPARTMENT):
            scored = [o for o in objs if o.score is not None]
            _picture(
                doc,
                bar_chart(
                    [o.name for o in scored],
                    [o.score for o in scored],
                    title=f"{caption}（综合得分）",
                    fallback_labels=[o.code for o in scored],
                    reference=90.0,
                ),
                f"图：{caption}（综合得分，虚线为A级线90分）",
            )
        shown = _trim(objs)
        if len(shown) < len(objs):
            _para(doc, f"共{len(objs)}个，列出前{MAX_ROWS // 2}名和后{MAX_ROWS // 2}名。", size=9)
        header = [
            "排名",
            "名称",
            volume.label_zh,
            *[RATES[r].label_zh + "(%)" for r in rates],
            "综合得分",
            "等级",
            "环比得分变化",
        ]
        _table(doc, header, _ranking_rows(shown, rates, volume))
    _heading(doc, "三、说明")
    _para(
        doc,
        "各项指标的定义、计数口径和综合评价权重见平台文档“综合评价指标定义”；权重、数量分值阶梯和等级分数线取自本市城市配置。"
        "期间按本市时区计算，只统计期末之前发生的操作，历史期间的结果不随后续操作变化。",
        size=9,
    )
    return doc


def _city_changes(doc: DocumentObject, ev: Evaluation) -> None:
    city = ev.city
    if city is None or (city.mom is None and city.yoy is None):
        return
    rows = []
    for key in RATES_OF[ObjectKind.CITY]:
        now = city.rate(key)
        rows.append(
            [
                RATES[key].label_zh,
                _pct(now),
                _pct(city.mom.rates.get(key)) if city.mom else "—",
                _delta(city.mom.rate_delta(key, now)) if city.mom else "—",
                _pct(city.yoy.rates.get(key)) if city.yoy else "—",
                _delta(city.yoy.rate_delta(key, now)) if city.yoy else "—",
            ]
        )
    _para(doc, "全市主要指标及环比、同比变化：", bold=True)
    _table(doc, ["指标", "本期", "上期", "环比", "去年同期", "同比"], rows)


def write_bulletin(ev: Evaluation, out: Any) -> None:
    bulletin(ev).save(out)
