# aptic-qualif — two commands: `make demo` and `make test`.
# Both create or refresh the virtual environment .venv themselves, from the lock file
# requirements.txt: every package, its exact version and its hashes, so that a
# release published upstream tomorrow changes nothing here. `make lock` refreshes it.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CLI    := $(BIN)/aptic-qualif
LOCK   := requirements.txt
INCOMPLETE := centre-social-les-capucines.yaml
# uv resolves the lock (`make lock` only); installing needs nothing but pip.
UV_VERSION := 0.13.9
TOOLS  := .venv-tools
# Etalab's commune reference (npm @etalab/decoupage-administratif): `make communes` vendors it.
COMMUNES_VERSION := 6.0.0
NODE_STAMP := tests/node/node_modules/.installed

.PHONY: install node demo test lint typecheck unit i18n benchmark lock communes clean serve

# The environment is rebuilt from scratch whenever the lock or the project changes, so that it
# holds exactly what the lock says (no leftover from an earlier lock). pip installs the locked
# packages with their hashes checked, then the project itself without touching the network:
# the build backend (hatchling) comes from the lock too.
$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
		"aptic-qualif demande Python 3.11 ou plus récent ; indiquez-le avec PYTHON=python3.12 make …")'
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

## demo: validate the référentiel, the questionnaire and the example applications, assess
## and publish them, then check that every output is there (aptic_qualif/demo.py).
## tests/test_demo.py runs this recipe line by line: keep to $(VAR), $(wildcard …),
## $(filter-out …), and the @ and - prefixes.
demo: $(STAMP)
	$(CLI) --version
	$(CLI) catalogue validate
	$(CLI) catalogue list --level decouvrir
	$(CLI) catalogue show creer-une-adresse-electronique
	$(CLI) questionnaire validate
	mkdir -p build
	$(CLI) questionnaire schema -o build/application.schema.json --force
	$(CLI) publish jsonld -o build/referentiel.jsonld --force
	$(CLI) publish turtle -o build/referentiel.ttl --force
	$(CLI) publish all -o build/publication --force
	$(CLI) apply template -o build/candidature-modele.yaml --force
	$(CLI) apply validate $(filter-out %/$(INCOMPLETE),$(wildcard examples/applications/*.yaml))
	@echo "--- $(INCOMPLETE) est incomplet exprès (voir examples/README.md) :"
	-$(CLI) apply validate examples/applications/$(INCOMPLETE)
	$(CLI) assess examples/applications --reviews examples/reviews --format table
	$(CLI) assess examples/applications --reviews examples/reviews --format html \
		-o build/evaluations.html --force
	$(CLI) coverage examples/applications --reviews examples/reviews --format table
	$(CLI) coverage examples/applications --reviews examples/reviews --all --by commune \
		--format csv -o build/couverture-communes.csv --force
	$(CLI) review summary examples/reviews --applications examples/applications
	$(CLI) export lieux examples/applications --reviews examples/reviews -o build/lieux.csv --force
	$(CLI) import lieux build/lieux.csv -o build/lieux-importes --force
	$(CLI) export data-inclusion examples/applications --reviews examples/reviews \
		-o build/data-inclusion --force
	$(CLI) usages generate -n 2000 --seed 3 -d 13 -d 35 -d 69 -o build/usages.csv --force
	$(CLI) usages import build/usages.csv --store build/usages
	$(CLI) usages report build/usages -d 13 -f markdown -o build/usages-13.md --force
	$(CLI) publish site -o build/site --usages build/usages
	$(BIN)/python -m aptic_qualif.demo build

## test: lint, format check, type check, tests; then the scoring policy: no smart route
## (policy check) and every reference case keeps its decision (policy test)
test: lint typecheck unit
	$(CLI) policy check
	$(CLI) policy test

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools

typecheck: $(STAMP)
	$(BIN)/mypy src

unit: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest

## node: the consumers' own JavaScript libraries that the tests run on the exports (the national
## cartography's @gouvfr-anct/lieux-de-mediation-numerique), installed by npm ci exactly as
## tests/node/package-lock.json pins them (needs Debian's nodejs and npm)
$(NODE_STAMP): tests/node/package.json tests/node/package-lock.json
	npm ci --prefix tests/node --ignore-scripts --no-audit --no-fund
	touch $(NODE_STAMP)

node: $(NODE_STAMP)

## serve: the web front on the examples (an address valid for the session is printed)
serve: $(STAMP)
	$(CLI) serve --applications examples/applications --reviews examples/reviews

## i18n: extract messages, merge them into the French catalogue, compile it
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --omit-header \
		-k _ -k N_ -k ngettext:1,2 -o src/aptic_qualif/locale/aptic_qualif.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -D aptic_qualif \
		-i src/aptic_qualif/locale/aptic_qualif.pot -d src/aptic_qualif/locale -l fr
	$(BIN)/pybabel compile -D aptic_qualif -d src/aptic_qualif/locale -l fr

## benchmark: validation, publication and assessment at scale, next to the alternatives
benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_validate.py
	$(BIN)/python benchmarks/bench_publish.py
	$(BIN)/python benchmarks/bench_assess.py --sizes 1000
	$(BIN)/python benchmarks/bench_policy.py
	$(BIN)/python benchmarks/bench_usages.py --records 200000

## lock: resolve every dependency anew (on purpose, in its own commit) for Python 3.11 and up;
## pylock.toml (PEP 751) is the same resolution in the standard format, made from requirements.txt
lock:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet uv==$(UV_VERSION)
	$(TOOLS)/bin/uv pip compile pyproject.toml requirements-build.in --extra dev --extra bench \
		--universal --python-version 3.11 --generate-hashes --quiet \
		--custom-compile-command "make lock" -o $(LOCK)
	$(TOOLS)/bin/uv pip compile $(LOCK) --universal --python-version 3.11 --quiet \
		--custom-compile-command "make lock" --format pylock.toml -o pylock.toml

## communes: regenerate the commune reference (src/aptic_qualif/data/communes/) from
## Etalab's npm package, at COMMUNES_VERSION (needs npm and the registry)
communes: $(STAMP)
	$(BIN)/python tools/build_communes.py --version $(COMMUNES_VERSION)

clean:
	rm -rf $(VENV) $(TOOLS) build dist .pytest_cache .mypy_cache .ruff_cache tests/node/node_modules
