"""Installing city profiles on SQLite and PostgreSQL: one transaction, versions kept,
the same content never stored twice, a bad profile never touching the active one."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError

from cityops.adapters.db.tables.catalog import (
    catalog_classes,
    filing_conditions,
    profile_regions,
    profile_units,
    profile_versions,
    routing_rules,
    stage_limits,
)
from cityops.domain.catalog.profile_loader import load_profile
from cityops.errors import NotFoundError, ProfileError
from cityops.services.profile import (
    active_profile,
    active_version,
    clear_cache,
    demo_profile_path,
    install_profile,
    list_versions,
    version_counts,
    version_files,
)
from cityops.services.profile_admin import activate_version

T1 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
T2 = datetime(2026, 4, 1, 1, 0, tzinfo=UTC)
TABLES = (
    catalog_classes,
    filing_conditions,
    profile_units,
    routing_rules,
    stage_limits,
    profile_regions,
)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear_cache()


def _copy_demo(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(demo_profile_path(), target)
    return target


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        counts = {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (profile_versions, *TABLES)
        }
    return counts


def test_no_profile_installed_is_a_clear_error(engine: Engine) -> None:
    with pytest.raises(NotFoundError) as err:
        active_profile(engine)
    assert err.value.code == "profile.none_installed"
    assert active_version(engine) is None


def test_installing_the_demo_stores_the_version_and_its_tables(engine: Engine) -> None:
    version = install_profile(engine, demo_profile_path(), now=T1)
    assert version.created and version.active and version.loaded_at == T1
    expected = load_profile(demo_profile_path())
    assert version.content_hash == expected.content_hash
    clear_cache()
    assert active_profile(engine) == expected
    counts = version_counts(engine, version.id)
    assert counts["classes:GB/T 47678.5-2026:matter"] == 250
    assert counts["classes:GB/T 47678.5-2026:component"] == 153
    assert counts["conditions"] == len(expected.conditions)
    assert counts["routing_rules"] == len(expected.routing)
    assert counts["stage_limits"] == len(expected.stage_limits)
    assert counts["regions"] == 6
    assert counts["units:street"] == 95
    stored = active_version(engine)
    assert stored is not None and stored.loaded_at == T1 and stored.id == version.id


def test_normalised_rows_can_be_queried(engine: Engine) -> None:
    version = install_profile(engine, demo_profile_path())
    with engine.connect() as conn:
        weight = conn.execute(
            select(catalog_classes.c.weight).where(
                catalog_classes.c.profile_version_id == version.id,
                catalog_classes.c.kind == "matter",
                catalog_classes.c.code == "06010",
            )
        ).scalar_one()
        cond = conn.execute(
            select(filing_conditions.c.limit_value, filing_conditions.c.limit_unit).where(
                filing_conditions.c.profile_version_id == version.id,
                filing_conditions.c.code == "06010-01",
            )
        ).one()
    assert weight == pytest.approx(load_profile(demo_profile_path()).class_weights["06010"])
    assert (cond.limit_value, cond.limit_unit) == (4.0, "working_hours")


def test_reinstalling_the_same_content_is_a_no_op(engine: Engine, tmp_path: Path) -> None:
    first = install_profile(engine, demo_profile_path(), now=T1)
    before = _row_counts(engine)
    again = install_profile(engine, _copy_demo(tmp_path, "copy"), now=T2)  # same bytes, other place
    assert not again.created
    assert (again.id, again.loaded_at, again.active) == (first.id, T1, True)
    assert _row_counts(engine) == before


def test_a_new_version_becomes_active_and_the_old_one_stays(engine: Engine, tmp_path: Path) -> None:
    old = install_profile(engine, demo_profile_path(), now=T1)
    changed = _copy_demo(tmp_path, "v2")
    toml = (changed / "city.toml").read_text(encoding="utf-8").replace('"2026.1"', '"2026.2"')
    (changed / "city.toml").write_text(toml, encoding="utf-8")
    new = install_profile(engine, changed, now=T2)
    assert new.created and new.id != old.id
    assert active_profile(engine).version == "2026.2"
    versions = list_versions(engine)
    assert [(v.version, v.active) for v in versions] == [("2026.2", True), ("2026.1", False)]
    # Installing the old files again rolls back: nothing new is stored, the old row is active.
    back = install_profile(engine, demo_profile_path())
    assert (back.id, back.created) == (old.id, False)
    assert active_profile(engine).version == "2026.1"
    assert len(list_versions(engine)) == 2


def test_a_version_saved_by_excel_with_a_byte_order_mark_rolls_back_to_itself(
    engine: Engine, tmp_path: Path
) -> None:
    excel = _copy_demo(tmp_path, "excel")
    csv_file = excel / "conditions.csv"
    csv_file.write_bytes(b"\xef\xbb\xbf" + csv_file.read_bytes())  # 带BOM的UTF-8 (Excel)
    saved = install_profile(engine, excel, now=T1)
    assert saved.created
    _, files = version_files(engine, saved.id)
    assert files["conditions.csv"] == csv_file.read_bytes()  # given back byte for byte
    install_profile(engine, demo_profile_path(), now=T2)
    back = activate_version(engine, saved.id)
    assert (back.id, back.created, back.active) == (saved.id, False, True)
    assert len(list_versions(engine)) == 2


def test_a_bad_profile_leaves_the_active_one_untouched(engine: Engine, tmp_path: Path) -> None:
    good = install_profile(engine, demo_profile_path(), now=T1)
    before = _row_counts(engine)
    bad = _copy_demo(tmp_path, "bad")
    rows = (bad / "conditions.csv").read_text(encoding="utf-8")
    (bad / "conditions.csv").write_text(
        rows.replace(",4,working_hours,", ",4,fortnights,", 1), encoding="utf-8"
    )
    (bad / "routing.csv").unlink()
    with pytest.raises(ProfileError) as err:
        install_profile(engine, bad, now=T2)
    codes = {p["code"] for p in err.value.details["problems"]}
    assert codes == {"profile.limit_unit_unknown", "profile.file_missing"}
    assert _row_counts(engine) == before
    current = active_version(engine)
    assert current is not None and current.id == good.id
    clear_cache()
    assert active_profile(engine).content_hash == good.content_hash


def test_active_profile_follows_a_change_of_the_active_version(
    engine: Engine, tmp_path: Path
) -> None:
    old = install_profile(engine, demo_profile_path())
    changed = _copy_demo(tmp_path, "v2")
    with (changed / "routing.csv").open("a", encoding="utf-8") as f:
        f.write("06012,370105001,dept.sanitation,\n")
    new = install_profile(engine, changed)
    assert active_profile(engine).content_hash == new.content_hash
    # Another process switches back (the cache is keyed by content hash, not by process state).
    with engine.begin() as conn:
        conn.execute(update(profile_versions).values(active=False))
        conn.execute(
            update(profile_versions).where(profile_versions.c.id == old.id).values(active=True)
        )
    assert active_profile(engine).content_hash == old.content_hash


def test_at_most_one_version_is_active(engine: Engine, tmp_path: Path) -> None:
    install_profile(engine, demo_profile_path())
    changed = _copy_demo(tmp_path, "v2")
    with (changed / "routing.csv").open("a", encoding="utf-8") as f:
        f.write("06012,370105001,dept.sanitation,\n")
    install_profile(engine, changed)
    with engine.connect() as conn:
        active = conn.execute(
            select(func.count())
            .select_from(profile_versions)
            .where(profile_versions.c.active.is_(True))
        ).scalar_one()
    assert active == 1
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(update(profile_versions).values(active=True))
