# Online Sanmenxia (线上三门峡) — the front door. `make help` lists every target.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LINT_VENV := .venv-lint
LINT_STAMP := $(LINT_VENV)/.installed
PORT ?= 3000
STAGE ?= dev
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help venv lock run test test-unit test-integration test-e2e lint bench package deploy web clean openapi fuzz load vocabulary

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

# Installed from the lock files, hashes required (`make lock` re-resolves them; docs/developing.md).
$(STAMP): requirements-dev.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r requirements-dev.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

venv: $(STAMP) ## Create the virtualenv with everything the stack and the tests need

lock: venv ## Re-resolve every lock file with hashes after editing a requirements*.txt (infra/lock.py)
	$(PY) -m infra.lock

web: ## Build the web app (web/dist) when it has a package.json
	@if [ -f web/package.json ]; then cd web && (test -d node_modules || npm ci --no-audit --no-fund) && npm run build; fi

run: venv web ## Start the whole platform locally: moto, API + web on http://127.0.0.1:3000 (PORT=), demo data
	PORT=$(PORT) $(PY) -m infra.local.stack

$(LINT_STAMP): requirements-lint.lock
	test -x $(LINT_VENV)/bin/python || $(PYTHON) -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/python -m pip install -q --require-hashes -r requirements-lint.lock
	touch $(LINT_STAMP)

# Skipped checks and why: docs/decisions/0004-lint-gates.md (.cfnlintrc.yaml and .checkov.yaml list the ids).
lint: venv $(LINT_STAMP) ## ruff, mypy, cfn-lint + serverless rules and checkov (the template as deployed)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m infra.local.template .local/lint/template.json >/dev/null
	$(VENV)/bin/cfn-lint
	$(LINT_VENV)/bin/checkov --config-file .checkov.yaml

# Changed a route or a model? Run `make openapi` and commit openapi.json (tests/test_openapi.py fails when they differ).
vocabulary: venv ## Regenerate web/src/vocabulary.json (the app's lists of codes) from sanmenxia.vocabulary
	$(PY) -m infra.vocabulary

openapi: venv ## Regenerate the committed openapi.json from the handlers' code (merge fails on a schema-name conflict)
	$(PY) -m infra.openapi

test-unit: venv ## Pure tests, no AWS
	$(VENV)/bin/pytest tests/unit -q

test-integration: venv ## Handlers on moto (mock_aws), tables from template.yaml
	$(VENV)/bin/pytest tests/integration -q

test-e2e: venv web ## The local stack over HTTP (and the web app in headless Chromium)
	$(VENV)/bin/pytest tests/e2e -q

test: lint web ## Everything: lint, cfn-lint, unit, integration, e2e
	$(VENV)/bin/pytest tests -q

fuzz: venv web ## Longer schema-based fuzzing of the local stack (FUZZ_EXAMPLES=25 per mode and caller, random seed)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-25} FUZZ_RANDOM=1 $(VENV)/bin/pytest tests/e2e/test_zzz_fuzz.py -q -s

load: venv web ## Load test of the local stack that reconciles exactly (LOAD_PER_KIND=500 of each kind from LOAD_CLIENTS=20)
	E2E_DEMO=$${E2E_DEMO:-accounts} LOAD_PER_KIND=$${LOAD_PER_KIND:-500} LOAD_CLIENTS=$${LOAD_CLIENTS:-20} $(VENV)/bin/pytest tests/e2e/test_zzy_load.py -q -s --timeout=3600

bench: venv ## Benchmarks (not tests): counts and ratios measured in one run
	@failed=""; for bench in infra/bench/bench_*.py; do echo "== $$bench"; $(PY) -m $$(echo $${bench%.py} | tr / .) || failed="$$failed $$bench"; done; \
	if [ -n "$$failed" ]; then echo "failed:$$failed"; exit 1; fi

package: venv ## Build deployable artifacts in .build/ without Docker (cross-installed wheels)
	$(PY) -m infra.package

deploy: package web ## Deploy the edge WAF (us-east-1), then sam deploy, then the Athena views and the web app: make deploy STAGE=dev|prod
	test -x .venv-sam/bin/python || $(PYTHON) -m venv .venv-sam
	.venv-sam/bin/python -m pip install -q --require-hashes -r requirements-sam.lock
	overrides="$$($(PY) -m infra.deploy_edge --stage $(STAGE))" && \
	  .venv-sam/bin/sam deploy --template-file .build/template.json --config-env $(STAGE) --parameter-overrides "$$overrides"
	$(PY) -m infra.athena.apply --stage $(STAGE)
	$(PY) -m infra.deploy_web --stage $(STAGE)

clean: ## Remove build output and local state
	rm -rf .build .local web/dist
