"""One row of a city profile's table changed as the console does: added, replaced, removed,
written back in the same columns, and the whole profile validated again."""

from __future__ import annotations

import pytest

from cityops.domain.catalog.profile_edit import EditKind, apply_edit, read_table, table
from cityops.domain.catalog.profile_loader import inspect_profile, read_profile_files
from cityops.errors import NotFoundError, ValidationError
from cityops.services.profile import demo_profile_path


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return read_profile_files(demo_profile_path())


def _condition(files: dict[str, bytes], code: str) -> dict[str, str]:
    _, rows = read_table(table("conditions"), files)
    return next(r for r in rows if r["code"] == code)


def test_a_filing_conditions_limit_is_changed_and_the_profile_stays_valid(files):
    row = dict(_condition(files, "06010-01"), limit_value="2", limit_unit="working_hours")
    changed = apply_edit(files, "conditions", EditKind.UPDATE, "06010-01", row)
    profile, problems = inspect_profile(changed)
    assert problems == [] and profile is not None
    assert str(profile.conditions["06010-01"].limit) == "2 working_hours"
    before, _ = inspect_profile(files)
    assert before is not None and profile.content_hash != before.content_hash
    # only that row changed; the header and every other row are as they were
    old_header, old_rows = read_table(table("conditions"), files)
    new_header, new_rows = read_table(table("conditions"), changed)
    assert new_header == old_header and len(new_rows) == len(old_rows)
    assert [r for r in new_rows if r != next(o for o in old_rows if o["code"] == r["code"])] == [
        row
    ]


def test_a_row_is_added_and_removed(files):
    row = dict(_condition(files, "06010-01"), code="06010-09", text="示范：暴露垃圾（新增条件）")
    added = apply_edit(files, "conditions", EditKind.ADD, "06010-09", row)
    profile, problems = inspect_profile(added)
    assert problems == [] and profile is not None and "06010-09" in profile.conditions
    removed = apply_edit(added, "conditions", EditKind.DELETE, "06010-09")
    again, _ = inspect_profile(removed)
    assert again is not None and "06010-09" not in again.conditions


def test_a_bad_value_is_reported_with_file_row_and_column(files):
    row = dict(_condition(files, "06010-01"), limit_value="-3", limit_unit="fortnights")
    changed = apply_edit(files, "conditions", EditKind.UPDATE, "06010-01", row)
    profile, problems = inspect_profile(changed)
    assert profile is None
    assert {(p.file, p.column) for p in problems} >= {
        ("conditions.csv", "limit_value"),
        ("conditions.csv", "limit_unit"),
    }
    assert all(p.row is not None and p.row > 1 for p in problems)


@pytest.mark.parametrize(
    ("kind", "key", "values", "code"),
    [
        (EditKind.ADD, "06010-01", {"code": "06010-01"}, "profile.edit.key_exists"),
        (EditKind.UPDATE, "99999-01", {"code": "99999-01"}, "profile.edit.key_missing"),
        (EditKind.DELETE, "99999-01", None, "profile.edit.key_missing"),
        (EditKind.UPDATE, "06010-01", {"code": "06010-77"}, "profile.edit.key_changed"),
        (
            EditKind.UPDATE,
            "06010-01",
            {"code": "06010-01", "colour": "红"},
            "profile.edit.column_unknown",
        ),
        (
            EditKind.UPDATE,
            "06010-01",
            {"code": "06010-01", "text": "两\n行"},
            "profile.edit.value_multiline",
        ),
    ],
)
def test_edits_that_make_no_sense_are_refused_with_a_code(files, kind, key, values, code):
    with pytest.raises((ValidationError, NotFoundError)) as caught:
        apply_edit(files, "conditions", kind, key, values)
    assert caught.value.code == code


def test_only_the_editable_tables_can_be_changed(files):
    with pytest.raises(NotFoundError) as caught:
        apply_edit(files, "city", EditKind.DELETE, "x")
    assert caught.value.code == "profile.edit.table_unknown"


def test_a_routing_rule_is_known_by_its_class_pattern_and_area(files):
    _, rows = read_table(table("routing"), files)
    first = rows[0]
    key = f"{first['class_pattern']}|{first['area_code']}"
    changed = apply_edit(
        files, "routing", EditKind.UPDATE, key, dict(first, note="兜底规则（已复核）")
    )
    _, new_rows = read_table(table("routing"), changed)
    assert new_rows[0]["note"] == "兜底规则（已复核）"
    assert inspect_profile(changed)[1] == []
