# certverify: `make run` serves the demo on http://127.0.0.1:8000; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime
export CERTVERIFY_DATABASE_URL ?= sqlite:///./certverify.db

.PHONY: install install-runtime run test test-any-day test-browser axe screenshots lint clean \
	openapi lint-openapi lint-docker bench bench-documents clients

# Development (`make test`, `make lint`, ...): the service and the dev extras (test tools,
# linters, Playwright, the benchmark's plotting), which include everything `make run` needs.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP) $(RUNTIME_STAMP)

# Running the service (`make run`, ./certverify): its runtime dependencies only.
$(RUNTIME_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUNTIME_STAMP)

install: $(STAMP)

install-runtime: $(RUNTIME_STAMP)

run: $(RUNTIME_STAMP)
	$(BIN)/certverify migrate
	$(BIN)/certverify seed
	$(BIN)/certverify demo --if-empty
	$(BIN)/certverify serve --host 127.0.0.1 --port 8000

# Tests run in a random order (pytest-randomly), one seed per `make` run, printed so that a
# failure can be replayed: make test TEST_SEED=N.
ifndef TEST_SEED
TEST_SEED := $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
endif
PYTEST := $(BIN)/python -m pytest -q -n 2 -p no:cacheprovider -p randomly --randomly-seed=$(TEST_SEED)

test: $(STAMP)
	@echo "== whole suite on SQLite (random order, TEST_SEED=$(TEST_SEED))"
	env -u CERTVERIFY_TEST_DATABASE_URL $(PYTEST)
ifdef CERTVERIFY_TEST_DATABASE_URL
	@echo "== database tests on PostgreSQL (random order, TEST_SEED=$(TEST_SEED))"
	$(PYTEST) -m "not sqlite_only" tests/api tests/migrations tests/integration tests/web tests/cache
endif

# The suite must pass on any day: the whole SQLite suite with the machine's clock 400 days ahead
# (tests/clock_ahead.py), in random order too.
test-any-day: $(STAMP)
	@echo "== whole suite on SQLite, the machine's clock 400 days ahead (TEST_SEED=$(TEST_SEED))"
	env -u CERTVERIFY_TEST_DATABASE_URL CERTVERIFY_TEST_CLOCK_AHEAD_DAYS=400 $(PYTEST)

# The verification page: fast HTML tests, then Debian's Chromium (/usr/bin/chromium) via Playwright,
# with axe-core (pinned in tools/axe) run in every kind of page.
test-browser: $(STAMP) axe
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/web tests/browser

AXE := tools/axe/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE): tools/axe/package-lock.json
	cd tools/axe && npm ci --no-audit --no-fund --loglevel=error
	touch $(AXE)

# Regenerate docs/screenshots/ from the real page on the demo registry.
screenshots: $(STAMP)
	$(BIN)/python -m tests.browser.screenshots docs/screenshots

# ruff (rules and format), mypy strict over app and tests, the import-linter contracts of
# pyproject.toml (DESIGN.md, "Architecture") and hadolint. Every check runs and reports; lint
# fails if any of them failed.
LINT_CHECKS := \
	"$(BIN)/ruff check app tests examples bench scripts" \
	"$(BIN)/ruff format --check app tests examples bench scripts" \
	"$(BIN)/mypy" \
	"$(BIN)/lint-imports --no-cache --no-logo" \
	"$(BIN)/hadolint --failure-threshold info Dockerfile"

lint: $(STAMP)
	@failed=0; for check in $(LINT_CHECKS); do \
		echo "== $$check"; $$check || failed=1; \
	done; exit $$failed

# Regenerate openapi.json after changing routes or schemas (a test checks it is current).
openapi: $(STAMP)
	$(BIN)/certverify openapi --output openapi.json

# Redocly CLI (pinned in tools/openapi-lint): recommended rules + problem+json on every 4xx.
lint-openapi:
	cd tools/openapi-lint && npm ci --no-audit --no-fund --loglevel=error && npm run -s lint

# Clients generated from openapi.json (tools/clients/build): a Python one (openapi-python-client,
# in its own venv) and TypeScript types (openapi-typescript, checked by tsc), each failing on any
# warning, then a smoke test of the Python client against a live demo server (about a minute).
clients: $(STAMP)
	APP_PYTHON=$(BIN)/python PYTHON=$(PYTHON) tools/clients/build

lint-docker: $(STAMP)
	$(BIN)/hadolint --failure-threshold info Dockerfile

# Benchmark (BENCHMARKS.md, "How it runs"): SQLite and PostgreSQL (127.0.0.1:5432), 10k, 100k and
# 1M certificates, 1 and 2 workers, scale-out over 1, 2 and 4 workers with Redis (127.0.0.1:6379)
# on PostgreSQL; hours (building the 1M registries). Parts: `python bench/run.py --help`, e.g.
# make bench BENCH_ARGS="--sizes 10000 --duration 3"        (the quick end-to-end check)
# make bench BENCH_ARGS="--databases postgres --sizes 1000000 --only scale-out,search --keep"
BENCH_ARGS ?=
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
bench: $(STAMP)
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	@$(BIN)/python -c "import matplotlib, psutil, redis" 2>/dev/null && [ -x $(BIN)/py-spy ] \
		|| $(BIN)/pip install --quiet matplotlib psutil py-spy redis
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Claims extraction accuracy (BENCHMARKS.md, "Claims extraction accuracy"): generated text PDFs
# and scans read through the service's reader (Tesseract for the scans), about 3 minutes.
# More: make bench-documents BENCH_DOCUMENTS_ARGS="--text 700 --scans 140 --errors"
BENCH_DOCUMENTS_ARGS ?= --text 140 --scans 42
bench-documents: $(STAMP)
	$(BIN)/python bench/documents.py $(BENCH_DOCUMENTS_ARGS)

clean:
	rm -rf $(VENV) certverify.db certverify.db-wal certverify.db-shm
