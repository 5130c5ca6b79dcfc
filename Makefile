# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000
# Tests marked slow (office-suite round trips, the API fuzzer, scale checks) run in CI
# (CI=true) and with `make test-all`; a plain `make test` leaves them out to stay quick.
ifeq ($(CI),true)
PYTEST_MARKERS :=
else
PYTEST_MARKERS := -m "not slow"
endif

.PHONY: install lock run serve test test-all lint complexity format translations migration bench samples clean

# The exact versions (and hashes) in requirements.lock, then Plume itself without resolving again.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Plume needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## Pin every dependency (with hashes) from the ranges in pyproject.toml.
lock:
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes --python-version 3.11 \
		-o requirements.lock --quiet

## Migrate the embedded SQLite database, load the reference data and the demo paper, serve.
# A session key of this machine's own, made on the first `make run` (never in git).
instance/secret_key:
	@mkdir -p instance
	@umask 077 && python3 -c 'import secrets; print(secrets.token_hex(32))' > $@

run: install instance/secret_key
	$(BIN)/plume db upgrade
	$(BIN)/plume demo
	@echo
	@echo "Plume is serving at http://$(HOST):$(PORT)/  (API: http://$(HOST):$(PORT)/api/v1/docs)"
	@echo "Sign in with any demo login above. Stop with Ctrl-C."
	@echo
	@$(BIN)/plume mail-banner
	@echo
	@# The worker (mail, reminders, digests, exports, re-anchoring) beside gunicorn; both stop with Ctrl-C.
	$(BIN)/plume worker & WORKER=$$!; trap "kill $$WORKER" EXIT INT TERM; \
		$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - wsgi:app

## Lint, then every test (database tests on SQLite and PostgreSQL).
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@$(MAKE) --no-print-directory complexity
	$(BIN)/pytest -n auto --dist worksteal $(PYTEST_MARKERS)

## Every test, the slow ones too (what CI runs).
test-all: install
	$(BIN)/pytest -n auto --dist worksteal

## The functions above McCabe complexity 10, to split when next touched (reported, not failed).
complexity: install
	@$(BIN)/ruff check --select C901 --exit-zero --output-format concise . | grep C901 || true

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Autogenerate a migration for review: make migration m="add paper settings" [rev=slug]
migration: install
	@test -n "$(m)" || { echo 'usage: make migration m="what it changes" [rev=a_unique_slug]'; exit 2; }
	mkdir -p instance && rm -f instance/autogenerate.sqlite3
	PLUME_DATABASE_URL=sqlite:///instance/autogenerate.sqlite3 $(BIN)/alembic upgrade heads
	PLUME_DATABASE_URL=sqlite:///instance/autogenerate.sqlite3 $(BIN)/alembic revision \
		--autogenerate -m "$(m)" --rev-id "$(or $(rev),$(shell echo '$(m)' | tr 'A-Z ' 'a-z_' | tr -cd 'a-z0-9_' | cut -c1-40))"
	rm -f instance/autogenerate.sqlite3
	@echo "Review it before you commit: read every line, name the constraints, freeze enum values,"
	@echo "check the downgrade, and run tests/test_migrations.py (models, CHECKs, down and up)."

## Extract the UI's strings, update the .po files, compile them (translate, then run it again).
translations: install
	$(BIN)/pybabel extract -F app/babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output \
		--project Plume --version 1.0 --copyright-holder Plume --msgid-bugs-address plume@example.org \
		-o app/web/translations/messages.pot app
	$(BIN)/pybabel update --no-fuzzy-matching -i app/web/translations/messages.pot \
		-d app/web/translations
	$(BIN)/pybabel compile -d app/web/translations

## The export benchmark (not a test): prints seconds, ratios against raw pandoc/typst and peak
## memory; `make bench SECTIONS=1000` for the paper at ten times the size (long: minutes, GBs).
SECTIONS ?= 60
REPS ?= 1
bench: install
	$(BIN)/python tests/perf/bench_export.py --sections $(SECTIONS) --reps $(REPS)

## Four page renders of the exports (PDF annexes A and B, Word TOC via LibreOffice, French
## cover) in exports/samples/, and each annex's page count in both formats.
samples: install
	$(BIN)/python tests/perf/render_samples.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
