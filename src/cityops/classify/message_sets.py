"""Reading labelled citizen messages from CSV files, for measuring the classifier on real text.

The default column names are those of the public TipDM 2020 problem C message-board set
(留言主题, 留言详情, 一级分类, 答复意见); pass others for a city's own export.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from cityops.classify.model import order_text


@dataclass(frozen=True, slots=True)
class Message:
    title: str
    body: str
    label: str | None
    reply: str | None

    @property
    def text(self) -> str:
        return order_text(self.title, self.body)


def read_messages(
    path: Path,
    title: str = "留言主题",
    body: str = "留言详情",
    label: str | None = "一级分类",
    reply: str | None = "答复意见",
) -> list[Message]:
    """One :class:`Message` per row; empty label or reply cells become None, and columns the
    file does not have are read as None."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [
        Message(
            title=(row.get(title) or "").strip(),
            body=(row.get(body) or "").strip(),
            label=((row.get(label) or "").strip() or None) if label else None,
            reply=((row.get(reply) or "").strip() or None) if reply else None,
        )
        for row in rows
    ]
