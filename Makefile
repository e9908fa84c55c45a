# Smart-factory program administration system. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.8
VENV := .venv
PY := $(VENV)/bin/python
export UV_PROJECT_ENVIRONMENT := $(VENV)
export PYTHONDONTWRITEBYTECODE := 1

.DEFAULT_GOAL := help
.PHONY: help install db demo run test test-fast test-faults lint typecheck migrations-check check-deploy bench loadtest worker beat messages clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-18s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml uv.lock
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required: install it or run 'make PYTHON=/path/to/python3.11 …'"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install -q "uv==$(UV_VERSION)"
	@$(VENV)/bin/uv sync --frozen --inexact --python $(PY) -q
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is required: install nodejs and npm"; exit 1; }
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

locale/ko/LC_MESSAGES/django.mo: locale/ko/LC_MESSAGES/django.po $(VENV)/.installed
	@command -v msgfmt >/dev/null || { echo "GNU gettext is required for translations (apt-get install gettext)"; exit 1; }
	@$(PY) manage.py compilemessages -l ko -v 0

install: $(VENV)/.installed node_modules/.installed locale/ko/LC_MESSAGES/django.mo ## Create .venv and install Python and npm packages

db: install ## Make sure PostgreSQL runs and the database exists, then migrate
	@$(PY) scripts/ensure_database.py
	@$(PY) manage.py migrate --noinput -v 0

demo: db ## Set everything up, seed small-scale demo data, print the logins and serve on 127.0.0.1:8000
	@$(PY) manage.py seed_demo --scale small --seed 42 --reset
	@$(PY) manage.py runserver 127.0.0.1:8000

run: db ## Serve on 127.0.0.1:8000 without reseeding
	@$(PY) manage.py runserver 127.0.0.1:8000

test: install ## Set up and run the whole test suite on PostgreSQL (browser, fuzz and fault tests included)
	@$(PY) scripts/ensure_database.py
	@./scripts/ensure_chromium.sh
	@$(PY) -m pytest -n 2 --dist loadgroup -q
	@$(MAKE) --no-print-directory test-faults

test-faults: install ## Fault tests: real workers killed, a private PostgreSQL restarted (serial, RabbitMQ)
	@$(PY) -m pytest -p no:xdist -q -m faults tests/faults

test-fast: install ## Run the suite without the browser tests
	@$(PY) scripts/ensure_database.py
	@$(PY) -m pytest -n 2 -q -m "not browser"

lint: install ## ruff (lint and format check), the import-direction contract, complete Korean translations
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/lint-imports
	@./scripts/check_translations.sh

typecheck: install ## mypy with django-stubs
	@$(VENV)/bin/mypy .

migrations-check: install ## Fail when models and migrations disagree
	@$(PY) manage.py makemigrations --check --dry-run

check-deploy: install ## Django's deployment checks against production settings
	@DJANGO_SETTINGS_MODULE=config.settings.production \
	 DJANGO_SECRET_KEY=ci-only-$$(head -c 48 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9' | head -c 60) \
	 DJANGO_ALLOWED_HOSTS=smartfactory.example.go.kr \
	 $(PY) manage.py check --deploy --fail-level WARNING

bench: install ## Seed national (and double national) scale into their own databases; record figures in bench/results.json
	@$(PY) bench/run_bench.py

loadtest: install ## Mixed load (50 users, 60 s) on gunicorn at national scale; p95 and errors into bench/results.json
	@$(PY) bench/loadtest.py

worker: install ## Run a Celery worker (needs CELERY_BROKER_URL)
	@$(VENV)/bin/celery -A config worker -l info

beat: install ## Run Celery beat (needs CELERY_BROKER_URL)
	@$(VENV)/bin/celery -A config beat -l info

messages: install ## Extract translatable strings into locale/ko/LC_MESSAGES/django.po
	@$(PY) manage.py makemessages -l ko --no-obsolete --ignore=.venv --ignore=node_modules --ignore=static_build \
	  --ignore=tests --ignore=bench

clean: ## Remove the virtualenv, npm packages and collected static files
	rm -rf $(VENV) node_modules static_build
