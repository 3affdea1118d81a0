"""Fuzzing the published OpenAPI in-process: whatever the schema allows (and much it does
not), the API never answers 5xx, and every error of ``/api/v1`` has the one error shape.

Bounded: a few derandomized examples per operation, so the run is short and repeatable.
It runs in a city of its own (``fuzz_world``): administrators' operations on random logins
may hit the personas other tests log in as. Requests carry the token of a role that may use
the operation (administrator for
``/admin``, otherwise a shift leader, who sees every case and may run most commands), so the
fuzzing reaches the code behind the access checks. Logging out is left out: it would end the
token the rest of the run uses (it has its own tests).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from cityops.services import accounts
from tests.api.conftest import PASSWORD, World

# A few examples per operation in the suite; set CITYOPS_FUZZ_EXAMPLES for a deeper run.
EXAMPLES = int(os.environ.get("CITYOPS_FUZZ_EXAMPLES", "4"))
SKIPPED = {"/api/v1/auth/logout", "/api/v1/auth/me/password"}


@pytest.fixture(scope="session")
def fuzz_tokens(fuzz_world: World) -> dict[str, str]:
    """Tokens of their own for the fuzzing (it may revoke or expire what it holds)."""
    out = {}
    for persona in ("admin", "shift_leader"):
        issued = accounts.login(fuzz_world.rt, fuzz_world.logins[persona], PASSWORD)
        out[persona] = issued.token
    return out


def _check(case: Any, tokens: dict[str, str], problems: list[str]) -> None:
    persona = "admin" if case.path.startswith("/api/v1/admin") else "shift_leader"
    try:
        response = case.call(headers={"Authorization": f"Bearer {tokens[persona]}"})
    except Exception as exc:  # the in-process client re-raises what the server raised
        problems.append(f"{case.method} {case.formatted_path}: {exc.__class__.__name__}: {exc}")
        return
    where = f"{case.method} {case.formatted_path} → {response.status_code}"
    if response.status_code >= 500:
        problems.append(f"{where}: {response.text[:300]}")
        return
    kind = response.headers.get("content-type", "")
    if response.status_code >= 400 and case.path.startswith("/api/v1") and "json" in kind:
        body = response.json()
        if not (
            isinstance(body, dict)
            and set(body) == {"code", "message", "details"}
            and isinstance(body["code"], str)
            and body["code"]
            and isinstance(body["details"], dict)
        ):
            problems.append(f"{where}: error body {str(body)[:300]}")


def test_no_input_gives_a_server_error_and_every_error_has_the_one_shape(
    fuzz_world: World, fuzz_tokens: dict[str, str]
):
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_world.client.app)
    problems: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIPPED:
            continue
        operations += 1
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(cases)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: Any) -> None:
            _check(case, fuzz_tokens, problems)

        fuzz()
    assert operations > 40
    assert problems == [], "\n".join(sorted(set(problems)))
