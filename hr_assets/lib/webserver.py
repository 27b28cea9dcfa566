"""Asking the running Dagster webserver to launch an asset backfill or a run (its GraphQL API, as the UI does).

A backfill or run launched this way is run by the daemon's queue, with the daemon's retries, and shows in the UI
exactly like one started there; the command that asked does not wait for it.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import httpx
from dagster_graphql import DagsterGraphQLClient, DagsterGraphQLClientError

from hr_assets.defs.shared.partitions import partition_tags
from hr_assets.lib.errors import OperatorError

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


class WebserverError(OperatorError):
    """The webserver could not be reached or refused the backfill; the message says which."""


def launch_asset_backfill(url: str, assets: Sequence[str], partition_keys: Sequence[str], title: str) -> str:
    """Launch the backfill and return its id."""
    params = {
        "partitionNames": list(partition_keys),
        "assetSelection": [{"path": [name]} for name in assets],
        "title": title,
        "tags": [{"key": "hr_assets/launched_by", "value": "cli"}],
    }
    try:
        response = httpx.post(
            f"{url.rstrip('/')}/graphql", json={"query": LAUNCH_BACKFILL, "variables": {"params": params}}, timeout=60
        )
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise WebserverError(
            f"the Dagster webserver at {url} did not answer ({type(exc).__name__}); start it (make dev) "
            "or run with --in-process"
        ) from None
    body = response.json()
    if body.get("errors"):
        raise WebserverError(f"the webserver refused the backfill: {body['errors'][0].get('message')}")
    result = body["data"]["launchPartitionBackfill"]
    if result["__typename"] != "LaunchBackfillSuccess":
        raise WebserverError(f"the webserver refused the backfill ({result['__typename']}): {result.get('message')}")
    return result["backfillId"]


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
    try:
        httpx.get(f"{url.rstrip('/')}/server_info", timeout=10).raise_for_status()
    except httpx.HTTPError as exc:
        raise WebserverError(
            f"the Dagster webserver at {url} did not answer ({type(exc).__name__}); start it (make dev) "
            "or run without --async"
        ) from None
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
