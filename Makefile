# The two commands a fresh clone needs:
#   make validate   create the venv, install the pinned tools, validate the whole repo
#   make test       the same set-up, then the test suite
# `make help` lists every target: give each a `## what it does` comment on its rule line.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
# CRD schemas come from schemas/crds/ (carried in the repo); MARTY_CRD_SCHEMA_LOCATION, when set,
# adds locations searched before it. `make refresh-crd-schemas CRD_CATALOG=dir` recopies them.
CRD_CATALOG ?= ../shared/crd-schemas
CRD_CATALOG_SOURCE ?= datreeio/CRDs-catalog@7b1e26ef
PYTEST_WORKERS ?= 2

.PHONY: help validate test bootstrap bootstrap-server bootstrap-test venv bench generate refresh-crd-schemas lock lint clean dev dev-down
.DEFAULT_GOAL := help

help: ## List the targets, one line each, from the comment on each rule line
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | \
		awk 'BEGIN {FS = ":.*## "} {printf "  make %-20s %s\n", $$1, $$2}'

# The venv is (re)installed when the content of pyproject.toml or of the hashed lock changes, not
# their modification time: a checkout or a fresh clone touches the files without changing what
# they pin. The stamp's name carries both checksums.
VENV_STAMP := $(VENV)/.installed-$(firstword $(shell cksum < pyproject.toml))-$(firstword $(shell cksum < requirements/tooling.lock))

# Exactly the packages of the hashed lock (requirements/tooling.lock, `make lock`; it holds every
# dependency, so --no-deps), then the repo's own package: pip refuses any file whose hash the lock
# does not name, and `pip check` that the lock is complete.
$(VENV_STAMP):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements/tooling.lock
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -e .
	$(VENV)/bin/pip check --disable-pip-version-check
	rm -f $(VENV)/.installed*
	touch $@

venv: $(VENV_STAMP) ## Create .venv and install the pinned Python dependencies

# Tools are built in stages (tools.toml `stage`): `make validate` waits only for its own.
bootstrap: venv ## Set up: .venv, the pinned tools validate runs in .tools/bin, the schema cache
	$(VENV)/bin/python -m marty_platform bootstrap

bootstrap-server: venv ## Also build the hermetic API server's tools (kube-apiserver, etcd, kubectl)
	$(VENV)/bin/python -m marty_platform bootstrap --stage server

bootstrap-test: venv ## Build every pinned tool, the ones only the tests use included
	$(VENV)/bin/python -m marty_platform bootstrap --stage test

validate: bootstrap ## Validate the whole repo (scripts/validate)
	scripts/validate

test: bootstrap-test ## Run the test suite (PYTEST_WORKERS workers, extra PYTEST_ARGS)
	$(VENV)/bin/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

generate: bootstrap ## Rewrite every generated file from its source (scripts/generate)
	scripts/generate

refresh-crd-schemas: bootstrap ## Recopy the CRD schemas of schemas/crds/ from CRD_CATALOG
	scripts/refresh-crd-schemas --from $(CRD_CATALOG) --source $(CRD_CATALOG_SOURCE)

# A local API server (etcd + kube-apiserver on loopback) with the dev env applied to it.
DEV_DIR ?= .cache/dev-cluster

dev: bootstrap-server ## Start a local API server (etcd + kube-apiserver) with the dev env applied
	scripts/cluster up --dir $(DEV_DIR) --env dev
	scripts/cluster apply --dir $(DEV_DIR) --env dev
	@echo "export KUBECONFIG=$(abspath $(DEV_DIR))/kubeconfig   # then: .tools/bin/kubectl get deploy -A"
	@echo "stop it with: make dev-down"

dev-down: venv ## Stop the local API server that make dev started
	scripts/cluster down --dir $(DEV_DIR)

lock: venv ## Recompile requirements/*.lock, the hashed pins of pyproject.toml and tools.toml (needs the package index)
	scripts/lock

lint: venv ## Lint the Python code (ruff)
	$(VENV)/bin/python -m ruff check scripts tests bench

bench: bootstrap ## Print every performance figure against its target (BENCH_ARGS=--quick: small sizes)
	$(VENV)/bin/python bench/bench.py $(BENCH_ARGS)

clean: ## Remove the caches (.cache, .pytest_cache)
	rm -rf .cache .pytest_cache
