# The two commands a fresh machine needs: `make dev` (the platform on the sandbox) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/dagster_home

.PHONY: dev test install bench

# Reinstall whenever the pinned set or the project's metadata changes.
$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

install: $(VENV)/.installed

dev: install
	$(BIN)/hr-assets dev

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/paycom_ingest.py
