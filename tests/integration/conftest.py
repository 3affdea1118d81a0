"""Fixtures of the service-level integration tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from cityops.services.runtime import Runtime
from tests.integration.helpers import StepClock, make_rt


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def rt(engine: Engine, tmp_path: Path, clock: StepClock) -> Runtime:
    return make_rt(engine, tmp_path, clock)
