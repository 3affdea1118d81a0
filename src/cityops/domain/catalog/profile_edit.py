"""Changing one row of a city profile's tables, as an administrator does in the console.

The profile stays what the city edits by hand — CSV and TOML files — and an edit is applied to
those files: a row of ``conditions.csv``, ``classes.csv``, ``units.csv`` or ``routing.csv`` is
added, replaced or removed, the table is written back in the same column order, and the
whole profile is then validated again like any other (``profile_loader.inspect_profile``),
so the console can never install what ``cityops profile check`` would refuse. Pure: bytes in,
bytes out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from cityops.domain.catalog.model import ClassKind, UnitKind, Urgency
from cityops.domain.catalog.profile_rules import (
    CONDITION_COLUMNS,
    CONDITION_OPTIONAL,
    ROUTING_COLUMNS,
    ROUTING_OPTIONAL,
)
from cityops.domain.catalog.profile_tables import (
    CLASS_COLUMNS,
    CLASS_OPTIONAL,
    UNIT_COLUMNS,
    UNIT_OPTIONAL,
)
from cityops.domain.clock.limits import LimitUnit
from cityops.errors import NotFoundError, ValidationError

KEY_SEPARATOR = "|"


@dataclass(frozen=True)
class EditableTable:
    file: str
    label: str  # Chinese name shown in the console
    key: tuple[str, ...]  # columns that identify a row
    columns: tuple[str, ...]  # required, in the shipped order
    optional: tuple[str, ...]
    required_file: bool = True
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # column → values

    @property
    def all_columns(self) -> tuple[str, ...]:
        return self.columns + self.optional


def _values(kind: type[StrEnum]) -> tuple[str, ...]:
    return tuple(k.value for k in kind)


TABLES: dict[str, EditableTable] = {
    "conditions": EditableTable(
        "conditions.csv",
        "立案条件",
        ("code",),
        CONDITION_COLUMNS,
        CONDITION_OPTIONAL,
        choices={"limit_unit": _values(LimitUnit), "urgency": _values(Urgency)},
    ),
    "classes": EditableTable(
        "classes.csv",
        "本地扩展分类",
        ("code",),
        CLASS_COLUMNS,
        CLASS_OPTIONAL,
        False,
        choices={"kind": _values(ClassKind)},
    ),
    "units": EditableTable(
        "units.csv",
        "处置单位",
        ("code",),
        UNIT_COLUMNS,
        UNIT_OPTIONAL,
        choices={"kind": _values(UnitKind)},
    ),
    "routing": EditableTable(
        "routing.csv", "派遣规则", ("class_pattern", "area_code"), ROUTING_COLUMNS, ROUTING_OPTIONAL
    ),
}


class EditKind(StrEnum):
    ADD = "add"
    UPDATE = "update"
    DELETE = "delete"


def table(name: str) -> EditableTable:
    found = TABLES.get(name)
    if found is None:
        raise NotFoundError(
            "profile.edit.table_unknown",
            f"不能在线修改“{name}”，可修改：{'、'.join(TABLES)}",
            table=name,
        )
    return found


def row_key(t: EditableTable, row: Mapping[str, str]) -> str:
    return KEY_SEPARATOR.join(row.get(k, "").strip() for k in t.key)


def read_table(
    t: EditableTable, files: Mapping[str, bytes]
) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of a table (an optional file that is absent: no rows)."""
    data = files.get(t.file)
    if data is None:
        return list(t.all_columns), []
    records = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    if not records:
        return list(t.all_columns), []
    header = [h.strip() for h in records[0]]
    rows = []
    for record in records[1:]:
        if not any(cell.strip() for cell in record):
            continue
        rows.append(
            {h: (record[i].strip() if i < len(record) else "") for i, h in enumerate(header)}
        )
    return header, rows


def apply_edit(
    files: Mapping[str, bytes],
    name: str,
    kind: EditKind,
    key: str,
    values: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    """The profile's files with one row of table ``name`` added, replaced or removed. A row's
    key columns cannot change (other tables and past cases refer to them): remove and add."""
    t = table(name)
    header, rows = read_table(t, files)
    found = [i for i, r in enumerate(rows) if row_key(t, r) == key]
    new_row: dict[str, str] | None = None
    if kind != EditKind.DELETE:
        new_row = _clean_row(t, header, values or {})
        if row_key(t, new_row) != key:
            raise ValidationError(
                "profile.edit.key_changed",
                f"{t.label}的编号（{'、'.join(t.key)}）不能修改；请删除后重新添加",
                key=key,
            )
    if kind == EditKind.ADD:
        if found:
            raise ValidationError(
                "profile.edit.key_exists", f"{t.label}“{key}”已存在", table=name, key=key
            )
        assert new_row is not None
        rows.append(new_row)
    else:
        if not found:
            raise NotFoundError(
                "profile.edit.key_missing", f"{t.label}“{key}”不存在", table=name, key=key
            )
        if kind == EditKind.UPDATE:
            assert new_row is not None
            rows[found[0]] = new_row
        else:
            del rows[found[0]]
    for column in new_row or {}:
        if column not in header:
            header.append(column)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(h, "") for h in header])
    changed = dict(files)
    changed[t.file] = out.getvalue().encode("utf-8")
    return changed


def _clean_row(t: EditableTable, header: list[str], values: Mapping[str, str]) -> dict[str, str]:
    known = set(t.all_columns) | set(header)
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValidationError(
            "profile.edit.column_unknown",
            f"{t.label}没有这些列：{'、'.join(unknown)}",
            columns=unknown,
        )
    row = {}
    for column, value in values.items():
        text = "" if value is None else str(value).strip()
        if "\n" in text or "\r" in text:
            raise ValidationError(
                "profile.edit.value_multiline", f"“{column}”不能包含换行", column=column
            )
        row[column] = text
    return row
