"""The Notion client against the Notion twin on 127.0.0.1: the database's data source looked up (API version
2025-09-03), then queried page by page, and each way a database can answer told in one line."""

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import dagster as dg
import pytest

from hr_assets.defs.notion.resources import NotionResource, chosen_data_source
from hr_assets.lib.http import ApiError
from hr_assets.lib.integration import NotConfigured
from hr_sandbox.http_server import SandboxHttpServer
from hr_sandbox.notion import CLIENTS, TWO_DATA_SOURCES, NotionSandbox
from hr_sandbox.revenue_data import RevenueData, generate_revenue_data

TOKEN = "secret_notion_token"
DATABASE = str(uuid.UUID(int=42, version=4))

# A Notion twin of its own; the client's limiter shares the key's budget through DAGSTER_HOME's warehouse.
pytestmark = [pytest.mark.twins, pytest.mark.usefixtures("dagster_home")]


@pytest.fixture(scope="module")
def data() -> RevenueData:
    return generate_revenue_data(dt.date(2026, 1, 1), 3, 40)  # about a hundred pages: two pages of a query


@contextmanager
def notion(
    data: RevenueData, data_sources: Sequence[str] = (CLIENTS,), **settings: Any
) -> Iterator[tuple[NotionSandbox, NotionResource]]:
    """The twin (at Notion's 3 requests a second) and a client of it."""
    api = NotionSandbox(data, TOKEN, DATABASE, data_source_names=data_sources)
    with SandboxHttpServer(api) as server:
        settings = {"database_id": DATABASE, **settings}
        yield api, NotionResource(token=TOKEN, base_url=f"{server.url}/v1", backoff_initial_s=0.01, **settings)


def test_the_only_data_source_is_looked_up_then_read_a_page_at_a_time(data: RevenueData) -> None:
    with notion(data, database_id=DATABASE.replace("-", "")) as (api, client):
        pages = client.pages()

    source = api.data_sources[0]["id"]
    assert [page["id"] for page in pages] == [page["id"] for page in data.notion_pages]
    assert pages[0]["parent"] == {"type": "data_source_id", "data_source_id": source, "database_id": DATABASE}
    queries = -(-len(pages) // 100)
    assert [(r.method, r.path) for r in api.requests] == [
        ("GET", f"/v1/databases/{DATABASE.replace('-', '')}"),
        *[("POST", f"/v1/data_sources/{source}/query")] * queries,
    ]
    assert queries == 2 and api.throttled == 0 and all(r.status == 200 for r in api.requests)


def test_a_database_with_two_data_sources_needs_the_one_to_read(data: RevenueData) -> None:
    with notion(data, TWO_DATA_SOURCES) as (api, client), pytest.raises(NotConfigured) as refused:
        client.pages()
    clients, former = api.data_sources

    assert refused.value.description == (
        f"Notion: database {DATABASE} has 2 data sources, Clients ({clients['id']}), Former clients "
        f"({former['id']}): set NOTION_DATA_SOURCE_ID to the one that holds the clients"
    )
    assert [r.method for r in api.requests] == ["GET"], "nothing is queried until the choice is made"


@pytest.mark.parametrize("chosen", [0, 1])
def test_the_chosen_data_source_is_the_one_read(data: RevenueData, chosen: int) -> None:
    api = NotionSandbox(data, TOKEN, DATABASE, data_source_names=TWO_DATA_SOURCES)
    source = api.data_sources[chosen]["id"]
    with notion(data, TWO_DATA_SOURCES, data_source_id=source.replace("-", "").upper()) as (api, client):
        pages = client.pages()

    assert len(pages) == (len(data.notion_pages) if chosen == 0 else 0)
    assert {r.path for r in api.requests if r.method == "POST"} == {f"/v1/data_sources/{source}/query"}


def test_a_chosen_data_source_of_another_database_is_refused(data: RevenueData) -> None:
    elsewhere = str(uuid.UUID(int=7, version=4))
    with notion(data, data_source_id=elsewhere) as (api, client), pytest.raises(NotConfigured) as refused:
        client.pages()

    assert refused.value.description == (
        f"Notion: NOTION_DATA_SOURCE_ID {elsewhere} is not a data source of database {DATABASE}; its data "
        f"sources: Clients ({api.data_sources[0]['id']})"
    )


def test_a_database_without_data_sources_fails_in_one_line(data: RevenueData) -> None:
    with notion(data, ()) as (_api, client), pytest.raises(dg.Failure) as failed:
        client.pages()

    assert failed.value.description == f"Notion answered 200: database {DATABASE} has no data sources"


def test_a_database_not_shared_with_the_integration_fails_in_one_line(data: RevenueData) -> None:
    unshared = str(uuid.UUID(int=43, version=4))
    with notion(data, database_id=unshared) as (api, client), pytest.raises(dg.Failure) as failed:
        client.pages()

    assert failed.value.description == (
        f"Notion answered 404: Could not find database with ID: {unshared}. Make sure the relevant pages and "
        "databases are shared with your integration."
    )
    assert len(api.requests) == 1, "a 404 is not retried"


@pytest.mark.parametrize(
    ("database", "message"),
    [
        ({"object": "database", "id": DATABASE}, f"answered database {DATABASE} without a data_sources list"),
        ({"data_sources": None}, f"answered database {DATABASE} without a data_sources list"),
        ({"data_sources": [{"name": "Clients"}]}, f"answered database {DATABASE} without a data_sources list"),
        ([], f"answered database {DATABASE} without a data_sources list"),
        ({"data_sources": []}, f"database {DATABASE} has no data sources"),
    ],
)
def test_a_database_answered_without_usable_data_sources_is_an_api_error(database: Any, message: str) -> None:
    with pytest.raises(ApiError) as failed:
        chosen_data_source(database, DATABASE, None)

    assert str(failed.value) == f"Notion answered 200: {message}"


def test_an_untitled_data_source_is_still_named() -> None:
    database = {"data_sources": [{"id": "a1", "name": ""}, {"id": "b2", "name": "Leads"}]}
    with pytest.raises(NotConfigured, match=r"has 2 data sources, \(untitled\) \(a1\), Leads \(b2\): set"):
        chosen_data_source(database, DATABASE, None)
    assert chosen_data_source(database, DATABASE, "B2") == "b2"
