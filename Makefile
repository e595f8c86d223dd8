# jupyterlab-xp: `make lab` (install and open JupyterLab on examples/), `make test` (install,
# then every check and test). Everything installs into .venv from the pinned requirements.lock
# and yarn.lock; nothing needs to be installed by hand first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
JLPM := $(BIN)/jlpm
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# jlpm's scripts, hatch-jupyter-builder and `jupyter labextension develop` find jupyter-builder
# and jlpm on PATH, and those live in the venv.
export PATH := $(CURDIR)/$(BIN):$(PATH)
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# Tests and benchmarks run with MLflow's usage telemetry off (README: Privacy): nothing they
# start may reach the network. (jupyterlab-xp's own processes turn it off anyway.)
test lint test-python test-js test-ui test-ranges docs bench: export MLFLOW_DISABLE_TELEMETRY := true
# ...nor ask a package index for wheel hashes when a promotion writes its bundle lock.
test lint test-python test-js test-ui test-ranges docs bench: export XP_LOCK_HASHES := off

.PHONY: help install lab team test test-ranges docs lint format postgres test-python test-js test-ui bench calibrate clean browser types-check

help:
	@echo "make lab      install everything and open JupyterLab on examples/"
	@echo "make test     install everything, then lint, type-check and run every test"
	@echo "make install  install the pinned Python and JS dependencies and the extension"
	@echo "make docs     build the docs site (docs/site/_build/html), examples executed"
	@echo "make bench    run the benchmarks (figures beside their baselines)"
	@echo "make calibrate  null simulations of compare's decisions (false positives, coverage)"
	@echo "make team     start PostgreSQL + an MLflow tracking server to try team mode"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.deps: requirements.lock | $(PY)
	$(PY) -m pip install --quiet pip==24.3.1
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

node_modules/.yarn-state.yml: package.json yarn.lock .yarnrc.yml $(VENV)/.deps
	$(JLPM) install --immutable
	touch $@

labextension/package.json: node_modules/.yarn-state.yml tsconfig.json $(shell find src style -type f 2>/dev/null)
	$(JLPM) build:prod
	touch $@

$(VENV)/.installed: $(VENV)/.deps labextension/package.json pyproject.toml
	# The extension was just built above: skip hatch's build hook (it would build it again).
	HATCH_BUILD_NO_HOOKS=true $(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/jupyter-builder develop --overwrite . >/dev/null
	touch $@

install: $(VENV)/.installed

lab: install
	$(BIN)/jupyter lab --ServerApp.root_dir=examples $(ROOT_FLAG)

# The TypeScript API types are generated from the pydantic models; fail when they are stale.
types-check: $(VENV)/.deps node_modules/.yarn-state.yml
	PYTHONPATH=python $(PY) -m jupyterlab_xp.server.schema | node_modules/.bin/json2ts --additionalProperties false --unreachableDefinitions --bannerComment "/* Generated from python/jupyterlab_xp/server/models.py by 'jlpm build:types': do not edit. */" | node_modules/.bin/prettier --stdin-filepath src/api/types.ts | diff -u src/api/types.ts - \
	  || (echo "src/api/types.ts is stale: run 'jlpm build:types'" && exit 1)

lint: install types-check
	$(BIN)/ruff check python tests benchmarks
	$(BIN)/ruff format --check python tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/codespell python tests benchmarks src README.md
	$(BIN)/codespell docs/*.md docs/site --skip "_build,*.ipynb"  # the site: the README's former sections
	$(BIN)/vulture python/jupyterlab_xp vulture_whitelist.py --min-confidence 80
	$(JLPM) lint:check

format: install
	$(BIN)/ruff check --fix python tests benchmarks
	$(BIN)/ruff format python tests benchmarks
	$(JLPM) lint

# The team-server tests start their own PostgreSQL (Debian's package) and `mlflow server` on it.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq postgresql >/dev/null)

# A team setup to try: PostgreSQL + `mlflow server` on it (the same as the tests start).
team: install postgres
	$(PY) tests/servers.py --dir .team

# Four processes on two cores: most of a test waits on a kernel, a server or a subprocess.
# Each process starts its own PostgreSQL and MLflow server (session fixtures, own ports).
# The slowest tests are listed at the end: the suite must stay well under CI's 20 minutes.
test-python: install postgres
	$(BIN)/pytest -n 4 --durations=25

test-js: node_modules/.yarn-state.yml
	$(JLPM) test

browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null)

ui-tests/node_modules/.package-lock.json: ui-tests/package.json ui-tests/package-lock.json
	cd ui-tests && npm ci --no-audit --no-fund

test-ui: install browser ui-tests/node_modules/.package-lock.json
	cd ui-tests && PATH="$(CURDIR)/$(BIN):$$PATH" npx playwright test

test: lint test-python test-js test-ui docs

# The docs site (Sphinx + MyST + myst-nb): the example notebooks executed as tutorials, the API,
# magic, CLI and REST references generated from the code; a warning fails the build.
docs: install
	$(BIN)/sphinx-build -q -W --keep-going -b html docs/site docs/site/_build/html
	@echo "docs: docs/site/_build/html/index.html"

# The ranges in pyproject.toml at both ends (CI runs this after `make test`): a fast subset on
# the lowest and on the newest versions they allow, each in its own venv (.ci/ranges).
test-ranges: install
	# Both ends gate: the newest end's three failures of when it was added are fixed (71 of 71
	# passed on 2026-12-07, as the lowest end's did).
	bash .ci/ranges highest
	bash .ci/ranges lowest-direct

bench: install browser ui-tests/node_modules/.package-lock.json
	$(PY) benchmarks/run_all.py

# The public notebook corpus (../shared/corpus, docs/site/explanation/public-notebooks.md): each notebook promoted
# in its own folder and XP_HOME, papermill beside it; the table goes to .corpus-cache/. Takes
# CORPUS_ARGS, e.g. CORPUS_ARGS="--only Whirlwind --jobs 2" or "--reuse-baseline".
.PHONY: corpus
corpus: install
	$(PY) benchmarks/corpus.py $(CORPUS_ARGS)

# Compare's decisions under no true difference: false-positive rates and interval coverage
# with their Wilson intervals (a few minutes; SIMS=N for more draws per cell).
SIMS ?= 2000
calibrate: $(VENV)/.deps
	PYTHONPATH=python $(PY) benchmarks/calibrate.py --sims $(SIMS)

clean:
	rm -rf $(VENV) node_modules lib labextension ui-tests/node_modules ui-tests/test-results
