# IOC-EDU: `make run` sets up and starts the product with demo data; `make test` runs the tests.
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

.PHONY: setup
setup: $(STAMP) ## create the virtualenv and install the project

.PHONY: run
run: setup ## build the demo province if no data exists, show its summary, open the dashboard
	$(BIN)/ioc demo --if-empty
	$(BIN)/ioc summary --unit 94 --period 2021-2022/DN --scheme legacy
	$(BIN)/ioc serve

.PHONY: demo
demo: setup ## rebuild the demo province from scratch (deletes data/ioc.duckdb)
	$(BIN)/ioc demo --replace

.PHONY: lint
lint: setup ## ruff (lint + format check), import contracts, types (mypy), stylesheets that parse cleanly
	$(BIN)/ruff check ioc ingest dashboards tests
	$(BIN)/ruff format --check ioc ingest dashboards tests
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m tests.tools.check_css dashboards/assets

.PHONY: test
test: setup lint ## lint, then the tests (the slow ones: make test-slow)
	$(BIN)/pytest -q -m "not slow" -n 2 --dist loadfile --durations=12

.PHONY: test-slow
test-slow: setup ## the slow tests: the wall soak, schemathesis's stateful run, restarts, a few long ones (CI runs them)
	$(BIN)/pytest -q -m slow

.PHONY: bench
bench: setup ## benchmark the targets named in the issues (prints figures)
	$(BIN)/python -m tests.bench

.PHONY: plotly-js
plotly-js: ## rebuild dashboards/vendor/plotly/plotly-ioc.min.js (needs Node.js and npm)
	cd dashboards/vendor/plotly && npm ci --no-audit --no-fund && node build.js

.PHONY: clean
clean: ## remove runtime data and the virtualenv
	rm -rf data/ioc.duckdb data/build data/raw data/demo $(VENV)

.PHONY: help
help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'
