# EGL Platform — `make run` (demo on the embedded default) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
# Django 6 needs Python 3.12+. PYTHON=… wins; else python3.13 / python3.12 on the PATH
# (a pyenv shim counts only if it runs), else the newest 3.12+ that pyenv has installed.
PYTHON ?= $(shell for c in python3.13 python3.12; do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$c; exit 0; fi; done; \
	for d in $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]* 2>/dev/null | sort -V -r); do \
	  if [ -x $$d/bin/python3 ]; then echo $$d/bin/python3; exit 0; fi; done)

.PHONY: help python venv install assets messages makemessages migrate seed run worker beat test test-fast lint typecheck schema check ci-checks benchmark clean

help:
	@echo "make run      install, build, migrate, seed and serve the demo on http://acme.localhost:$(PORT)"
	@echo "make test     the whole test suite (SQLite by default; DATABASE_URL=postgres://… for PostgreSQL)"
	@echo "make worker   a Celery worker (needs CELERY_BROKER_URL)"
	@echo "make ci-checks  ruff, mypy, import contracts, Django checks, OpenAPI schema"

python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "No Python 3.12 or newer found. Install one, e.g. 'apt-get install python3.13' (Debian 13)"; \
	  echo "or 'pyenv install 3.13', or run: make PYTHON=/path/to/python3.12+ …"; exit 1; fi

$(VENV)/.installed: pyproject.toml | python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

venv install: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/dist/app.js: node_modules/.installed $(shell find frontend -name "*.js")
	npm run --silent build

assets: static/dist/app.js

# Compiled translations are made here from the .po files, never committed.
messages: install
	$(PY) manage.py compile_translations

# After adding UI strings: extract them into the Dutch catalogue, then translate them there.
makemessages: install
	$(PY) manage.py makemessages -l nl --no-obsolete --ignore=.venv --ignore=node_modules --ignore=tests --ignore=benchmarks --ignore=var

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# Links the app writes (invitation e-mails, the tenant switcher) carry the port it is served on.
run: export EGL_PUBLIC_PORT ?= $(PORT)
run: install assets messages seed
	@$(PY) manage.py demo_banner --port $(PORT)
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: install messages
	$(VENV)/bin/celery -A egl_platform worker --loglevel=info --concurrency=2 -Q $${CELERY_QUEUE:-egl}

beat: install
	$(VENV)/bin/celery -A egl_platform beat --loglevel=info

test: install assets messages
	$(PY) -m pytest $(PYTEST_ARGS)

# Without the slow kinds (headless browser, real Celery worker).
test-fast: install messages
	$(PY) -m pytest -q -m "not browser and not worker" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: install
	$(VENV)/bin/mypy .

schema: install
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

ci-checks: lint typecheck check schema

# Signed-in tenant page vs a bare Django view under the same gunicorn (needs PostgreSQL + Redis).
benchmark: install assets messages
	$(PY) benchmarks/tenant_page.py $(BENCHMARK_ARGS)

clean:
	rm -rf $(VENV) node_modules static/dist var
