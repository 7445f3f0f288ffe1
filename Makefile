# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 5000
export FLASK_APP := therapy_portal:create_app

.PHONY: run test install lint fmt db-upgrade seed clean cluster

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

instance:
	mkdir -p instance

db-upgrade: install instance
	$(BIN)/flask db upgrade

seed: db-upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask homework load-library

# The web server and the task-queue worker (SQLite queue under instance/); one Ctrl-C stops both.
# Links in emails use the address the app was started on (also remembered for `flask send-reminders`).
run: seed
	@echo "http://127.0.0.1:$(PORT)" > instance/public_base_url
	@PUBLIC_BASE_URL=http://127.0.0.1:$(PORT) $(BIN)/flask demo-logins
	@export PUBLIC_BASE_URL=http://127.0.0.1:$(PORT); \
	$(BIN)/flask worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Two app servers, a worker and nginx on PostgreSQL and Redis (docs/deploy.md); Ctrl-C stops all.
CLUSTER_PORT ?= 8080
cluster: install
	CLUSTER_PORT=$(CLUSTER_PORT) $(BIN)/python deploy/cluster.py

# Runs the whole suite on SQLite; with TEST_DATABASE_URL set it runs it again on PostgreSQL.
test: install
	@if [ "$$CI" = "true" ] && [ -z "$$TEST_DATABASE_URL" ]; then \
		echo "CI=true needs TEST_DATABASE_URL: PostgreSQL must be tested, never skipped."; exit 1; fi
	$(BIN)/python -m pytest -q -n 2 --dist loadfile
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL"; \
		TEST_DB=postgres $(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not browser"; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) instance/*.sqlite3 .pytest_cache
