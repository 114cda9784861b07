# certverify: `make run` serves the demo on http://127.0.0.1:8000; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export CERTVERIFY_DATABASE_URL ?= sqlite:///./certverify.db

.PHONY: install run test test-sqlite test-postgres test-browser screenshots lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/certverify migrate
	$(BIN)/certverify seed
	$(BIN)/certverify demo --if-empty
	$(BIN)/certverify serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	@echo "== whole suite on SQLite"
	env -u CERTVERIFY_TEST_DATABASE_URL $(BIN)/python -m pytest -q -n 2 -p no:cacheprovider
ifdef CERTVERIFY_TEST_DATABASE_URL
	@echo "== database tests on PostgreSQL"
	$(BIN)/python -m pytest -q -n 2 -p no:cacheprovider -m "not sqlite_only" tests/api tests/migrations tests/integration tests/web
endif

# The verification page: fast HTML tests, then Debian's Chromium (/usr/bin/chromium) via Playwright.
test-browser: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/web tests/browser

# Regenerate docs/screenshots/ from the real page on the demo registry.
screenshots: $(STAMP)
	$(BIN)/python -m tests.browser.screenshots docs/screenshots

lint: $(STAMP)
	$(BIN)/ruff check app tests examples bench
	$(BIN)/ruff format --check app tests examples bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) certverify.db certverify.db-wal certverify.db-shm
