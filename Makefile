# cityops — the two commands of the README are `make run` and `make test`.
# Everything they need is installed here: Python packages into .venv, npm packages for the
# web console, and Debian packages (PostgreSQL + PostGIS, Chromium) for the tests.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Days of history the demo city gets on its first start, and its mean reports per day (also
# while serving: the demo city keeps going).
DEMO_DAYS ?= 21
DEMO_PER_DAY ?= 400
PYTEST_ARGS ?=

.PHONY: run test install system-deps db-up web lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

system-deps:
	./scripts/ensure-system-deps.sh chromium fonts-noto-cjk wrk \
	  libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils

db-up:
	./scripts/ensure-postgres.sh

web: install
	@if [ -f web/package.json ]; then ./scripts/build-web.sh; fi

run: install web
	$(BIN)/cityops init
	$(BIN)/cityops demo --days $(DEMO_DAYS) --per-day $(DEMO_PER_DAY)
	$(BIN)/cityops serve --host $(HOST) --port $(PORT) --live-demo --demo-per-day $(DEMO_PER_DAY)

test: install system-deps db-up web lint typecheck
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

bench: install db-up
	@echo "Benchmarks are scripts under bench/; see BENCHMARKS.md for the commands and figures."

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
