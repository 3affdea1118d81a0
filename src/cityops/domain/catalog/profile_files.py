"""Reading the files of a profile: CSV tables with numbered rows, TOML documents, and typed
cell access that reports a problem instead of raising."""

from __future__ import annotations

import csv
import io
import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from cityops.domain.catalog.problems import ProblemLog

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class Row:
    """One data row of a CSV file; ``number`` is 1-based with the header as row 1."""

    file: str
    number: int
    values: Mapping[str, str]
    log: ProblemLog

    def problem(self, column: str | None, code: str, message: str) -> None:
        self.log.add(self.file, self.number, column, code, message)

    def text(self, column: str) -> str:
        return self.values.get(column, "")

    def require(self, column: str, label: str) -> str | None:
        value = self.text(column)
        if not value:
            self.problem(column, "profile.value_required", f"{label}不能为空")
            return None
        return value

    def number_value(self, column: str, label: str, *, positive: bool = True) -> float | None:
        raw = self.require(column, label)
        if raw is None:
            return None
        return self.parse_number(column, raw, label, positive=positive)

    def parse_number(self, column: str, raw: str, label: str, *, positive: bool) -> float | None:
        try:
            value = float(raw)
        except ValueError:
            self.problem(column, "profile.number_invalid", f"{label}“{raw}”不是数字")
            return None
        if not math.isfinite(value):
            self.problem(column, "profile.number_invalid", f"{label}“{raw}”不是有限的数字")
            return None
        if positive and value <= 0:
            self.problem(column, "profile.limit_not_positive", f"{label}必须大于0，现为“{raw}”")
            return None
        if not positive and value < 0:
            self.problem(column, "profile.number_negative", f"{label}不能为负数，现为“{raw}”")
            return None
        return value

    def choice(
        self,
        column: str,
        enum: type[E],
        label: str,
        *,
        aliases: Mapping[str, E] | None = None,
        required: bool = True,
    ) -> E | None:
        raw = self.text(column)
        if not raw:
            if required:
                self.problem(column, "profile.value_required", f"{label}不能为空")
            return None
        key = raw.lower()
        if aliases and raw in aliases:
            return aliases[raw]
        try:
            return enum(key)
        except ValueError:
            allowed = "、".join(e.value for e in enum)
            self.problem(
                column, f"profile.{column}_invalid", f"{label}“{raw}”无效，可用：{allowed}"
            )
            return None


def read_csv(
    log: ProblemLog,
    file: str,
    data: bytes | None,
    required: Iterable[str],
    optional: Iterable[str] = (),
    *,
    must_exist: bool = True,
) -> list[Row] | None:
    """The data rows of a CSV file, or None if the file cannot be interpreted (missing,
    undecodable, or lacking a required column). Blank rows are skipped."""
    if data is None:
        if must_exist:
            log.add(file, None, None, "profile.file_missing", f"缺少文件{file}")
            return None
        return []
    text = _decode(log, file, data)
    if text is None:
        return None
    required, optional = tuple(required), tuple(optional)
    try:
        records = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        log.add(file, None, None, "profile.csv_invalid", f"CSV格式错误：{exc}")
        return None
    if not records:
        log.add(file, 1, None, "profile.header_missing", "文件为空，缺少表头")
        return None
    header = [h.strip() for h in records[0]]
    ok = True
    seen: set[str] = set()
    for name in header:
        if name in seen:
            log.add(file, 1, name, "profile.column_duplicate", f"列“{name}”重复")
            ok = False
        seen.add(name)
        if name not in required and name not in optional:
            log.add(file, 1, name, "profile.column_unknown", f"未知的列“{name}”")
    for name in required:
        if name not in seen:
            log.add(file, 1, name, "profile.column_missing", f"缺少必填列“{name}”")
            ok = False
    if not ok:
        return None
    rows: list[Row] = []
    for index, record in enumerate(records[1:], start=2):
        cells = [c.strip() for c in record]
        if not any(cells):
            continue
        if len(cells) > len(header):
            log.add(
                file,
                index,
                None,
                "profile.row_too_long",
                f"本行有{len(cells)}列，表头只有{len(header)}列",
            )
            continue
        cells += [""] * (len(header) - len(cells))
        rows.append(Row(file, index, dict(zip(header, cells, strict=True)), log))
    return rows


def read_toml(log: ProblemLog, file: str, data: bytes | None) -> dict[str, Any] | None:
    if data is None:
        log.add(file, None, None, "profile.file_missing", f"缺少文件{file}")
        return None
    text = _decode(log, file, data)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        log.add(file, None, None, "profile.toml_invalid", f"TOML格式错误：{exc}")
        return None


def check_keys(
    log: ProblemLog, file: str, table: Mapping[str, Any], allowed: Iterable[str], prefix: str = ""
) -> None:
    """Report keys not in ``allowed`` (usually a typo that would otherwise be ignored)."""
    allowed = set(allowed)
    for key in table:
        if key not in allowed:
            log.add(file, None, prefix + key, "profile.key_unknown", f"未知的配置项“{prefix}{key}”")


def _decode(log: ProblemLog, file: str, data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        log.add(
            file,
            None,
            None,
            "profile.encoding_invalid",
            f"文件不是UTF-8编码（第{exc.start}字节），请另存为UTF-8",
        )
        return None
