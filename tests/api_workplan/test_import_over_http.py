"""Importing plans over HTTP: a preview that stores nothing, the five real plans, Word and
PDF files, and every refused upload with its code, leaving the ledger as it was."""

from __future__ import annotations

import pytest

from cityops.api.routes import workplan as routes
from tests.api_workplan.conftest import JINING, PLANS, STREET_PLAN, UNITS_CSV, City
from tests.unit.test_workplan_documents import make_docx, make_pdf

# Issuer, year and task count of each real plan (docs/workplan.md, "What the parser finds").
REAL = {
    "000": ("济宁市城市管理局", 2025, 38),
    "001": ("济南市城市管理局", 2022, 34),
    "002": ("商河县城市管理局", 2025, 4),
    "003": ("济南市城市管理局", 2023, 15),
    "004": ("无锡市城市管理局", 2025, 30),
}


def plan_count(city: City) -> int:
    r = city.get("evaluator", "")
    assert r.status_code == 200, r.text
    return len(r.json())


def test_the_preview_shows_tasks_and_unit_matches_and_stores_nothing(city: City) -> None:
    r = city.post(
        "leader",
        "/preview",
        files={"file": (JINING.name, JINING.read_bytes()), "units": ("u.csv", UNITS_CSV)},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["issuer"], body["year"], len(body["tasks"])) == ("济宁市城市管理局", 2025, 38)
    assert body["figures"]["tasks"] == 38 and body["figures"]["targets"] == 26
    assert body["importable"] is True and body["problems"] == []
    assert body["already_imported"] is None
    five = next(t for t in body["tasks"] if t["number"] == 5)
    assert five["lead_units"] == ["市容管理科"] and five["due"] == "2025-06-30"
    assert five["targets"][0]["value"] == 100 and five["targets"][0]["unit"] == "处"
    assert [d["text"] for d in five["deadlines"]] == ["6月底前"]
    matches = {m["name"]: m for m in body["units"]}
    assert matches["环卫管理科"]["code"] == "dept.sanitation"
    assert matches["环卫管理科"]["how"] == "alias"
    assert matches["局属各单位"]["how"] == "collective" and matches["局属各单位"]["code"] is None
    assert matches["人事科"]["how"] == "none"
    assert plan_count(city) == 0


def test_the_five_real_plans_import_with_their_tasks(city: City) -> None:
    for path in PLANS:
        body = city.import_plan(path.name, path.read_bytes())
        issuer, year, tasks = REAL[path.name[:3]]
        plan = body["plan"]
        assert (plan["issuer"], plan["year"], plan["tasks"]) == (issuer, year, tasks), path.name
        assert body["figures"]["tasks"] == tasks
        detail = city.get("evaluator", f"/{plan['id']}").json()
        assert [t["number"] for t in detail["items"]] == list(range(1, tasks + 1))
        assert sum(c["tasks"] for c in detail["counts"]) == tasks
        assert len(detail["unparsed_items"]) == plan["unparsed"]
    listed = city.get("admin", "").json()
    assert [p["source_name"] for p in listed] == [p.name for p in PLANS]


def test_the_same_file_is_refused_with_the_plan_it_became(city: City) -> None:
    plan_id = city.import_jining()
    r = city.post("evaluator", "", files={"file": ("again.txt", JINING.read_bytes())})
    assert r.status_code == 409
    assert r.json()["code"] == "workplan.already_imported"
    assert r.json()["details"]["plan_id"] == plan_id
    preview = city.post("evaluator", "/preview", files={"file": ("x.txt", JINING.read_bytes())})
    assert preview.json()["already_imported"] == plan_id
    assert preview.json()["importable"] is False
    assert [p["code"] for p in preview.json()["problems"]] == ["workplan.already_imported"]
    assert plan_count(city) == 1


def test_nul_characters_of_a_damaged_text_layer_are_dropped(city: City) -> None:
    damaged = STREET_PLAN.replace("背街小巷".encode(), "背街\x00小巷".encode())
    body = city.import_plan("damaged.txt", damaged)
    tasks = city.tasks(body["plan"]["id"])
    assert tasks[0]["title"] == "整治背街小巷。" and "\x00" not in tasks[0]["text"]


def test_word_and_pdf_plans_are_read(city: City) -> None:
    docx = make_docx(
        [
            ("", "济南市城市管理局"),
            ("", "2025年市容提升工作要点"),
            ("一、市容秩序", ""),
            ("1. 规范户外广告。", "9月底前拆除违规广告牌200块。（牵头单位：解放路街道办事处）"),
            ("2. 整治占道经营。", "年底前设置便民疏导点5处。"),
        ]
    )
    body = city.import_plan("市容提升.docx", docx)
    assert body["plan"]["tasks"] == 2 and body["plan"]["year"] == 2025
    tasks = city.tasks(body["plan"]["id"])
    assert tasks[0]["title"] == "规范户外广告。"
    assert tasks[0]["units"][0]["code"] == "street.370102001"
    assert tasks[0]["due"] == "2025-09-30"
    pdf = make_pdf(
        [
            ["济南市城市管理局", "2025年照明工作要点", "一、城市照明"],
            ["1. 提升亮灯率。确保主次干道亮灯率", "达到99%以上。"],
        ]
    )
    body = city.import_plan("照明.pdf", pdf)
    tasks = city.tasks(body["plan"]["id"])
    assert [(g["subject"], g["value"], g["unit"]) for g in tasks[0]["targets"]] == [
        ("主次干道亮灯率", 99, "%")
    ]


# Refused plan files: (file name, content, status, code).
REFUSED = [
    ("plan.xls", STREET_PLAN, 422, "workplan.file_type"),
    ("plan", STREET_PLAN, 422, "workplan.file_type"),
    ("plan.txt", b"", 422, "workplan.file_empty"),
    ("plan.txt", "一、总则\n1. 加强管理。全面推进。".encode(), 422, "workplan.year_missing"),
    ("plan.txt", "2025年工作要点\n全年工作平稳推进。".encode(), 422, "workplan.no_tasks"),
    ("plan.docx", b"PK\x03\x04 not really a zip", 422, "workplan.file_unreadable"),
    ("scan.pdf", make_pdf([[" "]]), 422, "workplan.pdf_no_text"),
]


def test_a_refused_plan_file_says_why_and_stores_nothing(city: City) -> None:
    for name, content, status, code in REFUSED:
        for path in ("", "/preview"):
            r = city.post("evaluator", path, files={"file": (name, content)})
            if path == "/preview" and code in ("workplan.year_missing", "workplan.no_tasks"):
                # the preview reads such a file and names the problem instead
                assert r.status_code == 200, r.text
                assert [p["code"] for p in r.json()["problems"]] == [code]
                continue
            assert (r.status_code, r.json()["code"]) == (status, code), (name, path, r.text)
            assert r.json()["message"]
    assert plan_count(city) == 0


def test_refused_uploads_around_the_plan_file(city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    r = city.post("evaluator", "", data={"note": "no file"})
    assert (r.status_code, r.json()["code"]) == (422, "request.invalid")
    assert "file" in r.json()["message"]
    r = city.post(
        "evaluator",
        "",
        files={"file": ("p.txt", STREET_PLAN), "units": ("u.csv", b"dept.roads\n")},
    )
    assert (r.status_code, r.json()["code"]) == (422, "workplan.units_csv.row")
    assert r.json()["details"]["line"] == 1
    r = city.post(
        "evaluator",
        "",
        files={"file": ("p.txt", STREET_PLAN), "units": ("u.csv", b"code,name\n")},
    )
    assert (r.status_code, r.json()["code"]) == (422, "workplan.units_csv.empty")
    monkeypatch.setattr(routes, "MAX_PLAN_BYTES", 100)
    r = city.post("evaluator", "", files={"file": ("p.txt", STREET_PLAN)})
    assert (r.status_code, r.json()["code"]) == (413, "workplan.file_too_large")
    assert plan_count(city) == 0
