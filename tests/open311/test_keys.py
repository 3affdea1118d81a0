"""API keys on SQLite and PostgreSQL: issued once, stored hashed, revoked for good; and the
``cityops open311 key`` commands."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cityops.adapters.db.tables.open311 import open311_keys
from cityops.cli.main import app
from cityops.config import get_settings
from cityops.domain.cases.vocabulary import Role
from cityops.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from cityops.services.open311 import keys
from cityops.services.runtime import Runtime

pytestmark = pytest.mark.db
runner = CliRunner()


def test_a_key_is_shown_once_and_stored_only_as_a_digest(rt: Runtime, engine: Engine):
    issued = keys.create_key(rt, "cityapp", "  济南市民 app  ")
    assert issued.secret.startswith("o311_") and len(issued.secret) >= 36
    assert issued.key.key_prefix == issued.secret[:9] and issued.key.note == "济南市民 app"
    with engine.connect() as conn:
        stored = conn.execute(select(open311_keys)).one()
    assert issued.secret not in repr(stored) and stored.key_hash == keys.hash_key(issued.secret)
    assert keys.authenticate(rt, issued.secret).name == "cityapp"
    actor = keys.actor_for(issued.key)
    assert (actor.id, actor.role, actor.unit) == ("open311.cityapp", Role.PUBLIC, None)


def test_wrong_missing_and_revoked_keys_are_refused(rt: Runtime):
    issued = keys.create_key(rt, "cityapp")
    for secret, code in (
        (None, "open311.key_missing"),
        ("", "open311.key_missing"),
        ("o311_guess", "open311.key_invalid"),
        (issued.secret + "x", "open311.key_invalid"),
        ("x" * 500, "open311.key_invalid"),
    ):
        with pytest.raises(ForbiddenError) as e:
            keys.authenticate(rt, secret)
        assert e.value.code == code
    revoked = keys.revoke_key(rt, "cityapp")
    assert not revoked.active
    with pytest.raises(ForbiddenError):
        keys.authenticate(rt, issued.secret)
    with pytest.raises(ConflictError) as e:
        keys.revoke_key(rt, "cityapp")
    assert e.value.code == "open311.key_already_revoked"
    with pytest.raises(NotFoundError):
        keys.revoke_key(rt, "nobody")


def test_names_are_checked_and_never_reused(rt: Runtime):
    keys.create_key(rt, "fixmystreet-jinan")
    keys.revoke_key(rt, "fixmystreet-jinan")
    with pytest.raises(ConflictError) as e:
        keys.create_key(rt, "fixmystreet-jinan")
    assert e.value.code == "open311.key_name_taken"
    for bad in ("", "CityApp", "-app", "有名字", "a" * 49, "a b"):
        with pytest.raises(ValidationError):
            keys.create_key(rt, bad)
    assert [k.name for k in keys.list_keys(rt)] == ["fixmystreet-jinan"]


@pytest.fixture
def cli_db(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("CITYOPS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()


def test_the_key_commands_create_list_and_revoke(cli_db: Engine, rt: Runtime):
    created = runner.invoke(app, ["open311", "key", "create", "cityapp", "--note", "市民 app"])
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert keys.authenticate(rt, secret).name == "cityapp"
    again = runner.invoke(app, ["open311", "key", "create", "cityapp"])
    assert again.exit_code == 1 and "open311.key_name_taken" in again.output
    listed = runner.invoke(app, ["open311", "key", "list"])
    assert listed.exit_code == 0 and "cityapp" in listed.output and secret not in listed.output
    assert secret[:9] in listed.output
    revoked = runner.invoke(app, ["open311", "key", "revoke", "cityapp"])
    assert revoked.exit_code == 0, revoked.output
    with pytest.raises(ForbiddenError):
        keys.authenticate(rt, secret)
    active = runner.invoke(app, ["open311", "key", "list", "--active-only"])
    assert active.exit_code == 0 and "cityapp" not in active.output
    missing = runner.invoke(app, ["open311", "key", "revoke", "nobody"])
    assert missing.exit_code == 1 and "open311.key_unknown" in missing.output
