# Two commands do all set-up on a fresh machine (only Python 3.11 needed):
#   make run    start the platform (embedded PostgreSQL + Redis, migrations, demo data, web, worker, beat)
#   make test   run the whole test suite against real PostgreSQL + Redis + a real Celery worker
# Both create .venv and install the pinned dependencies first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ONLY ?=

.PHONY: run test bench lint fmt check messages clean-data venv

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(PY) -m portal.runner run

test: $(STAMP)
	$(PY) -m portal.runner test $(ARGS)

bench: $(STAMP)
	$(PY) -m portal.runner bench $(ONLY)

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
	rm -rf var/run var/test var/bench
