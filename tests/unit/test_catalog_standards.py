"""The packaged standard catalogs: counts, kinds, codes and the component/matter pattern."""

from __future__ import annotations

from collections import Counter

from cityops.domain.catalog.catalogs import (
    LEGACY_STANDARD,
    NATIONAL_STANDARD,
    index_by_kind,
    load_legacy_catalog,
    load_national_catalog,
)
from cityops.domain.catalog.local_codes import is_local_code, local_code_problem
from cityops.domain.catalog.model import ClassKind


def test_national_catalog_has_153_components_and_250_matters() -> None:
    kinds = Counter(c.kind for c in load_national_catalog())
    assert kinds == {ClassKind.COMPONENT: 153, ClassKind.MATTER: 250}


def test_national_codes_are_five_digits_with_their_major_prefix() -> None:
    for c in load_national_catalog():
        assert len(c.code) == 5 and c.code.isdigit(), c
        assert c.code[:2] == c.major_code, c
        assert c.standard == NATIONAL_STANDARD


def test_national_codes_are_unique_within_a_kind() -> None:
    pairs = Counter((c.kind, c.code) for c in load_national_catalog())
    assert max(pairs.values()) == 1


def test_national_majors_are_5_component_and_10_matter_groups() -> None:
    majors = {(c.kind, c.major_code) for c in load_national_catalog()}
    assert {m for k, m in majors if k == ClassKind.COMPONENT} == {"01", "02", "03", "04", "05"}
    assert {m for k, m in majors if k == ClassKind.MATTER} == {f"{i:02d}" for i in range(1, 11)}


def test_matter_majors_01_to_05_are_the_components_abnormal() -> None:
    by_kind = index_by_kind(load_national_catalog())
    components, matters = by_kind[ClassKind.COMPONENT], by_kind[ClassKind.MATTER]
    low = {code: m for code, m in matters.items() if m.major_code <= "05"}
    assert set(low) == set(components)
    for code, matter in low.items():
        assert "异常" in matter.name
        assert matter.name.replace("异常", "") == components[code].name


def test_legacy_catalog_turns_events_into_matters() -> None:
    legacy = load_legacy_catalog()
    kinds = Counter(c.kind for c in legacy)
    assert kinds == {ClassKind.COMPONENT: 85, ClassKind.MATTER: 54}
    assert all(c.standard == LEGACY_STANDARD and len(c.code) == 4 for c in legacy)
    by_kind = index_by_kind(legacy)
    assert by_kind[ClassKind.COMPONENT]["0101"].name == "上水井盖"
    assert by_kind[ClassKind.MATTER]["0101"].name == "私搭乱建"


def test_local_codes_stay_out_of_the_national_range() -> None:
    assert is_local_code("90001")
    assert is_local_code("99999")
    assert is_local_code("06901")
    assert is_local_code("10999")
    for national in ("06010", "01077", "10002", "06899", "11001", "90000", "6901", "0690a"):
        assert local_code_problem(national) is not None, national


def test_no_national_code_is_a_local_code() -> None:
    assert not any(is_local_code(c.code) for c in load_national_catalog())
