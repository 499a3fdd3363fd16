# The two commands a fresh clone needs:
#   make validate   create the venv, install the pinned tools, validate the whole repo
#   make test       the same set-up, then the test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
# CRD schemas come from schemas/crds/ (carried in the repo); MARTY_CRD_SCHEMA_LOCATION, when set,
# adds locations searched before it. `make refresh-crd-schemas CRD_CATALOG=dir` recopies them.
CRD_CATALOG ?= ../shared/crd-schemas
CRD_CATALOG_SOURCE ?= datreeio/CRDs-catalog@7b1e26ef
PYTEST_WORKERS ?= 2

.PHONY: validate test bootstrap venv bench generate refresh-crd-schemas lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[test,scan]'
	touch $@

venv: $(VENV)/.installed

bootstrap: venv
	$(VENV)/bin/python -m marty_platform bootstrap

validate: bootstrap
	scripts/validate

test: bootstrap
	$(VENV)/bin/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

generate: bootstrap
	scripts/generate

refresh-crd-schemas: bootstrap
	scripts/refresh-crd-schemas --from $(CRD_CATALOG) --source $(CRD_CATALOG_SOURCE)

lint: venv
	$(VENV)/bin/python -m ruff check scripts tests bench

bench: bootstrap
	$(VENV)/bin/python bench/bench.py
	$(VENV)/bin/python bench/diff_bench.py

clean:
	rm -rf .cache .pytest_cache
