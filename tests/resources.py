"""The integrations' resources as a test binds them: from the values a sandbox serves, not the environment."""

from collections.abc import Mapping
from typing import Any, TypeVar

import dagster as dg

from hr_assets.definitions import defs
from hr_assets.lib.integration import IntegrationResource

R = TypeVar("R", bound=IntegrationResource)


def resource_from(integration: type[R], environment: Mapping[str, str], **overrides: Any) -> R:
    """The resource with each of its settings that ``environment`` names, as the platform's environment would
    give it; ``overrides`` set what the environment does not (short retry waits, say)."""
    values = {
        field: environment[integration.env_name(field)]
        for field in integration.model_fields
        if integration.env_name(field) in environment
    }
    return integration(**values, **overrides)


def definitions_with(**resources: Any) -> dg.Definitions:
    """The code location with these resources bound instead of its own, as another deployment binds them."""
    definitions = defs()
    return dg.Definitions(
        assets=definitions.assets,
        asset_checks=definitions.asset_checks,
        schedules=definitions.schedules,
        sensors=definitions.sensors,
        jobs=definitions.jobs,
        resources={**(definitions.resources or {}), **resources},
        executor=definitions.executor,
        loggers=definitions.loggers,
    )
