# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 5000
export FLASK_APP := therapy_portal:create_app

.PHONY: run test install lint fmt db-upgrade seed clean cluster translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# axe-core for the accessibility crawl (tests/browser/package.json), from the npm registry.
NODE_STAMP := tests/browser/node_modules/.package-lock.json

$(NODE_STAMP): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

instance:
	@mkdir -p instance

db-upgrade: $(STAMP) instance
	$(BIN)/flask db upgrade

seed: db-upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask homework load-library

# One process migrates, loads the demo once and serves; it starts the task-queue worker beside
# it (one Ctrl-C stops both) and prints the address and the demo logins last. Links in emails
# use the address the app was started on (also remembered for `flask send-reminders`).
run: $(STAMP)
	@$(BIN)/flask run-demo --host 127.0.0.1 --port $(PORT)

# Two app servers, a worker and nginx on PostgreSQL and Redis (docs/deploy.md); Ctrl-C stops all.
CLUSTER_PORT ?= 8080
cluster: install
	CLUSTER_PORT=$(CLUSTER_PORT) $(BIN)/python deploy/cluster.py

# Checks the import contracts (pyproject.toml), then runs the whole suite on SQLite; with
# TEST_DATABASE_URL set it runs it again on PostgreSQL.
test: install
	@if [ "$$CI" = "true" ] && [ -z "$$TEST_DATABASE_URL" ]; then \
		echo "CI=true needs TEST_DATABASE_URL: PostgreSQL must be tested, never skipped."; exit 1; fi
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n 2 --dist loadfile
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL"; \
		TEST_DB=postgres $(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not browser"; \
	fi

# Languages (therapy_portal/i18n.py): extract every marked string into the template catalogue,
# merge it into each language's .po (translate the new entries there), and compile the .mo files
# that are committed beside them (tests/i18n checks they match).
I18N := therapy_portal/translations
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l --no-location --sort-output \
		--ignore-dirs=".*" --project="Therapy Portal" --copyright-holder="Therapy Portal contributors" \
		-o $(I18N)/messages.pot .
	$(BIN)/pybabel update -i $(I18N)/messages.pot -d $(I18N) --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d $(I18N) --statistics

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) instance/*.sqlite3 .pytest_cache
