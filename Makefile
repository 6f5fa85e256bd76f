# The README's commands. Every target creates the virtualenv when needed.
# make test runs the suite on two workers (pytest-xdist): the machines it runs on have 2 cores.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
BENCH_STAMP := $(VENV)/.bench-installed-stamp
PORT ?= 8000

.PHONY: run test lint format bench load cold-start clean wheelhouse synth deploy admin-key browser

# Per-customer stacks (infrastructure/): TENANT=<name> picks one tenant file, none means all.
INFRA := infrastructure
WHEELHOUSE := $(INFRA)/wheelhouse
WHEELHOUSE_STAMP := $(WHEELHOUSE)/.downloaded-stamp
CDK := $(INFRA)/node_modules/.bin/cdk
TENANT ?=
CDK_CONTEXT := $(if $(TENANT),-c tenant=$(TENANT))
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

run: $(STAMP)
	PORT=$(PORT) $(PY) -m devstack

test: $(STAMP) $(WHEELHOUSE_STAMP) browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -n 2

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

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

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

# The Lambda package's wheels (Linux x86_64, Python 3.11), so that `chalice package`
# inside a synth installs nothing from the internet.
$(WHEELHOUSE_STAMP): requirements.txt constraints.txt | $(STAMP)
	$(PY) -m pip download --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt \
		--only-binary=:all: --platform manylinux2014_x86_64 --python-version 3.11 \
		--implementation cp -d $(WHEELHOUSE)
	touch $@

wheelhouse: $(WHEELHOUSE_STAMP)

# The CDK command line, installed locally from the committed lock file.
$(CDK): $(INFRA)/package.json $(INFRA)/package-lock.json
	cd $(INFRA) && npm ci --no-audit --no-fund
	touch $@

synth: $(STAMP) $(WHEELHOUSE_STAMP) $(CDK)
	cd $(INFRA) && ./node_modules/.bin/cdk synth --quiet $(CDK_CONTEXT)

deploy: $(STAMP) $(WHEELHOUSE_STAMP) $(CDK)
	cd $(INFRA) && ./node_modules/.bin/cdk deploy --all $(CDK_CONTEXT)

admin-key: $(STAMP)
	test -n "$(TENANT)" || (echo "usage: make admin-key TENANT=<name>" >&2; exit 2)
	$(PY) -m infrastructure.admin_key $(TENANT)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis chalice.out
	rm -rf $(WHEELHOUSE) $(INFRA)/cdk.out $(INFRA)/node_modules
