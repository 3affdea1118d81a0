"""The responsibility list (.xlsx) and the monthly bulletin (.docx) as downloads, opened again
with openpyxl and python-docx; targets linked to platform figures and measured over HTTP."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from docx import Document
from openpyxl import load_workbook

from cityops.api.routes import workplan as routes
from cityops.reports.workplan_ledger import COLUMNS, HEADER_ROW
from cityops.services.workplan.figures import FigureRegistry, platform_registry
from tests.api_workplan.conftest import City, saved_name

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def task_rows(content: bytes) -> list[tuple[object, ...]]:
    sheet = load_workbook(io.BytesIO(content))["责任清单"]
    rows = sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    return [r for r in rows if isinstance(r[0], int)]


def test_the_responsibility_list_downloads_with_its_name_and_rows(city: City) -> None:
    plan = city.import_jining()
    five = city.task_numbered(plan, 5)["id"]
    city.post("enforcement", f"/tasks/{five}/reports", data={"percent": "90", "text": "已设置90处"})
    r = city.get("evaluator", f"/{plan}/ledger.xlsx")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    assert saved_name(r) == "济宁市城市管理局2025年工作要点责任清单（截至2025年7月10日）.xlsx"
    assert f'filename="workplan-{plan}-ledger-2025-07-10.xlsx"' in r.headers["content-disposition"]
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["责任清单", "未识别内容"]
    sheet = book["责任清单"]
    assert sheet.cell(row=1, column=1).value == "济宁市城市管理局2025年工作要点责任清单"
    assert str(sheet.cell(row=2, column=1).value).startswith("截至2025-07-10　共38项任务")
    header = [sheet.cell(row=HEADER_ROW, column=c).value for c in range(1, len(COLUMNS) + 1)]
    assert header == [name for name, _ in COLUMNS]
    rows = task_rows(r.content)
    assert [row[0] for row in rows] == list(range(1, 39))
    assert "已设置90处" in str(rows[4][6]) and rows[4][2] == "市容管理科"

    june = city.get("evaluator", f"/{plan}/ledger.xlsx", params={"as_of": "2025-06-30"})
    assert saved_name(june) == "济宁市城市管理局2025年工作要点责任清单（截至2025年6月30日）.xlsx"
    assert "已设置90处" not in str(task_rows(june.content)[4][6])  # July's report not yet

    own = city.get("sanitation", f"/{plan}/ledger.xlsx")
    assert own.status_code == 200
    assert [row[0] for row in task_rows(own.content)] == [17, 18, 19, 20, 21, 28]
    missing = city.get("evaluator", "/999999/ledger.xlsx")
    assert (missing.status_code, missing.json()["code"]) == (404, "workplan.plan_not_found")


def test_the_monthly_bulletin_downloads_and_reads_as_the_month_was(city: City) -> None:
    plan = city.import_jining()
    five = city.task_numbered(plan, 5)["id"]
    city.post(
        "enforcement",
        f"/tasks/{five}/reports",
        data={"percent": "100", "text": "100处已全部设置", "month": "2025-06"},
    )
    city.post("leader", f"/tasks/{five}/supervisions", json={"note": "巩固整治成效"})
    r = city.get("leader", f"/{plan}/bulletin.docx", params={"month": "2025-06"})
    assert r.status_code == 200 and r.headers["content-type"] == DOCX
    title = "济宁市城市管理局2025年工作要点推进情况月报（2025年6月）"
    assert saved_name(r) == f"{title}.docx"
    assert f'filename="workplan-{plan}-bulletin-2025-06.docx"' in r.headers["content-disposition"]
    doc = Document(io.BytesIO(r.content))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == title and texts[1] == "统计截至2025-06-30"
    assert any("共38项任务" in t and "已完成1项" in t for t in texts)
    assert any("局领导督办" in t and "巩固整治成效" in t for t in texts)
    counts = doc.tables[0]
    assert [c.text for c in counts.rows[0].cells] == ["状态", "任务数", "占比"]
    cells = [c.text for table in doc.tables[1:] for row in table.rows for c in row.cells]
    assert "市容管理科：100处已全部设置" in cells

    for month, status, code in (
        ("2025-08", 422, "workplan.bulletin.future_month"),
        ("2023-06", 422, "workplan.bulletin.month_outside_plan"),
        ("六月", 422, "workplan.month.invalid"),
        ("2025-00", 422, "workplan.month.invalid"),
    ):
        bad = city.get("leader", f"/{plan}/bulletin.docx", params={"month": month})
        assert (bad.status_code, bad.json()["code"]) == (status, code), month
    bad = city.get("leader", f"/{plan}/bulletin.docx")
    assert (bad.status_code, bad.json()["code"]) == (422, "request.invalid")
    bad = city.get("leader", "/999999/bulletin.docx", params={"month": "2025-06"})
    assert (bad.status_code, bad.json()["code"]) == (404, "workplan.plan_not_found")


def test_a_target_linked_to_a_platform_figure_measures_itself(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = city.import_jining()
    sixteen = city.task_numbered(plan, 16)
    lighting = next(g for g in sixteen["targets"] if g["subject"] == "亮灯率")
    assert (lighting["comparator"], lighting["value"], lighting["unit"]) == (">=", 99, "%")
    names = [f["name"] for f in city.get("evaluator", "/figures").json()]
    assert {"cases.filed", "cases.handled_on_time_rate", "evaluation.closure_rate"} <= set(names)

    r = city.put("evaluator", f"/targets/{lighting['id']}/figure", json={"figure": "cases.filed"})
    assert r.status_code == 200 and r.json()["figure"] == "cases.filed"
    r = city.post("evaluator", f"/{plan}/measurements", json={"period": "2025-06"})
    assert r.status_code == 200
    assert r.json() == [{"target_id": lighting["id"], "figure": "cases.filed", "value": 0}]
    measured = next(g for g in city.task_numbered(plan, 16)["targets"] if g["id"] == lighting["id"])
    assert (measured["measured"], measured["measured_period"], measured["met"]) == (
        0,
        "2025-06",
        False,
    )

    # a figure with nothing to measure (no case handled) answers null and stores nothing
    city.put(
        "evaluator",
        f"/targets/{lighting['id']}/figure",
        json={"figure": "cases.handled_on_time_rate"},
    )
    r = city.post("evaluator", f"/{plan}/measurements", json={"period": "2025-07"})
    assert r.json()[0]["value"] is None

    # a lighting figure (as the street-lighting application would register) meets the target
    def with_lighting() -> FigureRegistry:
        registry = platform_registry()
        registry.register(
            "lighting.on_rate", lambda _e, _p: Decimal("99.52"), unit="%", description="亮灯率"
        )
        return registry

    monkeypatch.setattr(routes, "platform_registry", with_lighting)
    city.put("admin", f"/targets/{lighting['id']}/figure", json={"figure": "lighting.on_rate"})
    r = city.post("admin", f"/{plan}/measurements", json={"period": "2025"})
    assert r.json()[0]["value"] == 99.52
    measured = next(g for g in city.task_numbered(plan, 16)["targets"] if g["id"] == lighting["id"])
    assert (measured["measured"], measured["met"]) == (99.52, True)
    task = city.get("evaluator", f"/tasks/{sixteen['id']}").json()
    assert [e["data"]["figure"] for e in task["events"] if e["type"] == "target_linked"] == [
        "cases.filed",
        "cases.handled_on_time_rate",
        "lighting.on_rate",
    ]

    r = city.put("leader", f"/targets/{lighting['id']}/figure", json={"figure": None})
    assert r.status_code == 200 and r.json()["figure"] is None
    for path, body, status, code in (
        (
            f"/targets/{lighting['id']}/figure",
            {"figure": "cases.unknown"},
            404,
            "workplan.figure.unknown",
        ),
        ("/targets/999999/figure", {"figure": "cases.filed"}, 404, "workplan.target_not_found"),
        (f"/targets/{lighting['id']}/figure", {}, 422, "request.invalid"),
    ):
        bad = city.put("evaluator", path, json=body)
        assert (bad.status_code, bad.json()["code"]) == (status, code), body
    for period, status, code in (
        ("2025-13", 422, "workplan.month.invalid"),
        ("last month", 422, "workplan.month.invalid"),
    ):
        bad = city.post("evaluator", f"/{plan}/measurements", json={"period": period})
        assert (bad.status_code, bad.json()["code"]) == (status, code), period
    bad = city.post("evaluator", "/999999/measurements", json={"period": "2025-06"})
    assert (bad.status_code, bad.json()["code"]) == (404, "workplan.plan_not_found")
