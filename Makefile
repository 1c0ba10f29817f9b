# Măng Non — `make run` serves the demo, `make test` runs every check. See README.md.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# Stages share var/ and the test databases: never run them in parallel.
.NOTPARALLEL:

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PYTHON ?= python3.11
CHROMIUM ?= /usr/bin/chromium
# Two cores on the reference machine: xdist with two workers roughly halves the unit-test time.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
HOST_PORT := 127.0.0.1:8000

# The Python environment is rebuilt when the lock file or the project metadata change.
DEPS_HASH := $(shell cat requirements.lock pyproject.toml 2>/dev/null | sha256sum | cut -c1-16)
PY_STAMP := $(VENV)/.installed-$(DEPS_HASH)
NPM_STAMP := node_modules/.installed-stamp
SKIPS := var/test-skipped.txt

# Skip a stage for a missing system component, except under CI=true where nothing may be skipped.
# $(1): what is missing; $(2): the stage, noted in var/ so that `make test` can report it as skipped.
define skip_or_fail
if [ "$${CI:-}" = "true" ]; then \
  echo "FAIL: $(1) (CI=true: a missing component is a failure, not a skip)" >&2; exit 1; \
else \
  echo "SKIP: $(1)" >&2; mkdir -p var; echo "$(2) $(1)" >> $(SKIPS); \
fi
endef

.PHONY: help install python-env frontend messages catalogue run lint types test test-sqlite test-postgres \
        test-browser bench clean distclean

help:
	@echo "make run      install, migrate, load the demo and serve on http://$(HOST_PORT)/"
	@echo "make test     lint, types, pytest on SQLite and PostgreSQL, browser tests (CI=true: no skips)"
	@echo "make lint     ruff check, ruff format --check, djlint"
	@echo "make types    mypy"
	@echo "make bench    benchmarks on SQLite and on a temporary PostgreSQL"
	@echo "make install  .venv, Python and npm packages, compiled translations"
	@echo "make clean    caches, artifacts and compiled files; distclean also removes .venv, node_modules, var/"

install: python-env frontend messages

python-env: $(PY_STAMP)

$(PY_STAMP):
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required (Python 3.11): install it first." >&2; exit 1; }
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check "$$(grep -E '^uv==' requirements.lock || echo uv)"
	$(BIN)/uv pip install --quiet --python $(PY) -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(PY) -e . --no-deps
	@rm -f $(VENV)/.installed-*
	@touch $@

frontend: $(NPM_STAMP)

$(NPM_STAMP): package.json $(wildcard package-lock.json)
	@command -v npm >/dev/null || { echo "npm is required for the front-end packages: apt-get install npm" >&2; exit 1; }
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; \
	 else npm install --no-audit --no-fund --loglevel=error; fi
	@touch $@

# Compile a catalogue only when a .po is newer than its .mo, so a second run costs nothing.
messages: python-env
	@command -v msgfmt >/dev/null || { echo "msgfmt is missing: install Debian's gettext package (apt-get install gettext)." >&2; exit 1; }
	@stale=$$(find mangnon -path '*/locale/*' -name '*.po' | while read -r po; do \
	   [ "$${po%.po}.mo" -nt "$$po" ] || echo "$$po"; done); \
	 if [ -n "$$stale" ]; then \
	   $(BIN)/mangnon compilemessages --ignore .venv --ignore node_modules --ignore var --ignore .git; \
	 fi

# Extract new msgids into the catalogues (translations are kept by msgid); then translate the empty
# msgstr lines in mangnon/locale/vi — a test fails while any Vietnamese msgstr is empty.
catalogue: python-env
	cd mangnon && ../$(BIN)/mangnon makemessages -l vi -l en --no-location \
	  --ignore='tests/*' --ignore='*/tests/*' --ignore='tests_browser/*'

run: install
	$(BIN)/mangnon migrate --no-input
	$(BIN)/mangnon demo load
	$(BIN)/mangnon cases notify --now  # the demo's overdue and due-soon deadlines, told at once
	@echo
	@echo "Măng Non: http://$(HOST_PORT)/   (Ctrl-C stops the server and the task worker)"
	@echo
	@$(BIN)/mangnon db_worker & worker=$$!; \
	 trap 'kill $$worker 2>/dev/null || true; wait $$worker 2>/dev/null || true' EXIT; \
	 $(BIN)/mangnon runserver $(HOST_PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint --check mangnon
	$(BIN)/djlint --lint mangnon

types: install
	$(BIN)/mypy mangnon

# Every stage runs even after a failure, so one run shows everything that is wrong.
test:
	@mkdir -p var && rm -f $(SKIPS); summary=""; failed=0; \
	 for stage in lint types test-sqlite test-postgres test-browser; do \
	   start=$$SECONDS; \
	   if $(MAKE) --no-print-directory $$stage; then \
	     if grep -qs "^$$stage " $(SKIPS); then result=SKIP; else result=PASS; fi; \
	   else result=FAIL; failed=1; fi; \
	   summary+=$$(printf '\n  %-4s  %-14s %4d s' "$$result" "$$stage" $$((SECONDS - start))); \
	 done; \
	 echo; echo "== make test ==$$summary"; \
	 if [ -s $(SKIPS) ]; then echo "Skipped:"; sed 's/^/  /' $(SKIPS); fi; \
	 exit $$failed

test-sqlite: install
	@echo "== pytest on SQLite =="
	@mkdir -p var
	env -u DATABASE_URL $(BIN)/pytest -m "not browser" -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-postgres: install
	@echo "== pytest on a temporary PostgreSQL =="
	@mkdir -p var
	@if $(PY) tools/pgtemp.py --check >/dev/null; then \
	   $(PY) tools/pgtemp.py -- $(BIN)/pytest -m "not browser" -n $(PYTEST_WORKERS) $(PYTEST_ARGS); \
	 else \
	   $(call skip_or_fail,PostgreSQL is not installed (apt-get install postgresql),test-postgres); \
	 fi

test-browser: install
	@echo "== browser tests (Playwright, $(CHROMIUM)) =="
	@mkdir -p var artifacts
	@if [ -x "$(CHROMIUM)" ]; then \
	   env -u DATABASE_URL MANGNON_CHROMIUM=$(CHROMIUM) $(BIN)/pytest -m browser $(PYTEST_ARGS); \
	 else \
	   $(call skip_or_fail,Chromium is not installed at $(CHROMIUM) (apt-get install chromium),test-browser); \
	 fi

bench: install
	@rm -rf var/bench && mkdir -p var/bench
	@echo "== bench on SQLite (var/bench/bench.sqlite3) =="
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench/bench.sqlite3 $(BIN)/mangnon bench
	@echo
	@echo "== bench on a temporary PostgreSQL =="
	@if $(PY) tools/pgtemp.py --check >/dev/null; then \
	   $(PY) tools/pgtemp.py --dbname mangnon_bench -- $(BIN)/mangnon bench; \
	 else \
	   $(call skip_or_fail,PostgreSQL is not installed (apt-get install postgresql),bench); \
	 fi

clean:
	rm -rf artifacts .mypy_cache .ruff_cache .pytest_cache build var/bench var/static $(SKIPS)
	find . -path ./.venv -prune -o -path ./node_modules -prune -o -name __pycache__ -type d -exec rm -rf {} +
	find mangnon -path '*/locale/*' -name '*.mo' -delete

distclean: clean
	rm -rf $(VENV) node_modules var *.egg-info
