"""Profile validation: every problem is reported with file, row, column and a stable code,
and a profile with any problem is never returned."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityops.domain.catalog.model import ClassKind
from cityops.domain.catalog.problems import Problem
from cityops.domain.catalog.profile_loader import (
    PROFILE_FILES,
    check_profile,
    content_hash,
    inspect_profile,
    load_profile,
    parse_profile,
)
from cityops.errors import ProfileError

DEMO = Path(__file__).resolve().parents[2] / "src" / "cityops" / "data" / "cities" / "jinan-demo"


@pytest.fixture(scope="module")
def demo_files() -> dict[str, bytes]:
    return {name: (DEMO / name).read_bytes() for name in PROFILE_FILES if (DEMO / name).exists()}


def replace_line(
    files: dict[str, bytes], name: str, starts: str, new: str | None
) -> tuple[dict[str, bytes], int]:
    """Replace (or with None delete) the first line of ``name`` starting with ``starts``;
    returns the files and the 1-based row of that line."""
    lines = files[name].decode("utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(starts))
    if new is None:
        del lines[index]
    else:
        lines[index] = new
    return {**files, name: "\n".join(lines).encode("utf-8")}, index + 1


def problems_of(files: dict[str, bytes]) -> list[Problem]:
    profile, problems = inspect_profile(files)
    assert (profile is None) == bool(problems)
    return problems


def has(problems: list[Problem], file: str, row: int | None, column: str | None, code: str) -> bool:
    return any((p.file, p.row, p.column, p.code) == (file, row, column, code) for p in problems)


def test_the_demo_profile_has_no_problems(demo_files: dict[str, bytes]) -> None:
    assert problems_of(demo_files) == []


# (file, line prefix, replacement line, column, code)
CSV_CASES = [
    (
        "conditions.csv",
        "06010-01,",
        "06010-01,06999,暴露垃圾,4,working_hours,normal,清理,,1",
        "class_code",
        "profile.class_unknown",
    ),
    (
        "conditions.csv",
        "06010-01,",
        "06010-01,06010,暴露垃圾,4,fortnights,normal,清理,,1",
        "limit_unit",
        "profile.limit_unit_unknown",
    ),
    (
        "conditions.csv",
        "06010-01,",
        "06010-01,06010,暴露垃圾,0,working_hours,normal,清理,,1",
        "limit_value",
        "profile.limit_not_positive",
    ),
    (
        "conditions.csv",
        "06010-01,",
        "06010-01,06010,暴露垃圾,four,working_hours,normal,清理,,1",
        "limit_value",
        "profile.number_invalid",
    ),
    (
        "conditions.csv",
        "06010-01,",
        "06010-01,06010,暴露垃圾,4,working_hours,asap,清理,,1",
        "urgency",
        "profile.urgency_invalid",
    ),
    (
        "conditions.csv",
        "06010-01,",
        "06010-01,06010,暴露垃圾,4,working_hours,normal,清理,dept.nowhere,1",
        "default_unit",
        "profile.unit_unknown",
    ),
    (
        "conditions.csv",
        "06010-01,",
        "06010-01,06010,暴露垃圾,4,working_hours,normal,,,1",
        "closure_condition",
        "profile.value_required",
    ),
    (
        "conditions.csv",
        "06010-01,",
        "06010-01,06010,暴露垃圾,4,working_hours,normal,清理,,-2",
        "weight",
        "profile.number_negative",
    ),
    (
        "conditions.csv",
        "06011-01,",
        "06010-01,06011,积存垃圾渣土,1,working_days,normal,清运,,1",
        "code",
        "profile.code_duplicate",
    ),
    (
        "units.csv",
        "street.370102001,",
        "street.370102001,解放路街道办事处,street,district.999999,370102001",
        "parent_code",
        "profile.parent_missing",
    ),
    (
        "units.csv",
        "district.370102,",
        "district.370102,历下区城市管理局,district,street.370102001,370102",
        "parent_code",
        "profile.parent_cycle",
    ),
    (
        "units.csv",
        "district.370102,",
        "district.370102,历下区城市管理局,district,,37010",
        "region_code",
        "profile.region_code_invalid",
    ),
    (
        "units.csv",
        "district.370103,",
        "district.370103,市中区城市管理局,district,,370102",
        "region_code",
        "profile.unit_region_duplicate",
    ),
    (
        "units.csv",
        "street.370102002,",
        "street.370102001,千佛山街道办事处,street,district.370102,370102002",
        "code",
        "profile.code_duplicate",
    ),
    ("units.csv", "company.gas,", "company.gas,燃气公司,utility,,", "kind", "profile.kind_invalid"),
    ("units.csv", "company.gas,", "@gas,燃气公司,company,,", "code", "profile.unit_code_invalid"),
    ("regions.csv", "370126,", "37012x,商河县,rural", "code", "profile.region_code_invalid"),
    (
        "regions.csv",
        "370126,",
        "370126,商河县,suburban",
        "area_class",
        "profile.area_class_invalid",
    ),
    ("regions.csv", "370105,", "320105,天桥区,urban", "code", "profile.region_outside_city"),
    ("routing.csv", "04*,*,", "04*,*,dept.nowhere,", "unit_code", "profile.unit_unknown"),
    ("routing.csv", "04*,*,", "99*,*,dept.greening,", "class_pattern", "profile.class_unknown"),
    (
        "routing.csv",
        "04*,*,",
        "green,*,dept.greening,",
        "class_pattern",
        "profile.class_pattern_invalid",
    ),
    ("routing.csv", "04*,*,", "04*,123,dept.greening,", "area_code", "profile.area_code_invalid"),
    ("routing.csv", "04*,*,", "04*,370199,dept.greening,", "area_code", "profile.area_unknown"),
    ("routing.csv", "05*,*,", "04*,*,dept.greening,", "class_pattern", "profile.routing_duplicate"),
    (
        "stage_limits.csv",
        "check_dispatch,",
        "handle,*,*,1,working_days",
        "stage",
        "profile.stage_handle_not_allowed",
    ),
    (
        "stage_limits.csv",
        "check_dispatch,",
        "check_dispatch,*,*,-1,working_hours",
        "limit_value",
        "profile.limit_not_positive",
    ),
    (
        "stage_limits.csv",
        "check_dispatch,",
        "verify,*,urban,1,working_hours",
        "stage",
        "profile.code_duplicate",
    ),
    (
        "classes.csv",
        "90001,",
        "06010,matter,06,市容环境类,本市暴露垃圾,",
        "code",
        "profile.local_code_out_of_range",
    ),
    (
        "classes.csv",
        "06901,",
        "06901,matter,06,市容环境,建筑垃圾运输车辆未密闭,",
        "major_name",
        "profile.major_name_mismatch",
    ),
    (
        "classes.csv",
        "06901,",
        "06901,component,06,市容环境类,某设施,",
        "major_code",
        "profile.major_kind_mismatch",
    ),
    (
        "classes.csv",
        "90002,",
        "90002,matter,90,泉水,泉水取水点秩序,",
        "major_name",
        "profile.major_name_inconsistent",
    ),
    (
        "classes.csv",
        "90002,",
        "90002,matter,91,泉水保护,泉水取水点秩序,",
        "major_code",
        "profile.major_code_mismatch",
    ),
]


@pytest.mark.parametrize(
    ("file", "starts", "new", "column", "code"),
    CSV_CASES,
    ids=[c[4] + ":" + c[0] for c in CSV_CASES],
)
def test_a_bad_csv_cell_is_reported_where_it_is(
    demo_files: dict[str, bytes], file: str, starts: str, new: str, column: str, code: str
) -> None:
    files, row = replace_line(demo_files, file, starts, new)
    problems = problems_of(files)
    assert has(problems, file, row, column, code), problems


TOML_CASES = [
    ('city_code = "370100"', 'city_code = "3701"', "city_code", "profile.city_code_invalid"),
    ('city_name = "济南市"', 'city_name = ""', "city_name", "profile.value_required"),
    (
        'intervals = ["08:30-12:00", "13:30-17:30"]',
        'intervals = ["18:00-08:00"]',
        "calendar",
        "profile.calendar_invalid",
    ),
    (
        'time_zone = "Asia/Shanghai"',
        'time_zone = "Mars/Olympus"',
        "calendar",
        "profile.calendar_invalid",
    ),
    (
        'verification_channels = ["public", "hotline", "media"]',
        'verification_channels = ["fax"]',
        "verification_channels",
        "profile.channel_unknown",
    ),
    ("radius_m = 50", "radius_m = -5", "duplicates.radius_m", "profile.limit_not_positive"),
    ("radius_m = 50", "radius = 50", "duplicates.radius", "profile.key_unknown"),
    (
        "max_bytes = 10485760",
        "max_bytes = 0",
        "attachments.max_bytes",
        "profile.limit_not_positive",
    ),
    (
        'allowed_types = ["image/jpeg", "image/png", "image/webp"]',
        'allowed_types = ["jpeg"]',
        "attachments.allowed_types",
        "profile.mime_invalid",
    ),
    ("legacy = false", 'legacy = "no"', "catalog.legacy", "profile.type_invalid"),
]


@pytest.mark.parametrize(
    ("old", "new", "column", "code"), TOML_CASES, ids=[c[3] + ":" + c[2] for c in TOML_CASES]
)
def test_a_bad_city_setting_is_reported_with_its_key(
    demo_files: dict[str, bytes], old: str, new: str, column: str, code: str
) -> None:
    text = demo_files["city.toml"].decode("utf-8")
    assert old in text
    files = {**demo_files, "city.toml": text.replace(old, new, 1).encode("utf-8")}
    assert has(problems_of(files), "city.toml", None, column, code)


EVALUATION_CASES = [
    (
        "valid_report_rate = 40",
        "valid_report_rate = 50",
        "weights.inspector",
        "profile.weights_sum_invalid",
    ),
    ("B = 75", "B = 95", "grades.B", "profile.evaluation_invalid"),
    (
        "urban = [[0, 40], [300, 60]",
        "urban = [[10, 40], [300, 60]",
        "volume_steps.filed.urban",
        "profile.evaluation_invalid",
    ),
    ("[weights.region]", "[weights.regions]", "weights.regions", "profile.key_unknown"),
]


@pytest.mark.parametrize(
    ("old", "new", "column", "code"), EVALUATION_CASES, ids=[c[2] for c in EVALUATION_CASES]
)
def test_a_bad_evaluation_setting_is_reported(
    demo_files: dict[str, bytes], old: str, new: str, column: str, code: str
) -> None:
    text = demo_files["evaluation.toml"].decode("utf-8")
    assert old in text
    files = {**demo_files, "evaluation.toml": text.replace(old, new, 1).encode("utf-8")}
    assert has(problems_of(files), "evaluation.toml", None, column, code)


def test_every_problem_is_reported_at_once(demo_files: dict[str, bytes]) -> None:
    files, r1 = replace_line(
        demo_files,
        "conditions.csv",
        "06010-01,",
        "06010-01,06010,暴露垃圾,4,fortnights,normal,清理,,1",
    )
    files, r2 = replace_line(files, "units.csv", "company.gas,", "company.gas,燃气公司,utility,,")
    files, r3 = replace_line(files, "routing.csv", "04*,*,", "04*,*,dept.nowhere,")
    with pytest.raises(ProfileError) as err:
        parse_profile(files, source="test")
    problems = [Problem(**p) for p in err.value.details["problems"]]
    assert has(problems, "conditions.csv", r1, "limit_unit", "profile.limit_unit_unknown")
    assert has(problems, "units.csv", r2, "kind", "profile.kind_invalid")
    assert has(problems, "routing.csv", r3, "unit_code", "profile.unit_unknown")
    assert err.value.code == "profile.invalid"
    assert "3处问题" in err.value.message


def test_a_missing_required_stage_limit_is_named(demo_files: dict[str, bytes]) -> None:
    files, _ = replace_line(demo_files, "stage_limits.csv", "check,*,rural,", None)
    problems = problems_of(files)
    missing = [p for p in problems if p.code == "profile.stage_limit_missing"]
    assert len(missing) == 2  # normal and urgent, rural
    assert all("check" in p.message and "rural" in p.message for p in missing)


def test_a_class_without_any_route_is_reported(demo_files: dict[str, bytes]) -> None:
    files, _ = replace_line(demo_files, "routing.csv", "*,*,@street", None)
    files, _ = replace_line(files, "routing.csv", "07*,*,", None)
    problems = problems_of(files)
    unrouted = {
        p.message.split("“")[1].split("”")[0]
        for p in problems
        if p.code == "profile.routing_missing"
    }
    assert unrouted == {"07001", "07002", "07007", "07008"}


def test_district_placeholders_need_an_office_in_every_district(
    demo_files: dict[str, bytes],
) -> None:
    files, _ = replace_line(demo_files, "units.csv", "district.370105,", None)
    problems = problems_of(files)
    assert has(problems, "units.csv", None, "region_code", "profile.district_office_missing")


@pytest.mark.parametrize("name", ["routing.csv", "city.toml", "evaluation.toml"])
def test_a_missing_required_file_is_reported(demo_files: dict[str, bytes], name: str) -> None:
    files = {k: v for k, v in demo_files.items() if k != name}
    assert has(problems_of(files), name, None, None, "profile.file_missing")


def test_classes_csv_is_optional(demo_files: dict[str, bytes]) -> None:
    # without local classes, nothing may refer to one (the waterlogging sensors' condition)
    files = {k: v for k, v in demo_files.items() if k not in ("classes.csv", "iot.toml")}
    files, _ = replace_line(files, "conditions.csv", "10901-01,", None)
    files, _ = replace_line(files, "routing.csv", "10901,", None)
    files, _ = replace_line(files, "conditions.csv", "90001-01,", None)
    files, _ = replace_line(files, "conditions.csv", "90002-01,", None)
    files, _ = replace_line(files, "conditions.csv", "90003-01,", None)
    files, _ = replace_line(files, "conditions.csv", "06901-01,", None)
    files, _ = replace_line(files, "conditions.csv", "09901-01,", None)
    files, _ = replace_line(files, "routing.csv", "06901,", None)
    files, _ = replace_line(files, "routing.csv", "90*,", None)
    files, _ = replace_line(files, "routing.csv", "90002,", None)
    profile = parse_profile(files)
    assert not any(c.standard == "local" for c in profile.classes.values())


def test_a_missing_column_stops_only_that_file(demo_files: dict[str, bytes]) -> None:
    text = demo_files["conditions.csv"].decode("utf-8").replace(",urgency,", ",severity,", 1)
    problems = problems_of({**demo_files, "conditions.csv": text.encode("utf-8")})
    assert has(problems, "conditions.csv", 1, "urgency", "profile.column_missing")
    assert has(problems, "conditions.csv", 1, "severity", "profile.column_unknown")


def test_a_file_not_in_utf8_is_reported(demo_files: dict[str, bytes]) -> None:
    files = {**demo_files, "regions.csv": demo_files["regions.csv"].decode("utf-8").encode("gbk")}
    assert has(problems_of(files), "regions.csv", None, None, "profile.encoding_invalid")


def test_a_toml_syntax_error_is_reported(demo_files: dict[str, bytes]) -> None:
    files = {**demo_files, "evaluation.toml": b"[grades\nA = 90\n"}
    assert has(problems_of(files), "evaluation.toml", None, None, "profile.toml_invalid")


def test_excel_bom_and_chinese_unit_labels_are_accepted(demo_files: dict[str, bytes]) -> None:
    files, _ = replace_line(
        demo_files, "conditions.csv", "06010-01,", "06010-01,06010,暴露垃圾,4,工作时,紧急,清理,,1"
    )
    files = {**files, "conditions.csv": b"\xef\xbb\xbf" + files["conditions.csv"]}
    profile = parse_profile(files)
    cond = profile.conditions["06010-01"]
    assert (str(cond.limit), cond.urgency.value) == ("4 working_hours", "urgent")


def test_the_content_hash_follows_the_bytes(demo_files: dict[str, bytes]) -> None:
    assert content_hash(demo_files) == content_hash(dict(demo_files))
    changed = {**demo_files, "routing.csv": demo_files["routing.csv"] + b"\n"}
    assert content_hash(changed) != content_hash(demo_files)
    assert parse_profile(demo_files).content_hash == content_hash(demo_files)


def test_class_weights_are_the_sums_of_condition_weights(demo_files: dict[str, bytes]) -> None:
    profile = parse_profile(demo_files)
    for class_code, weight in profile.class_weights.items():
        assert weight == pytest.approx(sum(c.weight for c in profile.conditions_for(class_code)))
    assert profile.class_weights["01037"] == pytest.approx(6 + 9 + 3)


def test_the_legacy_catalog_can_be_enabled(demo_files: dict[str, bytes]) -> None:
    text = demo_files["city.toml"].decode("utf-8").replace("legacy = false", "legacy = true")
    rows = (
        demo_files["conditions.csv"]
        + "0102-01,0102,暴露垃圾（旧目录）,4,working_hours,normal,清理,,1\n".encode()
    )
    profile = parse_profile({**demo_files, "city.toml": text.encode(), "conditions.csv": rows})
    assert profile.legacy_catalog
    assert profile.classes["0101"].name == "私搭乱建"
    assert profile.catalog_class("0101", ClassKind.COMPONENT).name == "上水井盖"  # type: ignore[union-attr]
    assert profile.conditions["0102-01"].class_code == "0102"
    without = problems_of({**demo_files, "conditions.csv": rows})
    assert any(p.code == "profile.class_unknown" and p.column == "class_code" for p in without)


def test_load_profile_reads_a_directory_and_check_profile_lists_problems(tmp_path: Path) -> None:
    for name in PROFILE_FILES:
        if (DEMO / name).exists():
            (tmp_path / name).write_bytes((DEMO / name).read_bytes())
    assert load_profile(tmp_path).city_code == "370100"
    (tmp_path / "routing.csv").unlink()
    assert [p.code for p in check_profile(tmp_path)] == ["profile.file_missing"]
    with pytest.raises(ProfileError):
        load_profile(tmp_path)
    missing = check_profile(tmp_path / "nowhere")
    assert [p.code for p in missing] == ["profile.dir_missing"]
