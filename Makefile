# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app openinfra_live
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install migrate demo lint format bench schema-migration clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo --if-empty

run: demo
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r openinfra_live -ll

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench

# Regenerates the initial migration from the models (the schema is not released yet).
schema-migration: install
	rm -f migrations/versions/0001_initial_schema.py
	INSTANCE_PATH=$$(mktemp -d) $(FLASK) db migrate -m "initial schema" --rev-id 0001

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
