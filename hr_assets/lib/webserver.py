"""Asking the running Dagster webserver to launch an asset backfill (its GraphQL API, as the UI does).

A backfill launched this way is run by the daemon, one run per partition, with the daemon's
retries, and shows on the UI's backfill page exactly like one started from the asset graph.
"""

from collections.abc import Sequence

import httpx

from hr_assets.lib.errors import OperatorError

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
