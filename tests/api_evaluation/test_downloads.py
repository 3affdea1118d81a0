"""Downloads of the evaluation API on both databases, reopened as a person would open them:
the bulletin with python-docx, the ledgers and case lists with openpyxl, the CSV as text —
each holding the service's figures and rows, under its UTF-8 file name."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import unquote

from docx import Document
from openpyxl import load_workbook

from cityops.reports.evaluation_docx import summary_text
from cityops.services.evaluation.case_lists import CaseFilter, as_table, case_rows, header
from cityops.services.evaluation.engine import overdue_case_ids
from cityops.services.evaluation.evaluate import evaluate
from tests.api_evaluation.conftest import City

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def saved_name(response: Any) -> str:
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;"), disposition
    assert re.search(r'filename="[\x20-\x7e]+"', disposition), disposition  # ASCII fallback
    match = re.search(r"filename\*=UTF-8''([^;]+)", disposition)
    assert match is not None, disposition
    return unquote(match.group(1))


def download(city: City, path: str, persona: str = "leader", **params: Any) -> Any:
    r = city.get(persona, path, params=params)
    assert r.status_code == 200, r.text
    return r


def texts(table: list[list[Any]]) -> list[list[str]]:
    return [["" if v is None else str(v) for v in row] for row in table]


def test_the_bulletin_opens_in_word_with_the_evaluations_summary(city: City):
    r = download(city, "/evaluation/bulletin.docx", period="2025-10")
    assert r.headers["content-type"] == DOCX
    assert saved_name(r) == "济南市2025年10月综合评价通报.docx"
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "2025年10月" in text
    assert summary_text(evaluate(city.engine, "2025-10")) in text
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert "历下区" in cells


def test_the_ledgers_open_in_excel_with_the_figures_and_the_cases(city: City):
    r = download(city, "/evaluation/ledgers.xlsx", period="2025-10")
    assert r.headers["content-type"] == XLSX
    assert saved_name(r) == "济南市2025年10月综合评价台账.xlsx"
    book = load_workbook(io.BytesIO(r.content), read_only=True)
    assert {"全市汇总", "区县排名", "处置单位", "监督员", "案件台账", "超期待处置清单"} <= set(
        book.sheetnames
    )
    summary = {row[0]: row[1] for row in book["全市汇总"].iter_rows(values_only=True)}
    ev = evaluate(city.engine, "2025-10")
    assert ev.city is not None
    assert summary["立案数"] == ev.city.count("filed") > 0
    assert summary["结案率(%)"] == round(ev.city.rate("closure_rate") or 0, 2)
    ledger = list(book["案件台账"].iter_rows(values_only=True))
    want = as_table(case_rows(city.engine, CaseFilter(period="2025-10")))
    assert list(ledger[0]) == header() and len(ledger) - 1 == len(want) > 0
    overdue = list(book["超期待处置清单"].iter_rows(values_only=True))[1:]
    assert len(overdue) == ev.city.count("overdue") > 0


def test_a_case_list_as_csv_holds_the_services_rows(city: City):
    r = download(city, "/evaluation/cases", period="2025-10")
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese headers
    assert saved_name(r) == "案件清单_2025-10.csv"
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    want = texts(as_table(case_rows(city.engine, CaseFilter(period="2025-10"))))
    assert rows[0] == header() and rows[1:] == want
    assert r.headers["x-row-count"] == str(len(want)) and r.headers["x-truncated"] == "false"


def test_filters_and_the_overdue_list(city: City):
    r = download(city, "/evaluation/cases", period="2025-10", district=city.b.district)
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))[1:]
    district = header().index("区县")
    assert rows and {row[district] for row in rows} == {city.b.district}
    r = download(city, "/evaluation/cases", period="2025-10", overdue="true", format="xlsx")
    assert r.headers["content-type"] == XLSX and saved_name(r) == "超期待处置清单_2025-10.xlsx"
    sheet = load_workbook(io.BytesIO(r.content), read_only=True)["超期待处置清单"]
    got = [row[0] for row in list(sheet.iter_rows(values_only=True))[1:]]
    ev = evaluate(city.engine, "2025-10", compare=False)
    lo, hi = ev.period.utc_bounds()
    with city.engine.connect() as conn:
        ids = overdue_case_ids(conn, lo, hi)
    want = [
        row[0]
        for row in as_table(
            case_rows(city.engine, CaseFilter(period="2025-10", overdue_at_end=True))
        )
    ]
    assert sorted(got) == sorted(want) and len(got) == len(ids) > 0
    r = download(city, "/evaluation/cases", period="2025-10", state=["dispatched"], limit=1)
    assert r.headers["x-row-count"] == "1" and r.headers["x-truncated"] == "true"
    r = city.get("leader", "/evaluation/cases", params={"state": "lost"})
    assert r.status_code == 422 and r.json()["code"] == "evaluation.state_unknown"
    r = city.get("leader", "/evaluation/cases", params={"overdue": "true"})
    assert r.status_code == 422 and r.json()["code"] == "evaluation.period_required"


def test_a_district_sub_centre_downloads_its_own_district(city: City):
    r = download(city, "/evaluation/cases", "acceptor_district_b", period="2025-10")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))[1:]
    district = header().index("区县")
    assert rows and {row[district] for row in rows} == {city.b.district}
    r = city.get("acceptor_district_b", "/evaluation/cases", params={"district": city.a.district})
    assert r.status_code == 403 and r.json()["code"] == "evaluation.object_forbidden"
    r = download(city, "/evaluation/ledgers.xlsx", "acceptor_district_b", period="2025-10")
    book = load_workbook(io.BytesIO(r.content), read_only=True)
    ledger = list(book["案件台账"].iter_rows(values_only=True))[1:]
    assert ledger and {row[district] for row in ledger} == {city.b.district}


def test_a_handler_downloads_its_own_units_cases(city: City):
    r = download(city, "/evaluation/cases", "handler_a", period="2025-10")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))[1:]
    unit = header().index("处置单位")
    assert rows and {row[unit] for row in rows} == {f"street.{city.a.street}"}
    r = download(
        city,
        "/evaluation/cases",
        "handler_district_a",
        period="2025-10",
        unit=f"street.{city.a.street}",
    )
    assert r.headers["x-row-count"] == str(len(rows))
    r = city.get("handler_a", "/evaluation/cases", params={"unit": f"street.{city.b.street}"})
    assert r.status_code == 403 and r.json()["code"] == "evaluation.object_forbidden"
