# The README's commands. Every target creates the virtualenv when needed.
# make test runs the suite on two workers (pytest-xdist): the machines it runs on have 2 cores.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
BENCH_STAMP := $(VENV)/.bench-installed-stamp
PORT ?= 8000

.PHONY: run test test-target lint format bench load cold-start clean wheelhouse node synth deploy admin-key browser

# Per-customer stacks (infrastructure/): TENANT=<name> picks one tenant file, none means all.
INFRA := infrastructure
WHEELHOUSE := $(INFRA)/wheelhouse
WHEELHOUSE_STAMP := $(WHEELHOUSE)/.downloaded-stamp
CDK := $(INFRA)/node_modules/.bin/cdk
# The Node.js LTS that infrastructure/package.json pins: the CDK command line and jsii (which
# aws-cdk-lib runs under Python) find it first on PATH, not whatever Node the machine has.
NODE_BIN := $(abspath $(INFRA)/node_modules/.bin)
WITH_NODE := PATH="$(NODE_BIN):$$PATH"
TENANT ?=
CDK_CONTEXT := $(if $(TENANT),-c tenant=$(TENANT))

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

run: $(STAMP)
	PORT=$(PORT) $(PY) -m devstack

test: $(STAMP) $(WHEELHOUSE_STAMP) $(CDK) browser
	$(MAKE) --no-print-directory lint
	$(WITH_NODE) $(PY) -m pytest -n 2
	$(MAKE) --no-print-directory test-target

# The domain and service tiers again, under the Lambda runtime's Python (infrastructure/runtime.py)
# in a virtualenv of its own, where this machine has that interpreter: on PATH as pythonX.Y, or
# installed by pyenv. Without one it says so and skips; the 3.11 run above still ran everything.
TARGET_VENV := .venv-target
TARGET_TIERS := tests/unit tests/service
TARGET_VERSION = $(shell $(PY) -c 'from infrastructure.runtime import PYTHON_VERSION; print(PYTHON_VERSION)')

test-target: $(STAMP)
	@version="$(TARGET_VERSION)"; found=""; \
	for candidate in "python$$version" $$HOME/.pyenv/versions/$$version*/bin/python$$version; do \
		if "$$candidate" -c "import sys; sys.exit(f'{sys.version_info[0]}.{sys.version_info[1]}' != '$$version')" 2>/dev/null; then \
			found="$$candidate"; break; \
		fi; \
	done; \
	if [ -z "$$found" ]; then \
		echo "make test: SKIPPED the domain and service tiers on Python $$version, the Lambda runtime: no python$$version on this machine."; \
		exit 0; \
	fi; \
	tiers="$$(for tier in $(TARGET_TIERS); do [ -d "$$tier" ] && printf '%s ' "$$tier"; done)"; \
	echo "make test: the domain and service tiers ($$tiers) on $$("$$found" --version), the Lambda runtime's Python"; \
	set -e; \
	test -x $(TARGET_VENV)/bin/python || "$$found" -m venv $(TARGET_VENV); \
	$(TARGET_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r requirements.txt -c constraints.txt chalice hypothesis pytest pytest-xdist; \
	$(TARGET_VENV)/bin/python -m pytest -n 2 -p no:cacheprovider $$tiers

# pyproject.toml's target-version is 3.11, the oldest Python the code runs on (development);
# pyupgrade's rules also run for the Lambda runtime's 3.13, except the ones that would write
# type-parameter syntax (PEP 695, PEP 696) that Python 3.11 cannot read.
RUFF_TARGET_CHECK := $(VENV)/bin/ruff check --target-version py313 --select UP \
	--ignore UP040,UP043,UP046,UP047,UP049 .

# The browser tests (tests/browser/) drive Debian's Chromium through Playwright, which never
# downloads a browser of its own. Installed once, as root; a missing browser fails the tests.
CHROMIUM := /usr/bin/chromium

browser:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else \
			echo "The browser tests need $(CHROMIUM): run 'sudo apt-get install -y chromium' once." >&2; \
			exit 1; \
		fi; \
	fi

# ruff, the type checker (mypy, [tool.mypy] in pyproject.toml: chalicelib/, app.py, devstack/,
# infrastructure/; incremental through .mypy_cache/) and the layer contracts of
# docs/architecture.md (import-linter, [tool.importlinter]). make test runs these first, so CI
# enforces them.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(RUFF_TARGET_CHECK)
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The calendar benchmark's reference libraries (pandas, businesstimedelta) are
# installed here only, never by make test or make run.
$(BENCH_STAMP): requirements-bench.txt $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt -c constraints.txt
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(PY) -m bench.calendar

# The bounded load test and the cold-start measure of bench/README.md.
load: $(STAMP)
	$(PY) -m bench.load

cold-start: $(STAMP)
	$(PY) -m bench.cold_start

# The Lambda package's wheels for the runtime and architecture of infrastructure/runtime.py
# (wheels only: a dependency without one fails here), so that the package built inside a
# synth installs nothing from the internet.
$(WHEELHOUSE_STAMP): requirements.txt constraints.txt $(INFRA)/runtime.py | $(STAMP)
	$(PY) -m infrastructure.wheelhouse
	touch $@

wheelhouse: $(WHEELHOUSE_STAMP)

# The CDK command line and its Node.js LTS, installed locally from the committed lock file
# (npm needs some Node to run; the pinned one then runs everything of the CDK's).
$(CDK): $(INFRA)/package.json $(INFRA)/package-lock.json
	@command -v npm >/dev/null || { echo "make synth/deploy need npm (with any Node.js) to install the pinned Node.js LTS: install Node.js first." >&2; exit 1; }
	cd $(INFRA) && npm ci --no-audit --no-fund
	$(NODE_BIN)/node -e 'const m = +process.versions.node.split(".")[0]; if (m < 22 || m % 2) { console.error("infrastructure/package.json must pin a maintained Node.js LTS (22, 24, ...), not " + process.version); process.exit(1); }'
	touch $@

node: $(CDK)

synth: $(STAMP) $(WHEELHOUSE_STAMP) $(CDK)
	cd $(INFRA) && $(WITH_NODE) ./node_modules/.bin/cdk synth --quiet $(CDK_CONTEXT)

deploy: $(STAMP) $(WHEELHOUSE_STAMP) $(CDK)
	cd $(INFRA) && $(WITH_NODE) ./node_modules/.bin/cdk deploy --all $(CDK_CONTEXT)

admin-key: $(STAMP)
	test -n "$(TENANT)" || (echo "usage: make admin-key TENANT=<name>" >&2; exit 2)
	$(PY) -m infrastructure.admin_key $(TENANT)

clean:
	rm -rf $(VENV) $(TARGET_VENV) .pytest_cache .ruff_cache .hypothesis chalice.out
	rm -rf $(WHEELHOUSE) $(INFRA)/cdk.out $(INFRA)/node_modules
