"""A command's run of a job: through the instance, quiet unless ``--verbose``, and one line when it fails."""

from collections.abc import Sequence
from typing import Any

import click

from hr_assets.defs.alerts.resources import NotifyResource
from hr_assets.lib.integration import IntegrationResource, NotConfigured
from hr_assets.lib.runs import RunOutcome, run_partition

DEFAULT_UI = "http://127.0.0.1:3000"


def verbose() -> bool:
    """``hr-assets --verbose``: the runs' events and the tracebacks are printed too."""
    return bool((click.get_current_context().find_root().obj or {}).get("verbose"))


def ui_url() -> str:
    """The web UI people open (HR_DAGSTER_URL), for links to runs."""
    return NotifyResource.for_command().hr_dagster_url or DEFAULT_UI


def check_integrations(*integrations: type[IntegrationResource]) -> None:
    """Before a run starts: ``NotConfigured`` naming every missing or malformed setting of those it needs."""
    problems = [problem for integration in integrations if (problem := integration.for_command().problem())]
    if problems:
        raise NotConfigured("; ".join(problems))


def integrations_of(asset_names: Sequence[str]) -> list[type[IntegrationResource]]:
    """The integrations the assets use, as their definitions say."""
    from hr_assets.definitions import defs

    definitions = defs()
    keys = set().union(*(definitions.resolve_assets_def(name).required_resource_keys for name in asset_names))
    return [type(r) for key, r in definitions.resources.items() if key in keys and isinstance(r, IntegrationResource)]


def run_job(job_name: str, partition_key: str, **options: Any) -> RunOutcome:
    """``run_partition``'s outcome (``options`` are its own); ``RunFailed`` (one line: why, the run id, where its
    logs are) when it failed."""
    outcome = run_partition(job_name, partition_key, show_events=verbose(), **options)
    outcome.raise_if_failed(ui_url())
    return outcome


ASYNC_OPTION = click.option(
    "--async",
    "in_background",
    is_flag=True,
    help="Queue the run through the webserver for the daemon and return at once, printing its id and link.",
)
