"""The documents bureaus exchange open in an office suite: the evaluation bulletin (.docx) and
ledgers (.xlsx), the work plan's responsibility list (.xlsx) and monthly bulletin (.docx) are
converted to PDF by LibreOffice (headless, Debian's package, installed by `make test`) and
their text is read back. LibreOffice opens what Microsoft Office and WPS open; a file it
cannot read fails here."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cityops.adapters.db.engine import make_engine
from cityops.domain.workplan.progress import Month
from cityops.reports.evaluation_docx import bulletin
from cityops.reports.evaluation_xlsx import evaluation_workbook
from cityops.reports.workplan_bulletin import write_bulletin_docx
from cityops.reports.workplan_ledger import write_ledger_xlsx
from cityops.services import workplan as wp
from cityops.services.evaluation.case_lists import CaseFilter, as_table, case_rows, column_widths
from cityops.services.evaluation.evaluate import evaluate
from cityops.services.profile import demo_profile_path, install_profile
from tests.integration.test_evaluation_engine import store_stories
from tests.integration.test_workplan_ledger import JINING, JUNE, task_ids

DAY = "2025-10-21"
OFFICE_HINT = (
    "LibreOffice is needed to check that the documents open in an office suite: "
    "`apt-get install -y libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils` "
    "(`make test` installs it)"
)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found. {OFFICE_HINT}", pytrace=False)
    return path


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Engine:
    path = tmp_path / "docs.sqlite"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    install_profile(engine, demo_profile_path())
    return engine


def _write_documents(engine: Engine, folder: Path) -> dict[str, str]:
    """The four documents; returns each file's name and a line its text must contain."""
    store_stories(engine)
    ev = evaluate(engine, DAY)
    evaluation_workbook(
        ev,
        case_rows=as_table(case_rows(engine, CaseFilter(period=DAY))),
        case_header=column_widths(),
        overdue_rows=as_table(case_rows(engine, CaseFilter(period=DAY, overdue_at_end=True))),
    ).save(folder / "evaluation-ledgers.xlsx")
    buf = io.BytesIO()
    bulletin(ev).save(buf)
    (folder / "evaluation-bulletin.docx").write_bytes(buf.getvalue())

    plan = wp.import_plan_file(engine, JINING, actor="tester", now=JUNE).plan_id
    ids = task_ids(engine, plan)
    wp.report_progress(
        engine,
        ids[5],
        percent=40,
        text="已设置40处潮汐摊区",
        actor="c",
        month=Month(2025, 6),
        now=JUNE,
    )
    ledger = wp.load_ledger(engine, plan, date(2025, 7, 1))
    with (folder / "plan-ledger.xlsx").open("wb") as f:
        write_ledger_xlsx(ledger, f, wp.plan_unparsed(engine, plan))
    with (folder / "plan-progress.docx").open("wb") as f:
        write_bulletin_docx(ledger, Month(2025, 6), f)
    return {
        "evaluation-ledgers.xlsx": "区县",
        "evaluation-bulletin.docx": "综合评价通报",
        "plan-ledger.xlsx": "工作要点责任清单",
        "plan-progress.docx": "推进情况月报",
    }


@pytest.mark.slow
def test_the_bulletins_and_ledgers_open_in_an_office_suite(sqlite_engine: Engine, tmp_path: Path):
    soffice, pdftotext = _tool("soffice"), _tool("pdftotext")
    expected = _write_documents(sqlite_engine, tmp_path)
    out = tmp_path / "pdf"
    profile = tmp_path / "lo-profile"  # a profile of its own: no clash with another office
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *[str(tmp_path / name) for name in expected],
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    for name, words in expected.items():
        pdf = out / f"{Path(name).stem}.pdf"
        assert pdf.is_file(), f"LibreOffice could not open {name}"
        text = subprocess.run(
            [pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        assert words in text, (name, text[:300])
