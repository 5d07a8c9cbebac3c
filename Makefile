# Asamblea — two commands do everything: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATABASE_URL_PG ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
CHROMIUM := /usr/bin/chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run test lint test-sqlite test-postgres test-e2e bench chromium translations clean

$(BIN)/asamblea: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,prod]'
	touch $(BIN)/asamblea

## Serve the demo network on http://127.0.0.1:5000 (SQLite in instance/).
run: $(BIN)/asamblea
	$(BIN)/asamblea db upgrade
	$(BIN)/asamblea demo --if-needed
	@echo "Serving on http://127.0.0.1:5000 — stop with Ctrl-C."
	$(BIN)/asamblea run --host 127.0.0.1 --port 5000

## System packages from Debian: headless Chromium for the browser tests (never a
## downloaded browser) and HarfBuzz's subsetter, which WeasyPrint uses to embed only
## the glyphs a PDF needs (WeasyPrint 70 warns without it; future versions require it).
chromium:
	@missing=; test -x $(CHROMIUM) || missing="chromium"; \
	  ldconfig -p | grep -q libharfbuzz-subset.so.0 || missing="$$missing libharfbuzz-subset0"; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing from Debian:$$missing"; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	  fi

lint: $(BIN)/asamblea
	$(BIN)/ruff check .
	$(BIN)/ruff format --check governance proposals votes budgets ledger tests
	$(BIN)/mypy

test-sqlite: $(BIN)/asamblea
	env -u DATABASE_URL $(BIN)/pytest -q -m "not postgres and not e2e" --ignore=tests/e2e --ignore=tests/bench

test-postgres: $(BIN)/asamblea
	DATABASE_URL="$${DATABASE_URL:-$(DATABASE_URL_PG)}" $(BIN)/pytest -q -m "not e2e and not pure" --ignore=tests/e2e --ignore=tests/bench

test-e2e: $(BIN)/asamblea chromium
	env -u DATABASE_URL $(BIN)/pytest -q tests/e2e

## The whole suite: lint, SQLite, PostgreSQL, browser. Prints each stage's time.
test: $(BIN)/asamblea chromium
	@set -e; total=$$(date +%s); \
	for stage in lint test-sqlite test-postgres test-e2e; do \
	  start=$$(date +%s); echo "=== $$stage"; \
	  $(MAKE) --no-print-directory $$stage; \
	  echo "=== $$stage took $$(( $$(date +%s) - start )) s"; \
	done; \
	echo "=== make test took $$(( $$(date +%s) - total )) s"

bench: $(BIN)/asamblea
	@for f in tests/bench/bench_*.py; do \
	  BENCH_DATABASE_URL="$${DATABASE_URL:-$(DATABASE_URL_PG)}" $(BIN)/python -m "tests.bench.$$(basename $$f .py)" || exit 1; \
	done

## Re-extract the messages and compile the catalogues (es, pt_BR, en).
translations: $(BIN)/asamblea
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -o governance/translations/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel update -i governance/translations/messages.pot -d governance/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d governance/translations

clean:
	rm -rf $(VENV) instance test-artifacts
