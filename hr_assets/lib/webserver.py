"""Asking the running Dagster webserver to launch an asset backfill or a run (its GraphQL API, as the UI does).

A backfill or run launched this way is run by the daemon's queue, within its limits, with the daemon's retries and
run launcher, and shows in the UI exactly like one started there. Before asking, a command or the API checks that
the webserver serves the instance at ``DAGSTER_HOME`` and that its daemon runs (``check_serves``).
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
import httpx
from dagster_graphql import DagsterGraphQLClient, DagsterGraphQLClientError

from hr_assets.defs.shared.partitions import partition_tags
from hr_assets.lib.errors import OperatorError
from hr_assets.settings import dagster_home

CODE_LOCATION = "hr_assets"  # pyproject.toml [tool.dg.project]

LAUNCH_BACKFILL = """
mutation LaunchBackfill($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on Error { message }
  }
}
"""


DAEMON_HEALTH = "query { instance { daemonHealth { allDaemonStatuses { daemonType lastHeartbeatTime } } } }"

# The daemons a run or a backfill waits for (Dagster's daemon types), as a person reads them.
RUN_QUEUE, BACKFILLS = "QUEUED_RUN_COORDINATOR", "BACKFILL"
_DAEMONS = {RUN_QUEUE: "the run queue", BACKFILLS: "backfills"}
# A live daemon stores a heartbeat every 30 s; one older than this is a daemon that stopped.
HEARTBEAT_TOLERANCE_S = 180


class WebserverError(OperatorError):
    """The webserver could not be reached, serves another instance, has no daemon, or refused; the message says
    which."""


def _graphql(url: str, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The answer's ``data``; the one line when the webserver does not answer or answers with errors."""
    try:
        response = httpx.post(
            f"{url.rstrip('/')}/graphql", json={"query": query, "variables": dict(variables or {})}, timeout=60
        )
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise WebserverError(
            f"the Dagster webserver at {url} did not answer ({type(exc).__name__}); start it (make dev)"
        ) from None
    body = response.json()
    if body.get("errors"):
        raise WebserverError(f"the webserver at {url} refused: {body['errors'][0].get('message')}")
    data: dict[str, Any] = body["data"]
    return data


def _webserver_heartbeats(url: str) -> dict[str, float]:
    statuses = _graphql(url, DAEMON_HEALTH)["instance"]["daemonHealth"]["allDaemonStatuses"]
    return {status["daemonType"]: status["lastHeartbeatTime"] for status in statuses if status["lastHeartbeatTime"]}


def _heartbeats(instance: dg.DagsterInstance) -> dict[str, float]:
    return {daemon: heartbeat.timestamp for daemon, heartbeat in instance.get_daemon_heartbeats().items()}


def check_serves(url: str, instance: dg.DagsterInstance, daemon: str, now: dt.datetime) -> None:
    """Refuse in one line unless the webserver at ``url`` serves ``instance`` and a daemon runs ``daemon``
    (``RUN_QUEUE`` or ``BACKFILLS``) for it, as of ``now``.

    The proof is the daemon heartbeats, which only the instance's own run storage holds, whichever host reads it:
    the webserver must report a heartbeat time the instance has, to the microsecond. A heartbeat can land between
    the two reads, so the webserver is asked again before its answer counts as another instance's. An instance no
    daemon ever ran for has nothing to compare, and nothing would run what it queued: both are refused."""
    remote, local = _webserver_heartbeats(url), _heartbeats(instance)
    if not _share_one(remote, local):
        remote = _webserver_heartbeats(url)
    if not _share_one(remote, local):
        if not remote and not local:
            raise WebserverError(_no_daemon(daemon, None, now))
        raise WebserverError(
            f"the webserver at {url} serves another Dagster instance than DAGSTER_HOME={dagster_home()}; "
            "set HR_DAGSTER_URL to this instance's webserver"
        )
    if problem := daemon_stopped(instance, daemon, now):
        raise WebserverError(problem)


def daemon_stopped(instance: dg.DagsterInstance, daemon: str, now: dt.datetime) -> str | None:
    """The one line saying no daemon runs ``daemon`` for the instance, when it needs one and none does (no
    heartbeat in ``HEARTBEAT_TOLERANCE_S``); else None."""
    heartbeat = instance.get_daemon_heartbeats().get(daemon)
    last = heartbeat.timestamp if heartbeat is not None else None
    if last is not None and now.timestamp() - last <= HEARTBEAT_TOLERANCE_S:
        return None
    return _no_daemon(daemon, last, now) if daemon in instance.get_required_daemon_types() else None


def _no_daemon(daemon: str, last: float | None, now: dt.datetime) -> str:
    when = "never ran" if last is None else f"last ran {(now.timestamp() - last) / 60:.0f} minutes ago"
    return (
        f"no Dagster daemon is running for DAGSTER_HOME={dagster_home()} ({_DAEMONS[daemon]} {when}), so what "
        "is queued waits for ever; start it (make dev, or dagster-daemon run)"
    )


def _share_one(remote: Mapping[str, float], local: Mapping[str, float]) -> bool:
    return any(local.get(daemon) == timestamp for daemon, timestamp in remote.items())


def launch_asset_backfill(url: str, assets: Sequence[str], partition_keys: Sequence[str], title: str) -> str:
    """Launch the backfill and return its id."""
    params = {
        "partitionNames": list(partition_keys),
        "assetSelection": [{"path": [name]} for name in assets],
        "title": title,
        "tags": [{"key": "hr_assets/launched_by", "value": "cli"}],
    }
    result = _graphql(url, LAUNCH_BACKFILL, {"params": params})["launchPartitionBackfill"]
    if result["__typename"] != "LaunchBackfillSuccess":
        raise WebserverError(f"the webserver refused the backfill ({result['__typename']}): {result.get('message')}")
    backfill_id: str = result["backfillId"]
    return backfill_id


def submit_run(
    url: str,
    job_name: str,
    *,
    partition_key: str,
    run_config: Mapping[str, Any],
    launched_by: str,
    last_partition_key: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> str:
    """Queue a run of the job for one partition (or the range to ``last_partition_key``) and return its id, without
    waiting for it."""
    address = httpx.URL(url)
    client = DagsterGraphQLClient(
        address.host, address.port, use_https=address.scheme == "https", path_prefix=address.path.rstrip("/")
    )
    try:
        return client.submit_job_execution(
            job_name,
            repository_location_name=CODE_LOCATION,
            run_config=dict(run_config),
            tags={
                **partition_tags(partition_key, last_partition_key),
                "hr_assets/launched_by": launched_by,
                **(tags or {}),
            },
        )
    except DagsterGraphQLClientError as exc:
        raise WebserverError(f"the webserver refused the run of {job_name}: {str(exc).splitlines()[0]}") from None
