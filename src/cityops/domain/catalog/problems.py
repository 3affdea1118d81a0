"""Problems found while validating a city profile.

A problem names the file, the row (1-based, the CSV header is row 1; None for a whole file or
a TOML file), the column or TOML key, a stable code (``profile.*``) and a Chinese message. The
loader collects *every* problem before it gives up, so a city fixes its files in one pass.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from cityops.errors import ProfileError


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def where(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(self.column)
        return " ".join(parts)


@dataclass
class ProblemLog:
    """Collects problems; ``raise_if_any`` turns them into one ``ProfileError``."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, file: str, row: int | None, column: str | None, code: str, message: str) -> None:
        self.problems.append(Problem(file, row, column, code, message))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def raise_if_any(self, source: str) -> None:
        if not self.problems:
            return
        raise ProfileError(
            "profile.invalid",
            f"城市配置有{len(self.problems)}处问题，未载入：{self.problems[0].where()} "
            f"{self.problems[0].message}" + ("等" if len(self.problems) > 1 else ""),
            source=source,
            problems=[p.to_dict() for p in self.problems],
        )
