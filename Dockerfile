# The hr_assets image: one image for the code server (its default command), the web UI, the daemon and every run
# DockerRunLauncher starts. How to build and run it: docs/deployment.md (the container deployment).
#
#   docker build -t hr-assets .
#   docker build --secret id=ca_bundle,src=/etc/ssl/certs/ca-certificates.crt -t hr-assets .  # behind a TLS proxy
#
# No `# syntax=` line: the Dockerfile frontend built into the Docker daemon reads it, so no registry is needed.
ARG BASE=python:3.11-slim-bookworm

# Python 3.11 on Debian bookworm. The official image has it; a plain bookworm (debootstrap) gets Debian's python3.11.
FROM ${BASE} AS python
RUN if ! python3.11 -c "import ensurepip, venv" 2>/dev/null; then \
        apt-get update \
        && DEBIAN_FRONTEND=noninteractive apt-get install --yes --no-install-recommends python3.11 python3.11-venv \
        && rm -rf /var/lib/apt/lists/*; \
    fi

# The virtualenv: the product's pins (requirements.lock, no test tools), then the product's wheel. The CA bundle of a
# TLS-inspecting proxy comes in as a build secret, mounted for the pip commands only: no layer keeps it.
FROM python AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
RUN python3.11 -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN --mount=type=secret,id=ca_bundle \
    if [ -s /run/secrets/ca_bundle ]; then export PIP_CERT=/run/secrets/ca_bundle; fi \
    && /opt/venv/bin/pip install --no-deps --requirement /tmp/requirements.lock
COPY pyproject.toml /src/pyproject.toml
COPY hr_assets /src/hr_assets
RUN --mount=type=secret,id=ca_bundle \
    if [ -s /run/secrets/ca_bundle ]; then export PIP_CERT=/run/secrets/ca_bundle; fi \
    && /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels /src
RUN /opt/venv/bin/pip install --no-deps /wheels/hr_assets-*.whl && /opt/venv/bin/pip check

# The image: the virtualenv and a user of its own; DAGSTER_HOME is the same writable path in every container.
FROM python
RUN groupadd --gid 10001 hr_assets \
    && useradd --uid 10001 --gid 10001 --home-dir /opt/dagster --shell /usr/sbin/nologin hr_assets \
    && mkdir -p /opt/dagster/home \
    && chown -R hr_assets:hr_assets /opt/dagster
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH DAGSTER_HOME=/opt/dagster/home PYTHONUNBUFFERED=1
USER hr_assets
WORKDIR /opt/dagster
# The code server, on all interfaces: the web UI and the daemon reach it at <this container>:4000.
EXPOSE 4000
CMD ["dagster", "api", "grpc", "--host", "0.0.0.0", "--port", "4000", "--module-name", "hr_assets.definitions"]
