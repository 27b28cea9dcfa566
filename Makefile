# The two commands a fresh machine needs: `make dev` (the platform on the sandbox) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/dagster_home

# The browser tests drive Debian's Chromium through Playwright's Python package (pinned in requirements-test.lock);
# Playwright's own browser downloads are not used. Debian's faketime moves the clock for test-shifted-clock.
CHROMIUM := /usr/bin/chromium
FAKETIME := /usr/bin/faketime
# The container tests (tests/containers) start a Docker daemon of their own (Debian's docker.io) and make their base
# image with debootstrap. (Where apt starts services, installing docker.io also starts Debian's own daemon: the tests
# leave it alone.)
DOCKERD := /usr/sbin/dockerd
DEBOOTSTRAP := /usr/sbin/debootstrap
# The host test (tests/hosts) makes its hosts as network namespaces (iproute2's ip), mounts each host's own disk and
# /tmp (mount), and runs a PostgreSQL cluster of its own from the server's binaries as user postgres (setpriv, from
# util-linux); so do the container tests, for their cluster. Both run as root, and fail when a part is missing.
IPROUTE := /bin/ip
MOUNT := /bin/mount
SETPRIV := /usr/bin/setpriv
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
# The tests whose code decides by the time (due rules, leases, retries, "skip when recent", retention, freshness,
# schedules and sensors), run again with the clock moved a year and more ahead: a test that would break next year
# breaks today.
TIME_DEPENDENT_TESTS := tests/unit tests/payroll tests/bayzat tests/attendance tests/alerts tests/lib/test_http.py \
	tests/paycom/test_schedule.py tests/revenue/test_schedules.py tests/test_freshness.py
CLOCK_SHIFT ?= +400d

# Two workers (the machine's two cores; most tests wait on servers and subprocesses); the browser tests share one
# running platform, so they stay in one worker (xdist_group).
PYTEST := $(BIN)/python -m pytest -n 2 --dist loadgroup

.PHONY: dev test test-fast test-unit test-shifted-clock install bench browser containers hosts postgresql-server docs lint

# Reinstall whenever the pinned set or the project's metadata changes: the product's pins and the test tools'.
$(VENV)/.installed: requirements.lock requirements-test.lock pyproject.toml sandbox/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e . -e sandbox
	touch $@

install: $(VENV)/.installed

dev: install
	$(BIN)/hr-sandbox dev

# docs/configuration.md's reference tables, from the settings models (tests/test_docs.py fails while they differ).
docs: install
	$(BIN)/python -m hr_assets.config_reference

$(CHROMIUM) $(FAKETIME):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends chromium faketime

browser: $(CHROMIUM) $(FAKETIME)

$(DOCKERD) $(DEBOOTSTRAP):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends docker.io debootstrap

containers: $(DOCKERD) $(DEBOOTSTRAP) postgresql-server

$(IPROUTE) $(MOUNT) $(SETPRIV):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends iproute2 mount util-linux

# Debian's server package, whichever major version the release has (its binaries under /usr/lib/postgresql/N/bin).
postgresql-server:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends postgresql; }

hosts: $(IPROUTE) $(MOUNT) $(SETPRIV) postgresql-server

# ruff's rules and its formatting over the whole repository (the rules are pyproject.toml's [tool.ruff]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install browser containers hosts
	$(PYTEST)

# Before each commit: the unit tier and every other test that runs in this process with no twin (no vendor twin, no
# web UI and daemon, no command or bench in a process of its own), on SQLite; CI runs them all
# (docs/development.md#tests).
FAST := not slow and not twins and not platform and not commands and not containers and not hosts and not bench
test-fast: install
	$(PYTEST) -m "$(FAST)" -k "not postgresql"

# The unit tier alone: asset, sensor and schedule bodies run directly (tests/unit).
test-unit: install
	$(PYTEST) tests/unit

test-shifted-clock: install browser
	$(FAKETIME) -f $(CLOCK_SHIFT) $(PYTEST) $(TIME_DEPENDENT_TESTS)

# mypy, strict, on the product's code ([tool.mypy] in pyproject.toml).
.PHONY: typecheck
typecheck: install
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/paycom_ingest.py
