# Two commands: `make run` serves the catalogue, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint install demo serve clean translations vendor

$(BIN)/catalogue: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/catalogue

## vendor: the pages' front-end libraries (OpenSeadragon, Leaflet; axe-core for the tests) at the
## versions pinned in package-lock.json, from the npm registry, copied into catalogue/static/vendor/
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

catalogue/static/vendor/versions.json: node_modules/.package-lock.json .ci/vendor.py
	$(PYTHON) .ci/vendor.py

vendor: catalogue/static/vendor/versions.json

## run: install, migrate, load the demo into an empty database, serve on http://127.0.0.1:5000
run: install vendor
	$(BIN)/catalogue db upgrade
	$(BIN)/catalogue demo load --if-empty
	$(BIN)/catalogue search sync
	$(BIN)/catalogue run --host $(HOST) --port $(PORT)

## serve: production-style serving with gunicorn and gunicorn.conf.py (WEB_CONCURRENCY workers)
serve: install vendor
	$(BIN)/catalogue db upgrade
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) wsgi:app

## test: install and run the whole suite, on SQLite and on PostgreSQL (see README, Development)
test: install vendor
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## translations: collect the pages' texts and merge them into the .po files (compiled at start-up)
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k _l -k t -k ngettext:1,2 --no-location \
		--sort-output --project=catalogue -o catalogue/translations/messages.pot .
	$(BIN)/pybabel update -i catalogue/translations/messages.pot -d catalogue/translations \
		--ignore-obsolete

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info node_modules catalogue/static/vendor
