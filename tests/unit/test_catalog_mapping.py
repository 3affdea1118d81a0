"""The curated legacy → national mapping."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from cityops.domain.catalog.catalogs import (
    index_by_kind,
    load_legacy_catalog,
    load_national_catalog,
)
from cityops.domain.catalog.legacy_mapping import MappingMethod, legacy_mapping, map_legacy
from cityops.domain.catalog.mapping_builder import build_mapping, normalise_name, propose
from cityops.domain.catalog.model import CatalogClass, ClassKind

DOCS = Path(__file__).resolve().parents[2] / "docs" / "profile.md"


def test_every_legacy_class_has_exactly_one_row_in_catalog_order() -> None:
    keys = [(m.kind, m.legacy_code) for m in legacy_mapping()]
    assert keys == [(c.kind, c.code) for c in load_legacy_catalog()]
    names = {(c.kind, c.code): c.name for c in load_legacy_catalog()}
    assert all(names[(m.kind, m.legacy_code)] == m.legacy_name for m in legacy_mapping())


def test_mapped_national_codes_exist_with_the_same_kind_and_name() -> None:
    national = index_by_kind(load_national_catalog())
    for m in legacy_mapping():
        if m.method == MappingMethod.UNMAPPED:
            continue
        assert m.national_code is not None, m
        target = national[m.kind].get(m.national_code)
        assert target is not None, f"{m.legacy_code} → {m.national_code} is not a national {m.kind}"
        assert target.name == m.national_name


def test_unmapped_rows_have_no_code_and_say_why() -> None:
    for m in legacy_mapping():
        if m.method == MappingMethod.UNMAPPED:
            assert m.national_code is None and m.national_name is None
            assert m.note and not m.note.startswith("待人工审核"), m
        elif m.method == MappingMethod.MANUAL:
            assert m.note, m


def _documented_counts() -> dict[str, int]:
    text = DOCS.read_text(encoding="utf-8")
    rows = re.findall(r"^\| (exact|normalised|manual|unmapped|total) \| (\d+) \|", text, re.M)
    return {name: int(n) for name, n in rows}


def test_counts_are_what_the_docs_say() -> None:
    documented = _documented_counts()
    counts = Counter(m.method.value for m in legacy_mapping())
    assert documented == {**counts, "total": len(legacy_mapping())}
    assert documented["total"] == 139


def test_rerunning_the_builder_changes_nothing() -> None:
    rebuilt = build_mapping(load_legacy_catalog(), load_national_catalog(), legacy_mapping())
    assert tuple(rebuilt) == legacy_mapping()


def test_a_legacy_component_maps_to_a_component_and_an_event_to_a_matter() -> None:
    water = map_legacy(ClassKind.COMPONENT, "0101")
    assert water is not None
    assert (water.national_code, water.method) == ("01001", MappingMethod.NORMALISED)
    illegal = map_legacy(ClassKind.MATTER, "0101")
    assert illegal is not None
    assert (illegal.national_code, illegal.national_name) == ("06001", "私搭乱建")
    assert map_legacy(ClassKind.MATTER, "9999") is None


@pytest.mark.parametrize(
    ("legacy", "national"),
    [
        ("上水井盖", "供水井盖"),
        ("通讯交接箱", "通信交接箱"),
        ("街头坐椅", "街头座椅"),
        ("道路积雪结冰", "道路积雪、结冰"),
        ("输油(气)井盖", "输油（气）井盖"),
        ("路灯", "路灯异常"),
    ],
)
def test_normalised_names_match(legacy: str, national: str) -> None:
    assert normalise_name(legacy) == normalise_name(national)


def test_different_names_stay_different_after_normalising() -> None:
    assert normalise_name("立杆") != normalise_name("电力立杆")
    assert normalise_name("异常") == "异常"


def test_the_builder_never_maps_across_kinds() -> None:
    legacy = CatalogClass("0199", ClassKind.MATTER, "01", "x", "路灯", "CJ/T 214-2007")
    components_only = [CatalogClass("01037", ClassKind.COMPONENT, "01", "x", "路灯", "n")]
    assert propose(legacy, components_only) is None
    rows = build_mapping([legacy], components_only)
    assert rows[0].method == MappingMethod.UNMAPPED and rows[0].national_code is None
