"""``iot.toml``: the kinds of sensor the city monitors (物联感知), their thresholds and the
filing condition of the case an alarm reports. Optional; validated here and stored as a
plain dict in ``CityProfile.iot`` (``domain/iot/kinds.sensor_kinds`` reads it)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from cityops.domain.catalog.model import FilingCondition
from cityops.domain.catalog.problems import ProblemLog
from cityops.domain.catalog.profile_files import check_keys

FILE = "iot.toml"
KIND_KEYS = (
    "name",
    "measure",
    "unit",
    "above",
    "below",
    "fault_alarm",
    "confirm",
    "offline_minutes",
    "condition",
    "report_offline",
)
CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


def parse_iot(
    log: ProblemLog, doc: dict[str, Any], conditions: Mapping[str, FilingCondition]
) -> dict[str, Any]:
    check_keys(log, FILE, doc, ("kinds",))
    kinds = doc.get("kinds", {})
    if not isinstance(kinds, dict):
        log.add(FILE, None, "kinds", "profile.iot_invalid", "kinds 须为表（[kinds.<类型>]）")
        return {}
    for code, kind in kinds.items():
        _kind(log, code, kind, conditions)
    return doc


def _kind(log: ProblemLog, code: str, kind: Any, conditions: Mapping[str, FilingCondition]) -> None:
    where = f"kinds.{code}"
    if not CODE.fullmatch(code):
        log.add(
            FILE, None, where, "profile.iot_code_invalid", f"设备类型“{code}”须为小写字母、数字或 _"
        )
    if not isinstance(kind, dict):
        log.add(FILE, None, where, "profile.iot_invalid", f"{where} 须为表")
        return
    check_keys(log, FILE, kind, KIND_KEYS, f"{where}.")
    if not isinstance(kind.get("name"), str) or not kind["name"].strip():
        log.add(FILE, None, f"{where}.name", "profile.value_required", "设备类型名称不能为空")
    cond = kind.get("condition")
    if not isinstance(cond, str) or cond not in conditions:
        log.add(
            FILE,
            None,
            f"{where}.condition",
            "profile.condition_unknown",
            f"报警上报的立案条件“{cond}”不在 conditions.csv 中",
        )
    if "above" in kind and "below" in kind:
        log.add(FILE, None, where, "profile.iot_invalid", "above 与 below 只能选一个")
    for side in ("above", "below"):
        if side in kind:
            _limits(log, f"{where}.{side}", kind[side], side)
    if not ("above" in kind or "below" in kind) and kind.get("fault_alarm") is False:
        log.add(
            FILE, None, where, "profile.iot_invalid", "没有阈值也不按故障报警：该类设备不会报警"
        )
    for key, low in (("confirm", 1), ("offline_minutes", 1)):
        value = kind.get(key)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < low
        ):
            log.add(
                FILE, None, f"{where}.{key}", "profile.iot_invalid", f"{key} 须为不小于{low}的整数"
            )
    for key in ("fault_alarm", "report_offline"):
        if key in kind and not isinstance(kind[key], bool):
            log.add(
                FILE, None, f"{where}.{key}", "profile.iot_invalid", f"{key} 须为 true 或 false"
            )


def _limits(log: ProblemLog, where: str, table: Any, side: str) -> None:
    if not isinstance(table, dict) or not table:
        log.add(FILE, None, where, "profile.iot_invalid", f"{where} 须为 {{ warn = …, alarm = … }}")
        return
    check_keys(log, FILE, table, ("warn", "alarm"), f"{where}.")
    values = {}
    for key in ("warn", "alarm"):
        if key in table:
            v = table[key]
            if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
                log.add(FILE, None, f"{where}.{key}", "profile.number_invalid", f"{key} 须为数字")
            else:
                values[key] = float(v)
    if "alarm" not in table:
        log.add(FILE, None, f"{where}.alarm", "profile.value_required", "须给出报警阈值 alarm")
    if "warn" in values and "alarm" in values:
        ordered = (
            values["warn"] < values["alarm"]
            if side == "above"
            else values["warn"] > values["alarm"]
        )
        if not ordered:
            log.add(
                FILE,
                None,
                where,
                "profile.iot_thresholds_order",
                "预警阈值须先于报警阈值（above：warn < alarm；below：warn > alarm）",
            )
