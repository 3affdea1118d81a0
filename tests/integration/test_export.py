"""The event export speaks the documented exchange vocabulary (docs/exchange.md)."""

from __future__ import annotations

import csv
import io
import json

from cityops.domain.cases.vocabulary import CaseState, EventType
from cityops.services import cases as svc
from cityops.services.cases import Upload
from cityops.services.export import FIELDS, iter_records, write_csv, write_jsonl
from tests.fakes import ACCEPTOR, DISPATCHER, INSPECTOR, JPEG, STREET_HANDLER
from tests.integration.helpers import report


def _loop(rt, clock):
    c = report(rt).case
    clock.tick()
    svc.file_case(rt, ACCEPTOR, c.id, class_code="06010", condition_code="06010-01")
    clock.tick()
    svc.dispatch_case(rt, DISPATCHER, c.id)
    clock.tick(30)
    svc.handle_case(rt, STREET_HANDLER, c.id, opinion="已清理", photos=[Upload(JPEG, "a.jpg")])
    svc.request_check(rt, ACCEPTOR, c.id)
    svc.close_case(rt, INSPECTOR, c.id)
    return c


def test_jsonl_records_have_exactly_the_documented_fields(rt, clock):
    _loop(rt, clock)
    out = io.StringIO()
    n = write_jsonl(iter_records(rt, "Asia/Shanghai"), out)
    lines = out.getvalue().splitlines()
    assert n == len(lines) == 6
    states = {s.value for s in CaseState}
    for line in lines:
        rec = json.loads(line)
        assert tuple(rec) == FIELDS
        assert rec["type"] in {t.value for t in EventType}
        assert rec["to_state"] in states
        assert rec["at"].endswith("+08:00")
    first = json.loads(lines[0])
    assert (first["seq"], first["type"], first["from_state"], first["to_state"]) == (
        1,
        "reported",
        None,
        "reported",
    )
    assert [json.loads(x)["seq"] for x in lines] == [1, 2, 3, 4, 5, 6]


def test_csv_has_a_header_and_data_as_json(rt, clock):
    _loop(rt, clock)
    out = io.StringIO()
    write_csv(iter_records(rt, "Asia/Shanghai"), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(FIELDS)
    assert json.loads(rows[1]["data"])["condition_code"] == "06010-01"
    assert rows[-1]["type"] == "closed" and json.loads(rows[-1]["data"])["outcome"] == "fixed"
