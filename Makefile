# Two commands for a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run sandbox test lint check-migrations install dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever a pyproject.toml changes. The Python client (clients/python) is installed
# too: `ipledge pledges file` files through it, and its tests import it.
CLIENT := clients/python
$(VENV)/.installed: pyproject.toml $(CLIENT)/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e . -e ./$(CLIENT)
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(CLIENT)/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]' -e ./$(CLIENT)
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

## run: set up, migrate the embedded SQLite store, load demo data on first start, serve on
## $(HOST):$(PORT) (default 127.0.0.1:8000; `make run PORT=8765`)
## (ends with a banner: the addresses, one demo API key per role, how to stop)
run: install
	@$(BIN)/ipledge migrate
	@$(BIN)/ipledge demo --if-empty --no-keys
	@$(BIN)/ipledge serve --host $(HOST) --port $(PORT) --no-migrate --banner

## sandbox: as `run`, but with the manual clock (`POST /v1/_clock` moves it) and webhooks allowed
## to receivers on this machine: what docs/guides/ and docs/walkthrough.sh expect. `run` refuses
## loopback/private webhook targets (422 unsafe_webhook_url), its guard against SSRF; production
## opens its receivers' networks with IPLEDGE_WEBHOOK_ALLOWED_NETWORKS instead.
sandbox: install
	@$(BIN)/ipledge migrate
	@$(BIN)/ipledge demo --if-empty --no-keys
	@IPLEDGE_CLOCK=manual IPLEDGE_WEBHOOK_ALLOW_PRIVATE=1 \
	  $(BIN)/ipledge serve --host $(HOST) --port $(PORT) --no-migrate --banner

## test: set up, make sure PostgreSQL is up, lint, type-check, check migrations, run every test
test: dev
	bash .ci/ensure-postgres
	bash .ci/ensure-tools
	bash .ci/ensure-chromium
	$(MAKE) --no-print-directory lint check-migrations
	$(BIN)/pytest

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# `alembic check`: the models and the migrations describe the same tables.
check-migrations: dev
	@tmp=$$(mktemp -d); \
	IPLEDGE_DATABASE_URL=sqlite:///$$tmp/check.db $(BIN)/alembic upgrade head && \
	IPLEDGE_DATABASE_URL=sqlite:///$$tmp/check.db $(BIN)/alembic check; \
	status=$$?; rm -rf $$tmp; exit $$status

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache .mypy_cache .hypothesis
