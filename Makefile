# Two commands on a fresh machine: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
NODE_STAMP := node_modules/.installed
DKFDS := quota_app/static/vendor/dkfds
DEV_ENV := QUOTA_ENV=development QUOTA_BASE_URL=http://127.0.0.1:5000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup run test lint system-deps assets translations clean bench

setup: $(PY_STAMP) assets translations

$(PY_STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: $(NODE_STAMP)
	mkdir -p $(DKFDS) quota_app/static/vendor/axe
	cp -r node_modules/dkfds/dist/css node_modules/dkfds/dist/js node_modules/dkfds/dist/img $(DKFDS)/
	cp -r node_modules/dkfds/dist/fonts $(DKFDS)/ 2>/dev/null || true
	cp node_modules/axe-core/axe.min.js quota_app/static/vendor/axe/

# Each feature keeps its own catalogue (quota_app/<feature>/translations); Flask-Babel merges them.
translations: $(PY_STAMP)
	@for dir in $$(find quota_app -type d -name translations -not -path '*/static/*'); do \
	  $(BIN)/pybabel compile --use-fuzzy -d $$dir >/dev/null || exit 1; done

# Debian packages the tests need: chromium for browser tests, poppler-utils to look at PDFs.
system-deps:
	@command -v chromium >/dev/null && command -v pdftoppm >/dev/null || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium poppler-utils >/dev/null; }

run: setup
	$(DEV_ENV) $(BIN)/quota db upgrade
	$(DEV_ENV) $(BIN)/quota demo
	@echo "Starting the scheduler process and the web app on http://127.0.0.1:5000"
	$(DEV_ENV) $(BIN)/python -m scheduler & sched=$$!; \
	trap 'kill $$sched 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) QUOTA_SESSION_COOKIE_SECURE=false $(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: setup system-deps lint
	$(BIN)/pytest -n 2 --dist loadgroup

# The budgets of docs/quality.md at national scale (100,000 places, ~1,000,000 events); each script
# prints its figures.
bench: setup
	$(BIN)/python -m benchmarks.bench_import
	$(BIN)/python -m benchmarks.bench_import_job
	$(BIN)/python -m benchmarks.bench_import_limits
	$(BIN)/python -m benchmarks.bench_reconcile
	$(BIN)/python -m benchmarks.bench_reports
	$(BIN)/python -m benchmarks.bench_overview
	$(BIN)/python -m benchmarks.bench_write
	$(BIN)/python -m benchmarks.bench_forecast
	$(BIN)/python -m benchmarks.bench_compliance

clean:
	rm -rf $(VENV) node_modules instance quota_app/static/vendor
