"""The legacy → national class mapping (CJ/T 214-2007 → GB/T 47678.5-2026), shipped as the
curated data file ``cityops/data/catalog/legacy_mapping.csv``.

Each legacy class has exactly one row. A mapped row keeps the kind (a legacy component maps to
a national component, whose code is also the code of its "<component>异常" matter; a legacy
event maps to a national matter). Rows whose meaning has no single national class are
``unmapped`` with an empty national code and a note naming the candidates: they are never
guessed. ``mapping_builder`` regenerates the exact and normalised rows and keeps the reviewed
manual and unmapped ones.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from cityops.domain.catalog.catalogs import MAPPING_FILE, catalog_file_bytes
from cityops.domain.catalog.model import ClassKind

MAPPING_COLUMNS = (
    "kind",
    "legacy_code",
    "legacy_name",
    "national_code",
    "national_name",
    "method",
    "note",
)


class MappingMethod(StrEnum):
    EXACT = "exact"  # identical names
    NORMALISED = "normalised"  # identical after ``normalise_name`` (brackets, 上水↔供水 …)
    MANUAL = "manual"  # reviewed by hand, the reason is in the note
    UNMAPPED = "unmapped"  # no single national class; the note names the candidates


@dataclass(frozen=True, slots=True)
class LegacyMapping:
    kind: ClassKind
    legacy_code: str
    legacy_name: str
    national_code: str | None
    national_name: str | None
    method: MappingMethod
    note: str = ""

    @property
    def mapped(self) -> bool:
        return self.national_code is not None


def parse_mapping(text: str) -> tuple[LegacyMapping, ...]:
    rows: list[LegacyMapping] = []
    for row in csv.DictReader(io.StringIO(text)):
        kind = ClassKind("matter" if row["kind"] == "event" else row["kind"])
        rows.append(
            LegacyMapping(
                kind=kind,
                legacy_code=row["legacy_code"].strip(),
                legacy_name=row["legacy_name"].strip(),
                national_code=row["national_code"].strip() or None,
                national_name=row["national_name"].strip() or None,
                method=MappingMethod(row["method"].strip()),
                note=row["note"].strip(),
            )
        )
    return tuple(rows)


def format_mapping(rows: tuple[LegacyMapping, ...] | list[LegacyMapping]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(MAPPING_COLUMNS)
    for m in rows:
        writer.writerow(
            [
                m.kind.value,
                m.legacy_code,
                m.legacy_name,
                m.national_code or "",
                m.national_name or "",
                m.method.value,
                m.note,
            ]
        )
    return buf.getvalue()


@cache
def legacy_mapping() -> tuple[LegacyMapping, ...]:
    """Every legacy class with its national class (or none), in the legacy catalog's order."""
    return parse_mapping(catalog_file_bytes(MAPPING_FILE).decode("utf-8-sig"))


def map_legacy(kind: ClassKind, legacy_code: str) -> LegacyMapping | None:
    """The mapping row of one legacy class, or None if the code is not a legacy class."""
    for m in legacy_mapping():
        if m.kind == kind and m.legacy_code == legacy_code:
            return m
    return None
