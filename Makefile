# Two commands matter on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
# Django 6 needs Python 3.12+. pyenv shims answer for versions that aren't selected,
# so each candidate is asked to run before it is chosen.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 $$(ls -rd $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null) python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
DEB_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
	poppler-utils gettext chromium chromium-driver
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/0
# pytest-xdist workers: many tests wait on browsers, servers and sockets rather than the CPU, so
# three workers on two cores keep both busy. Each file runs on one worker (module fixtures, files
# that start their own servers); each worker has its own test database and Redis database.
PYTEST_WORKERS ?= 3
PYTEST_PARALLEL := $(if $(filter 0 1,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadfile)

.PHONY: install demo serve test test-embedded test-services lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@missing=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo ">> installing Debian packages:$$missing"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@test -n "$(PYTHON)" || { echo "!! Python 3.12 or newer is needed (Django 6); none found"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv -v 0
	@touch $(STAMP)

# Background tasks (certificate batches) are queued in the database; one worker runs them
# beside the server and stops with it.
# With TASKS_BACKEND=redis (and REDIS_URL) the worker is the Redis pool's instead.
WORKER_COMMAND := $(if $(filter redis,$(TASKS_BACKEND)),run_redis_tasks --continuous,db_worker --no-reload) -v 0
WORKER := $(BIN)/python manage.py $(WORKER_COMMAND) & worker=$$!; trap 'kill $$worker' EXIT;

# Without DEBUG the settings refuse to start on the public fallback SECRET_KEY: the demo runs with
# DEBUG on unless told otherwise; serve (and production) needs a real SECRET_KEY.
demo: export DEBUG ?= 1
demo: install
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py seed_demo
	$(WORKER) $(BIN)/daphne -b 127.0.0.1 -p 8000 config.asgi:application

serve: install
	$(WORKER) $(BIN)/daphne -b 127.0.0.1 -p 8000 config.asgi:application

# The suite runs twice: on the embedded defaults (SQLite, in-memory layer),
# then on the real PostgreSQL and Redis when they answer.
test: install lint test-embedded test-services

# lint-imports checks the layers of DESIGN.md (contracts in pyproject.toml).
lint:
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run -v 0

test-embedded:
	@echo ">> test suite on the embedded defaults (SQLite, in-memory channel layer)"
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest -q $(PYTEST_PARALLEL)

test-services:
	@if $(BIN)/python -m tests.services_up "$(PG_URL)" "$(REDIS_TEST_URL)"; then \
		echo ">> test suite on PostgreSQL and Redis"; \
		DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(BIN)/pytest -q $(PYTEST_PARALLEL) -m "not browser"; \
	else \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo "!! PostgreSQL ($(PG_URL)) or Redis ($(REDIS_TEST_URL)) is unreachable:"; \
		echo "!! the suite did NOT run against the real servers. Start them and re-run."; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		if [ -n "$$CI" ]; then exit 1; fi; \
	fi

# Benchmarks run without DEBUG, as production does, so they need a key of their own.
bench: export SECRET_KEY ?= bench-only-$(shell od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
bench: install
	@for b in bench/*.py; do echo ">> $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache staticfiles db.sqlite3
