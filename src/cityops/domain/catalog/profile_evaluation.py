"""``evaluation.toml``: composite-score weights, volume step tables and grade bands
(DOMAIN.md §6). Validated here, stored as a plain dict in ``CityProfile.evaluation``; the
evaluation engine reads it."""

from __future__ import annotations

import itertools
import math
from typing import Any

from cityops.domain.catalog.problems import ProblemLog
from cityops.domain.catalog.profile_files import check_keys

FILE = "evaluation.toml"

# Object → its composite-score items (DOMAIN.md §6). The weights of one object sum to 100.
# Item names are the rate keys of ``cityops.domain.evaluation``; ``*_volume`` items score
# from the step tables; rates where lower is better score as 100 − rate.
WEIGHT_ITEMS: dict[str, tuple[str, ...]] = {
    "inspector": (
        "valid_report_rate",
        "missed_report_rate",
        "on_time_verify_rate",
        "on_time_check_rate",
    ),
    "acceptor": ("accepted_volume", "on_time_verify_sent_rate", "on_time_check_sent_rate"),
    "shift_leader": ("on_time_filing_rate", "accurate_filing_rate", "on_time_close_step_rate"),
    "dispatcher": ("dispatch_volume", "on_time_dispatch_rate", "accurate_dispatch_rate"),
    "department": ("filed_volume", "closure_rate", "on_time_handling_rate", "rework_rate"),
    "region": ("public_report_rate", "filed_volume", "closure_rate", "on_time_closure_rate"),
}
# Volume measures with step tables, each per region class.
VOLUME_MEASURES = ("filed", "accepted", "dispatched")
AREA_CLASSES = ("urban", "rural")
GRADES = ("A", "B", "C", "D", "E")


def parse_evaluation(log: ProblemLog, doc: dict[str, Any]) -> dict[str, Any]:
    check_keys(log, FILE, doc, ("grades", "weights", "volume_steps"))
    _grades(log, doc.get("grades"))
    _weights(log, doc.get("weights"))
    _volume_steps(log, doc.get("volume_steps"))
    return doc


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _missing(log: ProblemLog, key: str, label: str) -> None:
    log.add(FILE, None, key, "profile.evaluation_missing", f"缺少{label}（{key}）")


def _grades(log: ProblemLog, table: Any) -> None:
    if not isinstance(table, dict):
        _missing(log, "grades", "等级分数线")
        return
    check_keys(log, FILE, table, GRADES, "grades.")
    previous: float | None = None
    for grade in GRADES:
        value = table.get(grade)
        key = f"grades.{grade}"
        if value is None:
            _missing(log, key, f"等级{grade}的分数线")
            continue
        if not _number(value) or not 0 <= value <= 100:
            log.add(FILE, None, key, "profile.evaluation_invalid", f"{key}必须是0–100的数字")
            continue
        if previous is not None and not value < previous:
            log.add(FILE, None, key, "profile.evaluation_invalid", "等级分数线必须从A到E递减")
        previous = value


def _weights(log: ProblemLog, table: Any) -> None:
    if not isinstance(table, dict):
        _missing(log, "weights", "综合评价权重")
        return
    check_keys(log, FILE, table, WEIGHT_ITEMS, "weights.")
    for obj, items in WEIGHT_ITEMS.items():
        group = table.get(obj)
        key = f"weights.{obj}"
        if not isinstance(group, dict):
            _missing(log, key, f"{obj}的权重")
            continue
        check_keys(log, FILE, group, items, key + ".")
        total = 0.0
        for item in items:
            value = group.get(item)
            if value is None:
                _missing(log, f"{key}.{item}", "权重")
            elif not _number(value) or value < 0:
                log.add(
                    FILE, None, f"{key}.{item}", "profile.evaluation_invalid", "权重必须是非负数"
                )
            else:
                total += float(value)
        if abs(total - 100) > 1e-6:
            log.add(
                FILE,
                None,
                key,
                "profile.weights_sum_invalid",
                f"{key}的权重之和为{total:g}，应为100",
            )


def _volume_steps(log: ProblemLog, table: Any) -> None:
    if not isinstance(table, dict):
        _missing(log, "volume_steps", "数量分值阶梯表")
        return
    check_keys(log, FILE, table, VOLUME_MEASURES, "volume_steps.")
    for measure in VOLUME_MEASURES:
        group = table.get(measure)
        key = f"volume_steps.{measure}"
        if not isinstance(group, dict):
            _missing(log, key, "数量分值阶梯表")
            continue
        check_keys(log, FILE, group, AREA_CLASSES, key + ".")
        for area in AREA_CLASSES:
            _steps(log, f"{key}.{area}", group.get(area))


def _steps(log: ProblemLog, key: str, steps: Any) -> None:
    if steps is None:
        _missing(log, key, "阶梯表")
        return
    ok = (
        isinstance(steps, list)
        and bool(steps)
        and all(isinstance(s, list) and len(s) == 2 and all(_number(x) for x in s) for s in steps)
    )
    if not ok:
        log.add(
            FILE,
            None,
            key,
            "profile.evaluation_invalid",
            "阶梯表必须是[[起点数量, 分值], …]的非空列表",
        )
        return
    thresholds = [s[0] for s in steps]
    scores = [s[1] for s in steps]
    if thresholds[0] != 0 or any(b <= a for a, b in itertools.pairwise(thresholds)):
        log.add(FILE, None, key, "profile.evaluation_invalid", "阶梯起点须从0开始并严格递增")
    if any(not 0 <= s <= 100 for s in scores) or any(b < a for a, b in itertools.pairwise(scores)):
        log.add(FILE, None, key, "profile.evaluation_invalid", "阶梯分值须在0–100之间且不递减")
