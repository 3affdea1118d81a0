"""Monthly progress over HTTP: a handler reports for its unit with evidence files, the task's
status and history follow, the bureau reports on behalf of a unit, and every bad report is
refused with its own code while storing nothing (no row, no file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api_workplan.conftest import City, saved_name

PHOTO = b"\xff\xd8\xff\xe0 a photo of the new stalls"
MINUTES = "会议纪要：潮汐摊区选址已确定".encode()


def stored_files(city: City) -> list[Path]:
    root = city.rt.settings.var_dir / "workplan_files"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def report(city: City, persona: str, task_id: int, **form: Any) -> Any:
    files = form.pop("files", None)
    return city.post(persona, f"/tasks/{task_id}/reports", data=form, files=files)


def test_a_handler_reports_with_evidence_and_the_task_follows(city: City) -> None:
    plan = city.import_jining()
    five = city.task_numbered(plan, 5)  # 市容管理科 leads, due 6月底前: overdue on 10 July
    assert five["status"]["status"] == "overdue" and five["latest"] is None
    r = report(
        city,
        "enforcement",
        five["id"],
        percent="80",
        text="已设置潮汐摊区80处",
        month="2025-06",
        files=[("files", ("现场照片.jpg", PHOTO, "image/jpeg")), ("files", ("纪要.txt", MINUTES))],
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["month"], body["percent"], body["unit"]) == ("2025-06", 80, "市容管理科")
    assert (
        body["unit_code"] == "dept.enforcement"
        and body["reported_by"] == "handler.dept.enforcement"
    )
    assert [f["filename"] for f in body["files"]] == ["现场照片.jpg", "纪要.txt"]
    assert body["files"][0]["mime"] == "image/jpeg" and body["files"][0]["size"] == len(PHOTO)
    assert len(stored_files(city)) == 2

    download = city.client.get(body["files"][0]["url"], headers=city.headers["evaluator"])
    assert download.status_code == 200 and download.content == PHOTO
    assert saved_name(download) == "现场照片.jpg"
    assert download.headers["content-type"] == "image/jpeg"
    other = city.client.get(body["files"][1]["url"], headers=city.headers["sanitation"])
    assert (other.status_code, other.json()["code"]) == (404, "workplan.task_not_found")

    detail = city.get("enforcement", f"/tasks/{five['id']}").json()
    assert detail["latest"]["percent"] == 80 and detail["latest"]["text"] == "已设置潮汐摊区80处"
    assert detail["status"]["status"] == "overdue" and detail["status"]["percent"] == 80
    assert [r["id"] for r in detail["reports"]] == [body["id"]]
    assert [e["type"] for e in detail["events"]] == ["progress_reported"]
    assert detail["events"][0]["data"]["percent"] == 80
    assert detail["plan"]["id"] == plan and detail["as_of"] == "2025-07-10"

    # July's report of 100 % makes it done, late; June's ledger still says overdue at 80 %
    r = report(city, "enforcement", five["id"], percent="100", text="已全部设置完成")
    assert r.status_code == 201 and r.json()["month"] == "2025-07"
    now = city.get("evaluator", f"/tasks/{five['id']}").json()
    assert (now["status"]["status"], now["status"]["late"]) == ("done", True)
    june = city.get("evaluator", f"/tasks/{five['id']}", params={"as_of": "2025-06-30"}).json()
    assert (june["status"]["status"], june["status"]["percent"]) == ("on_track", 80)
    assert len(june["reports"]) == 2  # the history holds every report whatever the day
    done = city.tasks(plan, status="done")
    assert [t["number"] for t in done] == [5]


def test_the_reporting_unit_of_a_handler_and_of_the_bureau(city: City) -> None:
    plan = city.import_jining()
    six = city.task_numbered(plan, 6)  # lead 市容管理科 (enforcement); responsible 执法支队 too
    units = [(u["name"], u["code"]) for u in six["units"]]
    assert ("市容管理科", "dept.enforcement") in units
    r = report(
        city, "enforcement", six["id"], percent="30", text="进行中", unit="市城市管理综合执法支队"
    )
    assert r.status_code == 201 and r.json()["unit"] == "市城市管理综合执法支队"
    r = report(
        city, "enforcement", six["id"], percent="30", text="进行中", unit="各区综合行政执法局"
    )
    assert (r.status_code, r.json()["code"]) == (403, "workplan.report.unit_forbidden")
    r = report(city, "enforcement", six["id"], percent="30", text="进行中", unit="人事科")
    assert (r.status_code, r.json()["code"]) == (422, "workplan.report.unit_not_assigned")
    # the bureau reports on behalf of a unit of the task, by default the lead unit
    r = report(city, "evaluator", six["id"], percent="35", text="代报", unit="各区综合行政执法局")
    assert r.status_code == 201 and r.json()["unit"] == "各区综合行政执法局"
    r = report(city, "admin", six["id"], percent="35", text="代报")
    assert r.status_code == 201 and r.json()["unit"] == "市容管理科"
    assert r.json()["reported_by"] == "admin"
    # a task that names a group of units takes a report from any unit (docs/workplan.md);
    # one that names its units only takes theirs
    r = report(city, "admin", six["id"], percent="35", text="代报", unit="某街道")
    assert r.status_code == 201 and r.json()["unit"] == "某街道"
    street_task = city.tasks(city.import_streets())[0]["id"]
    r = report(city, "admin", street_task, percent="35", text="代报", unit="某街道")
    assert (r.status_code, r.json()["code"]) == (422, "workplan.report.unit_not_assigned")
    r = report(city, "district", street_task, percent="35", text="街道进展")
    assert r.status_code == 201 and r.json()["unit"] == "解放路街道办事处"


BAD_REPORTS: list[tuple[dict[str, Any], int, str]] = [
    ({"percent": "101", "text": "超了"}, 422, "workplan.report.percent"),
    ({"percent": "-1", "text": "负数"}, 422, "workplan.report.percent"),
    ({"percent": "六十", "text": "写成汉字"}, 422, "request.invalid"),
    ({"text": "没有进度"}, 422, "request.invalid"),
    ({"percent": "50"}, 422, "workplan.report.text_required"),
    ({"percent": "50", "text": "   "}, 422, "workplan.report.text_required"),
    ({"percent": "50", "text": "长" * 4001}, 422, "workplan.report.text_too_long"),
    ({"percent": "50", "text": "a\x00b"}, 422, "workplan.text.control_char"),
    ({"percent": "50", "text": "x", "unit": "环卫\x00"}, 422, "workplan.text.control_char"),
    ({"percent": "50", "text": "x", "month": "2025-13"}, 422, "workplan.month.invalid"),
    ({"percent": "50", "text": "x", "month": "六月"}, 422, "workplan.month.invalid"),
    ({"percent": "50", "text": "x", "month": "2025-08"}, 422, "workplan.report.future_month"),
    ({"percent": "50", "text": "x", "month": "2024-12"}, 422, "workplan.report.month_outside_plan"),
    (
        {"percent": "50", "text": "x", "files": [("files", ("空.jpg", b""))]},
        422,
        "workplan.evidence.empty",
    ),
    (
        {
            "percent": "50",
            "text": "x",
            "files": [("files", (f"{i}.jpg", PHOTO)) for i in range(10)],
        },
        422,
        "workplan.evidence.too_many",
    ),
    (
        {"percent": "50", "text": "x", "files": [("files", ("大.jpg", b"x" * 2048))]},
        413,
        "workplan.evidence.too_large",
    ),
    (
        {"percent": "500", "text": "x", "files": [("files", ("ok.jpg", PHOTO))]},
        422,
        "workplan.report.percent",
    ),
]


def test_every_bad_report_is_refused_with_its_code_and_stores_nothing(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(city.rt.settings, "max_attachment_bytes", 1024)
    plan = city.import_jining()
    task = city.task_numbered(plan, 17)["id"]
    for form, status, code in BAD_REPORTS:
        r = report(city, "sanitation", task, **dict(form))
        assert (r.status_code, r.json()["code"]) == (status, code), (form.get("month"), r.text)
        assert r.json()["message"]
    for missing in (999999, 2**62):
        r = report(city, "evaluator", missing, percent="10", text="x")
        assert (r.status_code, r.json()["code"]) == (404, "workplan.task_not_found")
    r = report(city, "evaluator", 2**63, percent="10", text="x")
    assert (r.status_code, r.json()["code"]) == (422, "request.invalid")
    detail = city.get("sanitation", f"/tasks/{task}").json()
    assert detail["reports"] == [] and detail["events"] == []
    assert stored_files(city) == []


def test_an_oversized_evidence_file_answers_413_with_the_limit_in_words(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(city.rt.settings, "max_attachment_bytes", 500_000)  # under 1 MB
    plan = city.import_jining()
    task = city.task_numbered(plan, 17)["id"]
    big = [("files", ("现场.jpg", PHOTO)), ("files", ("航拍.jpg", b"x" * 500_001))]
    r = report(city, "sanitation", task, percent="50", text="x", files=big)
    assert r.status_code == 413, r.text
    body = r.json()
    assert body["code"] == "workplan.evidence.too_large"
    assert body["message"] == "佐证材料“航拍.jpg”超过488.28KB的上限"
    assert (body["details"]["filename"], body["details"]["max_bytes"]) == ("航拍.jpg", 500_000)
    assert body["details"]["size"] == 500_001
    assert (
        stored_files(city) == []
        and city.get("sanitation", f"/tasks/{task}").json()["reports"] == []
    )
    ok = report(city, "sanitation", task, percent="50", text="x", files=big[:1])
    assert ok.status_code == 201, ok.text
    assert len(stored_files(city)) == 1
