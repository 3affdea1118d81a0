"""Administrative codes, unit grid codes and grid numbering."""

from __future__ import annotations

import pytest

from cityops.domain.geo import codes
from cityops.domain.geo.model import Location, RegionLevel
from cityops.errors import ValidationError


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("370100", RegionLevel.CITY),
        ("370102", RegionLevel.DISTRICT),
        ("370126", RegionLevel.DISTRICT),
        ("370102001", RegionLevel.STREET),
        ("370126101", RegionLevel.STREET),
        ("370102001001", RegionLevel.COMMUNITY),
        ("370126101201", RegionLevel.COMMUNITY),
    ],
)
def test_valid_admin_codes_and_their_levels(code: str, level: RegionLevel) -> None:
    assert codes.admin_code_problem(code) is None
    assert codes.admin_code_problem(code, level) is None
    assert codes.level_of(code) is level


@pytest.mark.parametrize(
    "code",
    [
        "37010A",  # not digits
        "3701",  # wrong length
        "37010200",  # wrong length
        "990102",  # no such province
        "370002",  # province-level digits
        "370100001",  # street under a city code
        "370102000",  # street sequence 000
        "370102001000",  # community sequence 000
    ],
)
def test_invalid_admin_codes_are_refused_with_a_stable_code(code: str) -> None:
    assert codes.admin_code_problem(code) is not None
    with pytest.raises(ValidationError) as err:
        codes.validate_admin_code(code)
    assert err.value.code == "geo.admin_code_invalid"
    assert err.value.details["value"] == code


def test_a_code_of_the_wrong_level_is_refused() -> None:
    assert codes.admin_code_problem("370102", RegionLevel.STREET) is not None
    assert codes.admin_code_problem("370100", RegionLevel.DISTRICT) is not None


@pytest.mark.parametrize(
    ("code", "parent"),
    [
        ("370102", "370100"),
        ("370102001", "370102"),
        ("370102001001", "370102001"),
        ("370100", None),
    ],
)
def test_parent_codes(code: str, parent: str | None) -> None:
    assert codes.parent_code(code) == parent


@pytest.mark.parametrize(
    ("stats", "short"),
    [
        ("370100000000", "370100"),
        ("370102000000", "370102"),
        ("370102001000", "370102001"),
        ("370102001001", "370102001001"),
    ],
)
def test_statistics_codes_shorten(stats: str, short: str) -> None:
    assert codes.short_admin_code(stats) == short


def test_grid_code_parts_follow_location() -> None:
    g = codes.parse_grid_code("370102001001007")
    assert (g.district_code, g.street_code, g.community_code, g.sequence) == (
        "370102",
        "370102001",
        "370102001001",
        7,
    )
    loc = Location.from_grid(117.0, 36.66, g.code)
    assert loc.area_codes() == [g.code, g.community_code, g.street_code, g.district_code]


def test_legacy_14_digit_codes_widen_the_sequence() -> None:
    assert codes.normalize_grid_code("37010200100105") == "370102001001005"
    assert codes.normalize_grid_code(" 370102001001005 ") == "370102001001005"


@pytest.mark.parametrize(
    "raw",
    [
        "3701020010010",  # 13 digits
        "3701020010010051",  # 16 digits
        "37010200100100A",  # letter
        "370102001001000",  # sequence 000
        "370102001000001",  # community 000
        "37010200100100",  # 14 digits widening to sequence 000
    ],
)
def test_bad_grid_codes_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError) as err:
        codes.normalize_grid_code(raw)
    assert err.value.code == "geo.grid_code_invalid"


def test_grid_sequence_range() -> None:
    assert codes.grid_code("370102001001", 1) == "370102001001001"
    with pytest.raises(ValidationError) as err:
        codes.grid_code("370102001001", 1000)
    assert err.value.code == "geo.grid_sequence_invalid"


def test_grids_are_numbered_west_to_east_then_north_to_south() -> None:
    # Three rows of three, slightly uneven, given in scrambled order.
    layout = {
        "nw": (117.000, 36.702),
        "n": (117.010, 36.699),
        "ne": (117.020, 36.701),
        "w": (117.001, 36.690),
        "c": (117.011, 36.691),
        "e": (117.019, 36.689),
        "sw": (116.999, 36.680),
        "s": (117.010, 36.681),
        "se": (117.021, 36.679),
    }
    names = ["c", "se", "nw", "s", "ne", "w", "n", "sw", "e"]
    numbered = codes.number_grids("370102001001", [layout[n] for n in names], row_tolerance=0.004)
    by_name = dict(zip(names, numbered, strict=True))
    expected = ["nw", "n", "ne", "w", "c", "e", "sw", "s", "se"]
    assert [by_name[n][-3:] for n in expected] == [f"{i:03d}" for i in range(1, 10)]
