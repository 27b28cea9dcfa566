# The two commands a fresh machine needs: `make dev` (the platform on the sandbox) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/dagster_home

# The browser tests drive Debian's Chromium through Playwright's Python package (pinned in requirements.lock);
# Playwright's own browser downloads are not used.
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: dev test install bench browser

# Reinstall whenever the pinned set or the project's metadata changes.
$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

install: $(VENV)/.installed

dev: install
	$(BIN)/hr-assets dev

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends chromium

browser: $(CHROMIUM)

test: install browser
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/paycom_ingest.py
