"""Where a city's user dictionary comes from: its catalog, its units, its place names, or a
file in jieba's user-dictionary format (``word [freq] [tag]`` per line)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from cityops.classify.errors import ClassifierError
from cityops.classify.segment import UserWord
from cityops.domain.catalog.model import CityProfile

_SPLIT_NAME = re.compile(r"[、,，/()（）\s]+")


def words_from_names(names: Iterable[str], tag: str | None = None) -> list[UserWord]:
    """User words from names (roads, places, communities, units); parts joined by 、 or
    brackets are split, pieces shorter than two characters dropped, duplicates removed."""
    seen: dict[str, UserWord] = {}
    for name in names:
        for piece in _SPLIT_NAME.split(name.strip()):
            if len(piece) >= 2 and piece not in seen:
                seen[piece] = UserWord(piece, None, tag)
    return list(seen.values())


def words_from_profile(profile: CityProfile) -> list[UserWord]:
    """Catalog class names and aliases (tag ``n``) and unit names (tag ``nt``) of a city."""
    class_names = [c.name for c in profile.classes.values()]
    class_names += [alias for c in profile.classes.values() for alias in c.aliases]
    words = words_from_names(class_names, "n")
    known = {w.word for w in words}
    unit_words = words_from_names((u.name for u in profile.units.values()), "nt")
    return words + [w for w in unit_words if w.word not in known]


def read_user_dictionary(path: Path) -> list[UserWord]:
    """Read a jieba-format user dictionary (UTF-8): ``word``, ``word freq``, or
    ``word freq tag`` per line; blank lines and lines starting with ``#`` are skipped."""
    words = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        freq: int | None = None
        if len(parts) >= 2:
            if not parts[1].isdigit():
                raise ClassifierError(
                    "classify.user_dictionary_invalid",
                    f"自定义词典第 {number} 行的词频不是正整数：{line}",
                    path=str(path.name),
                    line=number,
                )
            freq = int(parts[1])
        words.append(UserWord(parts[0], freq, parts[2] if len(parts) >= 3 else None))
    return words
