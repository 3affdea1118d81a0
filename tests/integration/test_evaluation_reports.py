"""The bulletin (.docx) and the ledgers (.xlsx) opened again with python-docx and openpyxl:
their numbers are the reference's, their sheets have Chinese headers, widths and frozen
header rows."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import Engine

from cityops.domain.evaluation.definitions import RATES, ObjectKind
from cityops.domain.evaluation.periods import EvalPeriod
from cityops.domain.evaluation.reference import reference_counts
from cityops.reports.evaluation_docx import bulletin
from cityops.reports.evaluation_xlsx import evaluation_workbook
from cityops.services.evaluation.case_lists import CaseFilter, as_table, case_rows, column_widths
from cityops.services.evaluation.engine import normalized
from cityops.services.evaluation.evaluate import evaluate
from cityops.services.evaluation.store import relevant_case_events
from cityops.services.profile import demo_profile_path, install_profile
from tests.integration.test_evaluation_engine import store_stories

DAY = "2025-10-21"  # the stories' period lies in this Shanghai day


@pytest.fixture
def stored(engine: Engine) -> Engine:
    install_profile(engine, demo_profile_path())
    store_stories(engine)
    return engine


def _reference(engine: Engine) -> dict[tuple[str, str], dict[str, int]]:
    lo, hi = EvalPeriod.parse(DAY).utc_bounds()
    with engine.connect() as conn:
        return normalized(reference_counts(relevant_case_events(conn, lo, hi), lo, hi))


def test_the_ledgers_carry_the_reference_numbers(stored: Engine, tmp_path: Path):
    ev = evaluate(stored, DAY)
    want = _reference(stored)
    cases = as_table(case_rows(stored, CaseFilter(period=DAY)))
    overdue = as_table(case_rows(stored, CaseFilter(period=DAY, overdue_at_end=True)))
    path = tmp_path / "ledgers.xlsx"
    evaluation_workbook(
        ev, case_rows=cases, case_header=column_widths(), overdue_rows=overdue
    ).save(path)
    wb = load_workbook(path)
    assert {"全市汇总", "区县排名", "处置单位", "监督员", "案件台账", "超期待处置清单"} <= set(
        wb.sheetnames
    )
    for name in ("区县排名", "处置单位", "案件台账"):
        ws = wb[name]
        assert ws.freeze_panes == "A2"
        assert ws["A1"].font.bold
        assert ws.column_dimensions["B"].width >= 10
    ws = wb["区县排名"]
    header = [c.value for c in ws[1]]
    row = {h: c.value for h, c in zip(header, ws[2], strict=True)}
    district = want[("district", "370102")]
    assert row["代码"] == "370102"
    assert row["立案数"] == district["filed"]
    assert row["结案率(%)"] == pytest.approx(round(RATES["closure_rate"].value(district) or 0, 2))
    dept = {c.value for c in wb["处置单位"]["C"]}
    assert "street.370102001" in dept
    assert wb["案件台账"].max_row == 1 + len(cases)
    overdue_sheet = wb["超期待处置清单"]
    assert overdue_sheet.max_row - 1 == want[("city", "*")].get("overdue", 0)
    assert [c.value for c in wb["案件台账"][1]][:2] == ["案卷编号", "上报时间"]


def test_the_bulletin_has_title_summary_rankings_and_changes(stored: Engine):
    ev = evaluate(stored, DAY)
    want = _reference(stored)[("city", "*")]
    buf = io.BytesIO()
    bulletin(ev).save(buf)
    doc = Document(io.BytesIO(buf.getvalue()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "综合评价通报" in doc.paragraphs[0].text
    assert f"立案{want['filed']}件" in text
    assert f"结案{want['closed']}件" in text
    assert f"期末超期待处置{want['overdue']}件" in text
    tables = doc.tables
    changes = next(t for t in tables if t.rows[0].cells[0].text == "指标")
    assert [c.text for c in changes.rows[0].cells] == [
        "指标",
        "本期",
        "上期",
        "环比",
        "去年同期",
        "同比",
    ]
    rankings = [t for t in tables if t.rows[0].cells[0].text == "排名"]
    assert rankings, "ranking tables"
    district_row = [c.text for c in rankings[0].rows[1].cells]
    d = ev.of(ObjectKind.DISTRICT)[0]
    assert district_row[1] == d.name and district_row[2] == str(d.count("filed"))
    assert district_row[-3] == f"{d.score:.2f}"
    try:
        import matplotlib  # noqa: F401
    except ImportError:  # charts are optional
        return
    assert len(doc.inline_shapes) >= 1
