"""Load and validate a city profile directory into a ``CityProfile``.

``load_profile(path)`` reads the files (the only I/O here, done when called) and hands their
bytes to ``parse_profile``, which is pure: it checks everything, collects **every** problem
(file, row, column, stable code, Chinese message) and either returns a complete profile or
raises one ``ProfileError`` whose ``details["problems"]`` lists them all. Nothing is half
loaded. The file format is documented in ``docs/profile.md``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cityops.domain.catalog.catalogs import (
    LEGACY_FILE,
    NATIONAL_FILE,
    catalog_file_bytes,
    load_legacy_catalog,
    load_national_catalog,
)
from cityops.domain.catalog.model import CatalogClass, CityProfile, ClassKind
from cityops.domain.catalog.problems import Problem, ProblemLog
from cityops.domain.catalog.profile_city import json_safe, parse_city
from cityops.domain.catalog.profile_evaluation import parse_evaluation
from cityops.domain.catalog.profile_files import Row, read_csv, read_toml
from cityops.domain.catalog.profile_iot import parse_iot
from cityops.domain.catalog.profile_rules import (
    CONDITION_COLUMNS,
    CONDITION_OPTIONAL,
    ROUTING_COLUMNS,
    ROUTING_OPTIONAL,
    STAGE_COLUMNS,
    check_coverage,
    parse_conditions,
    parse_routing,
    parse_stage_limits,
)
from cityops.domain.catalog.profile_tables import (
    CLASS_COLUMNS,
    CLASS_OPTIONAL,
    REGION_COLUMNS,
    UNIT_COLUMNS,
    UNIT_OPTIONAL,
    parse_local_classes,
    parse_regions,
    parse_units,
)
from cityops.errors import ProfileError

# The files of a profile directory; True = required.
PROFILE_FILES: dict[str, bool] = {
    "city.toml": True,
    "regions.csv": True,
    "classes.csv": False,
    "units.csv": True,
    "conditions.csv": True,
    "stage_limits.csv": True,
    "routing.csv": True,
    "evaluation.toml": True,
    "iot.toml": False,
}


def read_profile_files(path: str | Path) -> dict[str, bytes]:
    """The bytes of every profile file present in ``path`` (absent files are left out)."""
    directory = Path(path)
    if not directory.is_dir():
        raise ProfileError(
            "profile.dir_missing",
            f"城市配置目录“{directory}”不存在",
            source=str(directory),
            problems=[
                Problem(str(directory), None, None, "profile.dir_missing", "目录不存在").to_dict()
            ],
        )
    return {
        name: (directory / name).read_bytes()
        for name in PROFILE_FILES
        if (directory / name).is_file()
    }


def load_profile(path: str | Path) -> CityProfile:
    """Read, validate and build the profile in ``path``; raises ``ProfileError`` listing every
    problem if anything is wrong."""
    return parse_profile(read_profile_files(path), source=str(path))


def check_profile(path: str | Path) -> list[Problem]:
    """Every problem of the profile in ``path`` (empty if it loads)."""
    try:
        files = read_profile_files(path)
    except ProfileError as exc:
        return [Problem(**p) for p in exc.details["problems"]]
    return inspect_profile(files)[1]


def parse_profile(files: Mapping[str, bytes], source: str = "") -> CityProfile:
    profile, problems = inspect_profile(files)
    log = ProblemLog(list(problems))
    log.raise_if_any(source)
    assert profile is not None
    return profile


def content_hash(files: Mapping[str, bytes]) -> str:
    """SHA-256 over the profile files (name, length, bytes, in a fixed order) and the packaged
    catalog files, so a change to either gives a new profile version."""
    h = hashlib.sha256()
    parts = [(name, files.get(name)) for name in sorted(PROFILE_FILES)]
    parts += [(f"catalog/{n}", catalog_file_bytes(n)) for n in (NATIONAL_FILE, LEGACY_FILE)]
    for name, data in parts:
        if data is None:
            continue
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def inspect_profile(files: Mapping[str, bytes]) -> tuple[CityProfile | None, list[Problem]]:
    """The profile (None if there is any problem) and the list of problems."""
    log = ProblemLog()
    city_doc = read_toml(log, "city.toml", files.get("city.toml"))
    city = parse_city(log, city_doc) if city_doc is not None else None
    city_code = city.city_code if city else ""

    region_rows = read_csv(log, "regions.csv", files.get("regions.csv"), REGION_COLUMNS)
    regions = parse_regions(region_rows, city_code) if region_rows is not None else {}

    class_rows = read_csv(
        log,
        "classes.csv",
        files.get("classes.csv"),
        CLASS_COLUMNS,
        CLASS_OPTIONAL,
        must_exist=False,
    )
    local = parse_local_classes(class_rows) if class_rows is not None else []
    classes, components = _catalog(local, legacy=bool(city and city.legacy_catalog))

    unit_rows = read_csv(log, "units.csv", files.get("units.csv"), UNIT_COLUMNS, UNIT_OPTIONAL)
    units = parse_units(unit_rows, regions, city_code) if unit_rows is not None else {}
    # References are checked against every *declared* code, so that one bad row is one problem.
    unit_codes = set(units) | _declared(unit_rows)
    class_codes = set(classes) | _declared(class_rows, kind=ClassKind.MATTER)
    component_codes = set(components) | _declared(class_rows, kind=ClassKind.COMPONENT)

    cond_rows = read_csv(
        log, "conditions.csv", files.get("conditions.csv"), CONDITION_COLUMNS, CONDITION_OPTIONAL
    )
    conditions = (
        parse_conditions(cond_rows, class_codes, component_codes, unit_codes)
        if cond_rows is not None
        else {}
    )

    stage_rows = read_csv(log, "stage_limits.csv", files.get("stage_limits.csv"), STAGE_COLUMNS)
    stage_limits = (
        parse_stage_limits(log, "stage_limits.csv", stage_rows) if stage_rows is not None else ()
    )

    routing_rows = read_csv(
        log, "routing.csv", files.get("routing.csv"), ROUTING_COLUMNS, ROUTING_OPTIONAL
    )
    routing = (
        parse_routing(routing_rows, class_codes, unit_codes, regions, city_code)
        if routing_rows is not None
        else ()
    )
    if cond_rows is not None and routing_rows is not None and unit_rows is not None:
        check_coverage(log, conditions, routing, units, regions, city_code)

    eval_doc = read_toml(log, "evaluation.toml", files.get("evaluation.toml"))
    evaluation = parse_evaluation(log, eval_doc) if eval_doc is not None else {}

    iot: dict[str, Any] = {}
    if files.get("iot.toml") is not None:
        iot_doc = read_toml(log, "iot.toml", files.get("iot.toml"))
        iot = parse_iot(log, iot_doc, conditions) if iot_doc is not None else {}

    if log or city is None or city.calendar is None:
        return None, log.problems
    weights: dict[str, float] = {}
    for cond in conditions.values():
        weights[cond.class_code] = weights.get(cond.class_code, 0.0) + cond.weight
    profile = CityProfile(
        city_code=city.city_code,
        city_name=city.city_name,
        version=city.version,
        calendar=city.calendar,
        classes=classes,
        conditions=conditions,
        stage_limits=stage_limits,
        routing=routing,
        units=units,
        regions=regions,
        duplicates=city.duplicates,
        attachments=city.attachments,
        class_weights=weights,
        evaluation=json_safe(evaluation),
        iot=json_safe(iot),
        content_hash=content_hash(files),
        components=components,
        verification_channels=city.verification_channels,
        legacy_catalog=city.legacy_catalog,
    )
    return profile, []


def _declared(rows: list[Row] | None, kind: ClassKind | None = None) -> set[str]:
    """Codes written in the ``code`` column (of rows of ``kind``, if given)."""
    if rows is None:
        return set()
    kinds = {"component": ClassKind.COMPONENT, "部件": ClassKind.COMPONENT}
    return {
        r.text("code")
        for r in rows
        if r.text("code")
        and (kind is None or kinds.get(r.text("kind").lower(), ClassKind.MATTER) == kind)
    }


def _catalog(
    local: list[CatalogClass], *, legacy: bool
) -> tuple[dict[str, CatalogClass], dict[str, CatalogClass]]:
    """(matter classes, component classes), each by code: national, then legacy if enabled,
    then the city's own."""
    everything = list(load_national_catalog())
    if legacy:
        everything += load_legacy_catalog()
    everything += local
    classes = {c.code: c for c in everything if c.kind == ClassKind.MATTER}
    components = {c.code: c for c in everything if c.kind == ClassKind.COMPONENT}
    return classes, components
