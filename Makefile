# Two commands for a newcomer: `make demo` and `make test`. Both build .venv first.
# `make demo` installs the app and its server extra; `make test` adds the development tools.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_STAMP := $(VENV)/.installed-demo
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint types contracts pytest screenshots benchmarks clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "lazytinker needs Python 3.11+")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(DEMO_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[server]'
	touch $(DEMO_STAMP)

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[server,dev]'
	touch $(DEMO_STAMP) $(DEV_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/lazytinker --demo

test: lint types contracts pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks

types: $(DEV_STAMP)
	$(BIN)/mypy

contracts: $(DEV_STAMP)
	$(BIN)/lint-imports

pytest: $(DEV_STAMP)
	$(BIN)/pytest -q

screenshots: $(DEV_STAMP)
	$(BIN)/python screenshots/make.py screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
