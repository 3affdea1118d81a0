"""Units named in a plan: reading "（牵头单位：…；责任单位：…）" clauses, and matching the
names to the platform's units (code, name) by exact name, normalised name or alias."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from cityops.domain.workplan.model import Role

_LABEL = re.compile(r"(牵头|责任|配合|协办)(单位|部门|处室|科室|主体)\s*[:：]")
_OPEN = "(（"
_CLOSE = ")）"
_SPLIT = re.compile(r"[、,，;；/]+")
_EDGE_PUNCT = " \t。.;；,，、:：()（）"

ROLE_OF_LABEL = {
    "牵头": Role.LEAD,
    "责任": Role.RESPONSIBLE,
    "配合": Role.RESPONSIBLE,
    "协办": Role.RESPONSIBLE,
}


@dataclass(frozen=True, slots=True)
class UnitClause:
    """The unit clause of a task: where it is in the text and what it names."""

    start: int
    end: int
    lead: tuple[str, ...]
    responsible: tuple[str, ...]
    empty_labels: tuple[str, ...]  # labels with no names after them


def find_unit_clause(text: str) -> UnitClause | None:
    """The clause from the first unit label to its closing bracket (or the end of the text).

    Tolerates the slips seen in real plans: a missing opening or closing bracket, half-width
    punctuation, and "," or "；" between the labels. Names are split on 、，,；;/.
    """
    labels = list(_LABEL.finditer(text))
    if not labels:
        return None
    start = labels[0].start()
    k = start
    while k > 0 and text[k - 1] in " \t":
        k -= 1
    if k > 0 and text[k - 1] in _OPEN:
        start = k - 1
    close = -1
    for i in range(labels[-1].end(), len(text)):
        if text[i] in _CLOSE:
            close = i
            break
    end = close + 1 if close >= 0 else len(text)
    lead: list[str] = []
    responsible: list[str] = []
    empty: list[str] = []
    for i, m in enumerate(labels):
        stop = (
            labels[i + 1].start() if i + 1 < len(labels) else (close if close >= 0 else len(text))
        )
        names = split_unit_names(text[m.end() : stop])
        if not names:
            empty.append(m.group(0))
        target = lead if ROLE_OF_LABEL[m.group(1)] is Role.LEAD else responsible
        target.extend(n for n in names if n not in target)
    return UnitClause(start, end, tuple(lead), tuple(responsible), tuple(empty))


def split_unit_names(segment: str) -> list[str]:
    names = []
    for piece in _SPLIT.split(segment):
        name = piece.strip(_EDGE_PUNCT)
        if name:
            names.append(name)
    return names


def is_collective(name: str) -> bool:
    """ "各县市区城管局", "局属各单位": a group of units, not one unit."""
    return "各" in name or name.endswith(
        ("等单位", "等部门", "有关单位", "相关单位", "有关部门", "相关部门")
    )


# --- matching to the platform's units -------------------------------------------------


class MatchHow(StrEnum):
    EXACT = "exact"
    NORMALISED = "normalised"
    ALIAS = "alias"
    PREFIX = "prefix"  # equal once the issuer's or city's name is taken off the front
    ASSIGNED = "assigned"  # set by hand after import (assign_task_units)
    COLLECTIVE = "collective"  # a group ("各区城管局"): not matched to one unit
    AMBIGUOUS = "ambiguous"  # several units match equally: not chosen
    NONE = "none"


@dataclass(frozen=True, slots=True)
class UnitMatch:
    name: str  # as written in the plan
    code: str | None
    how: MatchHow
    candidates: tuple[str, ...] = ()  # the codes that matched, when ambiguous


_DROP = re.compile(r"[\s()（）\[\]【】<>《》“”\"'·•\-—_]")


def normalise_name(name: str) -> str:
    """Width-folded (NFKC), without spaces, brackets, quotes or dashes."""
    return _DROP.sub("", unicodedata.normalize("NFKC", name)).lower()


def _variants(norm: str, prefixes: Sequence[str]) -> set[str]:
    """The normalised name with each prefix it starts with taken off."""
    out = set()
    for prefix in prefixes:
        p = normalise_name(prefix)
        if p and norm.startswith(p) and len(norm) > len(p):
            out.add(norm[len(p) :])
    return out


def match_units(
    names: Iterable[str],
    known: Iterable[tuple[str, str]],
    aliases: Mapping[str, str] | None = None,
    prefixes: Sequence[str] = (),
) -> list[UnitMatch]:
    """Match unit names from a plan to known units ``(code, name)``.

    In order: the exact name; the normalised name (:func:`normalise_name`); an alias
    (``aliases``: name → code, compared normalised); the name with a prefix taken off both
    sides (``prefixes``: e.g. the issuer "济宁市城市管理局" and the city "济宁", so that
    "市容管理科" meets "济宁市城市管理局市容管理科" and "市城市管理综合执法支队" meets
    "济宁市城市管理综合执法支队"). A step that finds more than one unit stops with
    ``AMBIGUOUS``; group names ("各县市区…", "局属各单位") are ``COLLECTIVE`` unless an alias
    names them. Nothing is guessed beyond these rules.
    """
    known_list = list(known)
    alias_map = {normalise_name(k): v for k, v in (aliases or {}).items()}
    by_exact: dict[str, list[str]] = {}
    by_norm: dict[str, list[str]] = {}
    by_stripped: dict[str, list[str]] = {}
    for code, unit_name in known_list:
        by_exact.setdefault(unit_name, []).append(code)
        norm = normalise_name(unit_name)
        by_norm.setdefault(norm, []).append(code)
        for variant in _variants(norm, prefixes) | {norm}:
            by_stripped.setdefault(variant, []).append(code)
    results: list[UnitMatch] = []
    for name in names:
        norm = normalise_name(name)
        steps: tuple[tuple[MatchHow, list[str]], ...] = (
            (MatchHow.EXACT, by_exact.get(name, [])),
            (MatchHow.NORMALISED, by_norm.get(norm, [])),
            (MatchHow.ALIAS, [alias_map[norm]] if norm in alias_map else []),
            (MatchHow.PREFIX, _lookup(by_stripped, _variants(norm, prefixes) | {norm})),
        )
        result: UnitMatch | None = None
        for how, codes in steps:
            if how is MatchHow.PREFIX and is_collective(name):
                break
            unique = sorted(set(codes))
            if len(unique) == 1:
                result = UnitMatch(name, unique[0], how)
                break
            if len(unique) > 1:
                result = UnitMatch(name, None, MatchHow.AMBIGUOUS, tuple(unique))
                break
        if result is None:
            how = MatchHow.COLLECTIVE if is_collective(name) else MatchHow.NONE
            result = UnitMatch(name, None, how)
        results.append(result)
    return results


def _lookup(index: dict[str, list[str]], keys: set[str]) -> list[str]:
    return [code for key in keys for code in index.get(key, [])]


def prefixes_for_issuer(issuer: str | None) -> tuple[str, ...]:
    """Prefixes a plan's short unit names leave out: the issuer and its city, e.g. for
    "济宁市城市管理局": ("济宁市城市管理局", "济宁市", "济宁")."""
    if not issuer:
        return ()
    out = [issuer]
    m = re.match(r"^(.{2,8}?)(市|县|区|自治州|盟)", issuer)
    if m:
        out.append(m.group(0))
        out.append(m.group(1))
    return tuple(out)
