"""Who launched a run and how an audit entry names it, for the jobs people launch by hand from the UI."""

import dagster as dg

LAUNCHED_BY_TAG = "hr_assets/launched_by"  # set by the command line and the API (lib/webserver.py)
USER_TAG = "user"  # Dagster+ names the person who launched a run from the UI here


def actor(run: dg.DagsterRun) -> str:
    """Who launched the run, for the audit log: the command line or API that asked, or the UI's user."""
    return run.tags.get(LAUNCHED_BY_TAG) or run.tags.get(USER_TAG) or "dagster-ui"


def command(context: dg.OpExecutionContext) -> str:
    """The audit log's ``command`` of a change a run made: its job and run id."""
    return f"{context.job_name} run {context.run_id}"
