# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app openinfra_live
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in mails and calendar UIDs use this address (the site never trusts the Host header).
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test install install-test migrate demo lint format bench schema-migration clean \
	translations extract update-translations

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# What the site needs to run; the test tools come with `make test` only.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

# The catalogs (.po, in the package, where a translation platform works on them) are compiled
# into the .mo files the site reads; the .mo files are built, never committed.
CATALOGS := openinfra_live/translations
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d $(CATALOGS) 2>&1 | grep -v '^compiling' || true

# Every marked word of the templates and the package, into the template catalog (messages.pot).
extract: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg --ignore-dirs ".* __pycache__" -k lazy_gettext -k lazy_ngettext:1,2 -k _l --sort-by-file --no-wrap \
		--msgid-bugs-address "" --project "OpenInfra Live" -o $(CATALOGS)/messages.pot .

# The languages' catalogs take the template's new words (as untranslated) and drop the gone ones.
update-translations: extract
	$(BIN)/pybabel update --no-wrap --ignore-obsolete -i $(CATALOGS)/messages.pot -d $(CATALOGS)

install-test: $(VENV)/.installed-test translations

migrate: install
	$(FLASK) db upgrade

demo: migrate
	SITE_URL=$(SITE_URL) $(FLASK) demo --if-empty

run: demo
	SITE_URL=$(SITE_URL) $(FLASK) run --host $(HOST) --port $(PORT)

# Browser-test tooling from the npm registry (axe-core, the Nu HTML checker); optional:
# without npm the tests that need it are skipped and say so.
.test-tools/.installed:
	-command -v npm >/dev/null && npm install --silent --no-audit --no-fund \
		--prefix .test-tools axe-core@4 vnu-jar && touch $@

test: install-test .test-tools/.installed
	$(BIN)/pytest -n auto

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r openinfra_live -ll

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Options after BENCH_ARGS, e.g. `make bench BENCH_ARGS=--quick` (see bench/README.md).
bench: install-test
	$(BIN)/python -m bench $(BENCH_ARGS)

# A new migration from the difference between the models and the migrations so far.
MESSAGE ?= schema change
schema-migration: install
	INSTANCE_PATH=$$(mktemp -d) sh -c '$(FLASK) db upgrade && $(FLASK) db migrate -m "$(MESSAGE)"'

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
