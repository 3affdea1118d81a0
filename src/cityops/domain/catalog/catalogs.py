"""The standard catalogs shipped as package data (``cityops/data/catalog``).

* ``load_national_catalog()``: GB/T 47678.5-2026, 153 component and 250 matter classes,
  5-digit codes (2 major + 3 minor). Matter majors 01–05 are "<component>异常" and reuse the
  component codes, so a class is identified by its kind *and* its code.
* ``load_legacy_catalog()``: the CJ/T 214-2007 classes many platforms still run, 4-digit codes
  (2 + 2); its "event" (事件) kind is our ``matter``.

Files are read on first call, never at import, and the result is cached.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

from cityops.domain.catalog.model import CatalogClass, ClassKind

NATIONAL_STANDARD = "GB/T 47678.5-2026"
LEGACY_STANDARD = "CJ/T 214-2007"
LOCAL_STANDARD = "local"

NATIONAL_FILE = "gbt47678-5-2026.csv"
LEGACY_FILE = "cjt214-2007.csv"
MAPPING_FILE = "legacy_mapping.csv"

_KINDS = {"component": ClassKind.COMPONENT, "matter": ClassKind.MATTER, "event": ClassKind.MATTER}


def catalog_file_bytes(name: str) -> bytes:
    """The raw bytes of one packaged catalog file (also hashed into profile content hashes)."""
    return resources.files("cityops").joinpath("data", "catalog", name).read_bytes()


def _read(name: str, standard: str) -> tuple[CatalogClass, ...]:
    text = catalog_file_bytes(name).decode("utf-8-sig")
    out: list[CatalogClass] = []
    for row in csv.DictReader(io.StringIO(text)):
        out.append(
            CatalogClass(
                code=row["code"].strip(),
                kind=_KINDS[row["kind"].strip()],
                major_code=row["major_code"].strip(),
                major_name=row["major_name"].strip(),
                name=row["name"].strip(),
                standard=standard,
            )
        )
    return tuple(out)


@cache
def load_national_catalog() -> tuple[CatalogClass, ...]:
    """Every GB/T 47678.5-2026 class, components first, in the standard's order."""
    return _read(NATIONAL_FILE, NATIONAL_STANDARD)


@cache
def load_legacy_catalog() -> tuple[CatalogClass, ...]:
    """Every CJ/T 214-2007 class, components first; "event" becomes ``ClassKind.MATTER``."""
    return _read(LEGACY_FILE, LEGACY_STANDARD)


def index_by_kind(
    classes: tuple[CatalogClass, ...],
) -> dict[ClassKind, dict[str, CatalogClass]]:
    """``{kind: {code: class}}``: codes are unique within a kind, not across kinds."""
    out: dict[ClassKind, dict[str, CatalogClass]] = {k: {} for k in ClassKind}
    for c in classes:
        out[c.kind][c.code] = c
    return out


def national_major_names(kind: ClassKind) -> dict[str, str]:
    """Major code → major name of the national catalog for one kind."""
    return {c.major_code: c.major_name for c in load_national_catalog() if c.kind == kind}
