"""The Paycom sandbox the one-vendor deployments sync from."""

from tests.paycom.conftest import generated_pushes, paycom_sandbox  # noqa: F401 - shared fixtures
