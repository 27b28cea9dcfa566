"""A command's run of a job: queued through the webserver as the UI does and waited for, or with ``--in-process``
run in the command's own process; either way recorded in the instance, quiet unless ``--verbose``, and one line when
it fails."""

import datetime as dt
import logging
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import click
import dagster as dg

from hr_assets.cli import EXIT_INTERRUPTED
from hr_assets.defs.alerts.resources import NotifyResource
from hr_assets.lib.clock import Clock
from hr_assets.lib.integration import IntegrationResource, NotConfigured
from hr_assets.lib.runs import CheckRemedy, RunOutcome, run_partition, the_instance, wait_for_run
from hr_assets.lib.webserver import RUN_QUEUE, WebserverError, check_serves, daemon_stopped, submit_run

DEFAULT_UI = "http://127.0.0.1:3000"
_RUN_FLAGS = "hr_assets.run_flags"  # in the context's meta: which of --async and --in-process was given


def verbose() -> bool:
    """``hr-assets --verbose``: the runs' events and the tracebacks are printed too."""
    return bool((click.get_current_context().find_root().obj or {}).get("verbose"))


def in_process() -> bool:
    """``--in-process``: the command runs its job in its own process, not through the run queue."""
    return "in_process" in click.get_current_context().meta.get(_RUN_FLAGS, ())


def _one_way(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    """``--async`` and ``--in-process``: a command takes one or neither."""
    if value:
        given = ctx.meta.setdefault(_RUN_FLAGS, set())
        given.add(param.name)
        if len(given) > 1:
            raise click.UsageError("give --async or --in-process, not both")
    return value


ASYNC_OPTION = click.option(
    "--async",
    "in_background",
    is_flag=True,
    callback=_one_way,
    help="Queue the run through the webserver and return at once, printing its id and link.",
)
IN_PROCESS_OPTION = click.option(
    "--in-process",
    "in_process",
    is_flag=True,
    callback=_one_way,
    expose_value=False,
    help="Run the job in this process instead of through the run queue (no webserver or daemon needed).",
)


def ui_url() -> str:
    """The web UI people open (HR_DAGSTER_URL), for links to runs; the webserver commands queue runs through."""
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
    return [
        type(r)
        for key, r in (definitions.resources or {}).items()
        if key in keys and isinstance(r, IntegrationResource)
    ]


def check_webserver(url: str, daemon: str) -> None:
    """Before queuing through the webserver at ``url``: it serves DAGSTER_HOME's instance and a daemon runs ``daemon``
    for it (``check_serves``), else the one line, which says --in-process needs neither."""
    with the_instance() as instance:
        try:
            check_serves(url, instance, daemon, Clock().now())
        except WebserverError as exc:
            raise WebserverError(f"{exc}, or run the command with --in-process") from None


def queue_job(
    job_name: str,
    partition_key: str,
    run_config: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    last_partition_key: str | None = None,
) -> str:
    """Queue a run of the job through the webserver at HR_DAGSTER_URL, as the UI does, once it is known to serve
    DAGSTER_HOME's instance with a daemon to dequeue it; the run's id."""
    url = ui_url()
    check_webserver(url, RUN_QUEUE)
    return submit_run(
        url,
        job_name,
        partition_key=partition_key,
        run_config=run_config or {},
        launched_by="cli",
        last_partition_key=last_partition_key,
        tags=tags,
    )


def run_job(
    job_name: str, partition_key: str, remedies: Mapping[str, CheckRemedy] | None = None, **options: Any
) -> RunOutcome:
    """The run's outcome once it has ended: queued and waited for (``options`` are ``queue_job``'s), or with
    ``--in-process`` run here (``options`` are ``run_partition``'s); ``RunFailed`` when it failed (one line: why,
    the run id, where its logs are; for each blocking check that failed, what it found and what to do, by
    ``remedies``: the command's ``CheckRemedy`` of each blocking check its job runs)."""
    outcome = job_outcome(job_name, partition_key, **options)
    outcome.raise_if_failed(ui_url(), remedies)
    return outcome


def job_outcome(job_name: str, partition_key: str, **options: Any) -> RunOutcome:
    """``run_job``'s outcome, failed or not: for a command that shows what a failed run did before its error."""
    if in_process():
        return run_partition(job_name, partition_key, show_events=verbose(), **options)
    return _wait(queue_job(job_name, partition_key, **options))


def _wait(run_id: str) -> RunOutcome:
    """Wait for the run however long it takes; Ctrl-C stops the waiting, not the run, and says so in one line."""
    link = f"{ui_url().rstrip('/')}/runs/{run_id}"
    if sys.stderr.isatty():
        click.echo(f"Run {run_id} queued; waiting for it (Ctrl-C stops the waiting, not the run): {link}", err=True)

    def still_queued(instance: dg.DagsterInstance) -> None:
        if problem := daemon_stopped(instance, RUN_QUEUE, Clock().now()):
            raise WebserverError(f"run {run_id} is still queued: {problem}")

    try:
        return wait_for_run(run_id, on_event=_print_event if verbose() else None, still_queued=still_queued)
    except KeyboardInterrupt:
        click.echo(f"Stopped waiting; run {run_id} goes on: {link}", err=True)
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


def _print_event(entry: dg.EventLogEntry) -> None:
    """One of the run's events, as Dagster's console logger prints it."""
    when = dt.datetime.fromtimestamp(entry.timestamp, dt.UTC)
    kind = entry.dagster_event.event_type_value if entry.dagster_event else logging.getLevelName(entry.level)
    click.echo(f"{when:%Y-%m-%d %H:%M:%S %z} - {entry.job_name} - {entry.run_id} - {entry.step_key or '-'} - {kind}")
    click.echo(f"    {entry.message}")
