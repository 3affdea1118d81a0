"""Build the legacy → national mapping file once, then review it by hand.

Run ``python -m cityops.domain.catalog.mapping_builder [OUTPUT.csv]`` (default: the packaged
``data/catalog/legacy_mapping.csv``). For each CJ/T 214-2007 class it proposes, within the same
kind, the GB/T 47678.5-2026 class with the identical name (``exact``) or, failing that, the
single class whose name is identical after ``normalise_name`` (``normalised``). Rows a person
reviewed (``manual`` and ``unmapped`` rows already in the file) are kept as they are; anything
else becomes ``unmapped`` with a note asking for review. The output is sorted like the legacy
catalog so that a diff shows exactly what changed.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from cityops.domain.catalog.catalogs import load_legacy_catalog, load_national_catalog
from cityops.domain.catalog.legacy_mapping import (
    LegacyMapping,
    MappingMethod,
    format_mapping,
    parse_mapping,
)
from cityops.domain.catalog.model import CatalogClass

# Same thing, different word in the two standards (legacy → national).
SYNONYMS = (
    ("上水", "供水"),
    ("通讯", "通信"),
    ("坐椅", "座椅"),
    ("噪音", "噪声"),
)
_DROP = set("、，,．.·/ ;；：:\u3000")
REVIEW_NOTE = "待人工审核：国标中无同名或规范化后同名的类别"


def normalise_name(name: str) -> str:
    """Width-fold (full-width brackets and commas become ASCII), drop punctuation and spaces,
    unify the synonyms of ``SYNONYMS`` and drop a trailing "异常"."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if ch not in _DROP)
    for old, new in SYNONYMS:
        text = text.replace(old, new)
    if text.endswith("异常") and len(text) > 2:
        text = text[: -len("异常")]
    return text


def propose(legacy: CatalogClass, national: Iterable[CatalogClass]) -> LegacyMapping | None:
    """The automatic mapping of one legacy class, or None if no name matches."""
    same_kind = [n for n in national if n.kind == legacy.kind]
    exact = [n for n in same_kind if n.name == legacy.name]
    if len(exact) == 1:
        return _row(legacy, exact[0], MappingMethod.EXACT, "")
    key = normalise_name(legacy.name)
    close = [n for n in same_kind if normalise_name(n.name) == key]
    if len(close) == 1:
        return _row(legacy, close[0], MappingMethod.NORMALISED, "名称规范化后相同")
    return None


def _row(
    legacy: CatalogClass, national: CatalogClass, method: MappingMethod, note: str
) -> LegacyMapping:
    return LegacyMapping(
        kind=legacy.kind,
        legacy_code=legacy.code,
        legacy_name=legacy.name,
        national_code=national.code,
        national_name=national.name,
        method=method,
        note=note,
    )


def build_mapping(
    legacy: Iterable[CatalogClass],
    national: Iterable[CatalogClass],
    reviewed: Iterable[LegacyMapping] = (),
) -> list[LegacyMapping]:
    """One row per legacy class: automatic where names match, else the reviewed row, else an
    unmapped row to review. Reviewed manual rows get the national name refreshed."""
    national = tuple(national)
    by_key = {(n.kind, n.code): n for n in national}
    kept = {
        (r.kind, r.legacy_code): r
        for r in reviewed
        if r.method in (MappingMethod.MANUAL, MappingMethod.UNMAPPED)
    }
    out: list[LegacyMapping] = []
    for cls in legacy:
        auto = propose(cls, national)
        if auto is not None:
            out.append(auto)
            continue
        old = kept.get((cls.kind, cls.code))
        if old is not None and old.method == MappingMethod.MANUAL and old.national_code:
            target = by_key.get((cls.kind, old.national_code))
            if target is not None:
                out.append(_row(cls, target, MappingMethod.MANUAL, old.note))
                continue
        if old is not None and old.method == MappingMethod.UNMAPPED:
            out.append(
                LegacyMapping(
                    cls.kind, cls.code, cls.name, None, None, MappingMethod.UNMAPPED, old.note
                )
            )
            continue
        out.append(
            LegacyMapping(
                cls.kind, cls.code, cls.name, None, None, MappingMethod.UNMAPPED, REVIEW_NOTE
            )
        )
    return out


def main(argv: list[str]) -> int:
    from importlib import resources

    default = Path(
        str(resources.files("cityops").joinpath("data", "catalog", "legacy_mapping.csv"))
    )
    target = Path(argv[0]) if argv else default
    reviewed = parse_mapping(target.read_text(encoding="utf-8")) if target.exists() else ()
    rows = build_mapping(load_legacy_catalog(), load_national_catalog(), reviewed)
    target.write_text(format_mapping(rows), encoding="utf-8")
    counts = {m.value: sum(1 for r in rows if r.method == m) for m in MappingMethod}
    print(f"{target}: {len(rows)} rows, {counts}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
