# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install run serve test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Plume needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Migrate the embedded SQLite database, load the reference data and the demo paper, serve.
run: install
	$(BIN)/plume db upgrade
	$(BIN)/plume demo
	@echo
	@echo "Plume is serving at http://$(HOST):$(PORT)/  (API: http://$(HOST):$(PORT)/api/v1/docs)"
	@echo "Sign in with any demo login above. Stop with Ctrl-C."
	@echo
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - wsgi:app

## Lint, then every test (database tests on SQLite and PostgreSQL).
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n auto

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## The export benchmark (not a test): prints seconds and ratios against raw pandoc/typst.
bench: install
	$(BIN)/python tests/perf/bench_export.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
