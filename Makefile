# Two commands do all set-up on a fresh machine (only Python 3.11 needed):
#   make run    start the platform (embedded PostgreSQL + Redis, migrations, demo data, web, worker, beat)
#   make test   run the whole test suite against real PostgreSQL + Redis + a real Celery worker
# Both create .venv and install the pinned dependencies first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ONLY ?=

.PHONY: run test test-ops bench mutate lint fmt check messages clean-data venv

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test,load]"
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(PY) -m portal.runner run

# The operations suite (tests marked `ops`: backup/restore round trips, PostgreSQL and Redis stopped
# under requests, a whole `make run` with its processes and servers killed in turn) takes about
# 12 minutes more, so `make test` leaves it to `make test-ops` (CI runs both).
ARGS ?= -m "not ops"

test: $(STAMP)
	$(PY) -m portal.runner test $(ARGS)

test-ops: $(STAMP)
	$(PY) -m portal.runner test -m ops $(OPS_ARGS)

bench: $(STAMP)
	$(PY) -m portal.runner bench $(ONLY)

# Mutation testing of the rules (portal/mutate.py; mutmut, configured in pyproject.toml [tool.mutmut],
# equivalent mutants in mutation-equivalents.toml). Not part of `make test`: it takes minutes.
# Prints BENCH mutants_killed_pct and fails below MUTATE_TARGET (90 %). ARGS_MUTATE=--keep reuses the
# last run's mutants/ (only changed functions run again).
MUTATE_STAMP := $(VENV)/.installed-mutate

$(MUTATE_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test,load,mutate]"
	@touch $(MUTATE_STAMP)

mutate: $(MUTATE_STAMP)
	$(PY) -m portal.runner mutate $(ARGS_MUTATE)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# What CI checks besides the tests: lint, formatting, the layers' import contracts (.importlinter),
# no missing migration, complete translations.
check: lint
	$(VENV)/bin/lint-imports --no-cache
	DATABASE_URL=postgresql://check@%2Fnonexistent/none REDIS_URL=redis://127.0.0.1:1/0 $(PY) -W ignore::RuntimeWarning manage.py makemigrations --check --dry-run
	$(PY) -m portal.i18n_compile --check

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Recompile the translations after editing locale/*/LC_MESSAGES/django.po (no GNU gettext needed).
messages: $(STAMP)
	$(PY) -m portal.i18n_compile

# Removes the embedded servers' data (demo data included); the next `make run` starts afresh.
clean-data:
	rm -rf var/run var/test var/bench var/mutate
