"""Importing orders from the city's 12345 platform: a CSV (UTF-8, with a header) or JSON Lines
file, one order per row.

Columns: ``content`` (required), ``received_at`` (ISO 8601 with a zone, required),
``external_no`` (the platform's number; makes re-running an import safe), ``address``,
``kind`` (consult/help/complaint/report/suggestion/praise or 咨询/求助/投诉/举报/建议/表扬),
``channel``, ``urgency``, ``caller_name``, ``caller_phone``, ``lon``, ``lat``, ``crs``,
``class_code``.

Every row is checked before anything is written; a file with any bad row is refused whole,
with every problem listed (``details['problems']``). Each accepted row is then taken in as its
own command, so an interruption keeps what was taken (and a re-run skips it by its number).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cityops.domain.cases.model import Actor
from cityops.domain.catalog.model import Urgency
from cityops.domain.geo.model import CoordSystem
from cityops.domain.hotline.vocabulary import KIND_LABELS_ZH, OrderChannel, OrderKind
from cityops.errors import ValidationError
from cityops.services.hotline.commands import receive_order
from cityops.services.runtime import Runtime

_KIND_BY_LABEL = {label: kind for kind, label in KIND_LABELS_ZH.items()}


@dataclass(frozen=True)
class ImportRow:
    line: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    created: int
    skipped: int  # already taken in (same external number)


def read_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise ValidationError("hotline.import_missing", f"文件不存在：{path.name}", path=str(path))
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".jsonl", ".json"):
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValidationError(
                        "hotline.import_unreadable",
                        f"第{number}行不是有效的 JSON：{exc.msg}",
                        line=number,
                    ) from exc
                rows.append({k: "" if v is None else str(v) for k, v in value.items()})
        return rows
    return [dict(r) for r in csv.DictReader(io.StringIO(text))]


def _float(value: str, name: str, problems: list[str], line: int) -> float | None:
    if not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        problems.append(f"第{line}行 {name}“{value}”不是数字")
        return None


def check_rows(raw: list[dict[str, str]], class_codes: set[str]) -> list[ImportRow]:
    problems: list[str] = []
    out: list[ImportRow] = []
    for i, r in enumerate(raw, start=2):
        row = {k.strip(): (v or "").strip() for k, v in r.items() if k}
        f: dict[str, Any] = {}
        if not row.get("content"):
            problems.append(f"第{i}行缺少诉求内容 content")
        f["content"] = row.get("content", "")
        try:
            at = datetime.fromisoformat(row.get("received_at", ""))
            if at.tzinfo is None:
                problems.append(f"第{i}行受理时间须带时区，例如 2025-10-20T09:30:00+08:00")
            f["at"] = at
        except ValueError:
            problems.append(f"第{i}行受理时间 received_at“{row.get('received_at', '')}”无法识别")
        kind = row.get("kind") or "complaint"
        try:
            f["kind"] = _KIND_BY_LABEL.get(kind) or OrderKind(kind)
        except ValueError:
            problems.append(f"第{i}行诉求类型“{kind}”无效")
        for name, enum, default in (
            ("channel", OrderChannel, "phone"),
            ("urgency", Urgency, "normal"),
            ("crs", CoordSystem, "wgs84"),
        ):
            value = row.get(name) or default
            try:
                f[name] = enum(value)
            except ValueError:
                problems.append(f"第{i}行 {name}“{value}”无效")
        f["lon"] = _float(row.get("lon", ""), "lon", problems, i)
        f["lat"] = _float(row.get("lat", ""), "lat", problems, i)
        if (f["lon"] is None) != (f["lat"] is None):
            problems.append(f"第{i}行经纬度须同时提供")
        code = row.get("class_code") or None
        if code is not None and code not in class_codes:
            problems.append(f"第{i}行类别“{code}”不在本市目录中")
        f["class_code"] = code
        for name in ("address", "caller_name", "caller_phone", "external_no"):
            f[name] = row.get(name) or None
        out.append(ImportRow(i, f))
    if problems:
        raise ValidationError(
            "hotline.import_invalid",
            f"导入失败：{len(problems)} 处问题，未写入任何工单",
            problems=problems,
        )
    return out


def import_orders(
    rt: Runtime,
    actor: Actor,
    raw: Iterable[Mapping[str, str]],
    *,
    on_row: Callable[[int], None] | None = None,
) -> ImportSummary:
    rows = check_rows([dict(r) for r in raw], set(rt.policy.profile.classes))
    created = skipped = 0
    for n, row in enumerate(rows, start=1):
        f = row.fields
        result = receive_order(
            rt,
            actor,
            content=f["content"],
            kind=f["kind"],
            channel=f["channel"],
            urgency=f["urgency"],
            address=f["address"] or "",
            lon=f["lon"],
            lat=f["lat"],
            crs=f["crs"],
            caller_name=f["caller_name"],
            caller_phone=f["caller_phone"],
            external_no=f["external_no"],
            class_code=f["class_code"],
            at=f["at"],
        )
        created += 1 if result.created else 0
        skipped += 0 if result.created else 1
        if on_row:
            on_row(n)
    return ImportSummary(len(rows), created, skipped)
