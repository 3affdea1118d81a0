"""`cityops hotline …` against both databases (the commands' runtime is the test city)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cityops.cli import hotline as hotline_cli
from cityops.cli.main import app
from cityops.services.hotline import classification
from cityops.services.hotline import commands as cmd
from cityops.services.runtime import Runtime
from tests.fakes import ACCEPTOR

runner = CliRunner()
W = 250


@pytest.fixture
def cli_rt(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    monkeypatch.setattr(hotline_cli, "_rt", lambda: rt)
    return rt


def run(*args: str) -> str:
    result = runner.invoke(app, ["hotline", *args], terminal_width=W)
    assert result.exit_code == 0, result.output
    return result.output


def test_import_refuses_a_bad_file_whole_and_takes_a_good_one_once(cli_rt: Runtime, tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "external_no,content,received_at,kind\n"
        "A1,路灯不亮,2025-10-20T09:00:00+08:00,投诉\n"
        "A2,,2025-10-20 09:00,抱怨\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["hotline", "import", str(bad)], terminal_width=W)
    assert result.exit_code == 2 and "hotline.import_invalid" in result.output
    assert "第3行缺少诉求内容" in result.output and "诉求类型“抱怨”无效" in result.output
    good = tmp_path / "good.jsonl"
    good.write_text(
        '{"external_no": "A1", "content": "泉城公寓门口垃圾", "address": "泉城公寓", '
        '"received_at": "2025-10-20T09:00:00+08:00", "kind": "投诉", "class_code": "06010"}\n'
        '{"external_no": "A2", "content": "咨询", "received_at": "2025-10-20T10:00:00+08:00"}\n',
        encoding="utf-8",
    )
    assert "new 2" in run("import", str(good))
    assert "new 0, already there 2" in run("import", str(good))
    out = run("rates", "--period", "2025-10")
    assert "及时签收率" in out and "city" in out


def test_simulate_train_and_read_the_figures(cli_rt: Runtime):
    out = run(
        "simulate",
        "--days",
        "3",
        "--per-day",
        "25",
        "--start",
        "2025-10-20",
        "--settle-days",
        "8",
        "--batch",
        "20",
    )
    assert "orders" in out and "refused 0" in out
    assert "model 1" in run("train")
    assert "not due" in run("train", "--if-due")
    suggestion = classification.suggest(cli_rt, "泉城公寓门口垃圾堆了好几天没人清运", _placement())
    assert suggestion is not None and suggestion["model_id"] == 1
    order = cmd.receive_order(cli_rt, ACCEPTOR, content="泉城公寓门口垃圾堆了好几天没人清运").order
    assert order.suggestion is not None and order.suggestion["model_id"] == 1
    assert "unit" in run("rates", "--period", "2025-10", "--by", "unit")
    run("negative", "--period", "2025-10")
    run("reexam", "--period", "2025-10")
    assert '"orders"' in run("hotspots", "--period", "2025-10", "--json")
    assert "answered 0" in run("sync")
    assert '"tables"' in run("bulletin", "--period", "2025-10")


def test_policy_and_targets_are_set_from_toml(cli_rt: Runtime, tmp_path: Path):
    policy = tmp_path / "hotline.toml"
    policy.write_text(
        '[hotline]\nsign_limit = "1 working_hours"\n'
        '[hotline.handling_limits]\nconsult = "2 working_days"\n',
        encoding="utf-8",
    )
    out = run("policy", str(policy))
    assert '"sign_limit": "1 working_hours"' in out and '"consult": "2 working_days"' in out
    bad = tmp_path / "bad.toml"
    bad.write_text('[hotline]\nsign_limt = "1 hours"\n', encoding="utf-8")
    result = runner.invoke(app, ["hotline", "policy", str(bad)], terminal_width=W)
    assert result.exit_code == 2 and "未知的设置项“sign_limt”" in result.output
    targets = tmp_path / "targets.toml"
    targets.write_text(
        '[[targets]]\nscope = "06*"\nchange = -0.10\nlabel = "市容环境类工单同比下降10%"\n',
        encoding="utf-8",
    )
    assert re.search(r"06\*\s+yoy\s+-10%\s+市容环境类工单同比下降10%", run("targets", str(targets)))


def _placement():
    from cityops.domain.hotline.model import Placement

    return Placement()
