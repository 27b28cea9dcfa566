"""The revenue sandbox: its sample data, and the Holded, 4Geeks and Notion twins over real sockets on
127.0.0.1, driven with httpx as the platform's clients drive the real APIs."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest

from hr_sandbox.fourgeeks import FourGeeksSandbox
from hr_sandbox.holded import REFERENCE_FIELDS, REFERENCE_SHAPES, CreditNoteReference, HoldedSandbox
from hr_sandbox.http_server import (
    TIMEOUT_FAULT_SECONDS,
    SandboxApi,
    SandboxHttpServer,
    SandboxRequest,
    SandboxResponse,
    key_id,
)
from hr_sandbox.notion import MULTIPLE_DATA_SOURCES, TWO_DATA_SOURCES, NotionSandbox
from hr_sandbox.revenue_data import RevenueData, generate_revenue_data

pytestmark = pytest.mark.twins  # starts the twins itself (tests/conftest.py)

START = date(2024, 1, 1)
MONTHS = 6
PER_MONTH = 400
HOLDED_KEY = "holded-secret-key"
GEEKS_TOKEN = "4geeks-secret-token"
ACADEMY = 7
NOTION_TOKEN = "secret_notion_token"
NOTION_DB = str(uuid.UUID(int=42, version=4))
NOTION_HEADERS = {"Authorization": f"Bearer {NOTION_TOKEN}", "Notion-Version": "2022-06-28"}
NOTION_CURRENT = {**NOTION_HEADERS, "Notion-Version": "2025-09-03"}
GEEKS_HEADERS = {"Authorization": f"Token {GEEKS_TOKEN}", "Academy": str(ACADEMY)}
INVOICES = "/api/invoicing/v1/documents/invoice"
CREDIT_NOTES = "/api/invoicing/v1/documents/creditnote"
CONTACTS = "/api/invoicing/v1/contacts"
SERVICES = "/api/invoicing/v1/services"
COHORT_USERS = "/v1/admissions/academy/cohort/user"


@pytest.fixture(scope="module")
def data() -> RevenueData:
    return generate_revenue_data(START, MONTHS, PER_MONTH)


@contextmanager
def served(api: SandboxApi) -> Iterator[httpx.Client]:
    """An httpx client for ``api`` served on 127.0.0.1."""
    with SandboxHttpServer(api) as server, httpx.Client(base_url=server.url, timeout=5) as client:
        yield client


@pytest.fixture()
def holded_api(data: RevenueData) -> HoldedSandbox:
    return HoldedSandbox(data, HOLDED_KEY, page_size=50)


@pytest.fixture()
def holded(holded_api: HoldedSandbox) -> Iterator[httpx.Client]:
    with served(holded_api) as client:
        yield client


@pytest.fixture()
def geeks(data: RevenueData) -> Iterator[httpx.Client]:
    with served(FourGeeksSandbox(data, GEEKS_TOKEN, ACADEMY)) as client:
        yield client


# --- the sample data -------------------------------------------------------------------------------


def normalised(email: str) -> str:
    return email.strip().lower()


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def expected_totals(products: list[dict[str, Any]]) -> tuple[Decimal, Decimal, Decimal]:
    """subtotal, discount and tax recomputed from the lines in decimal, rounded once per invoice."""
    gross = discount = tax = Decimal(0)
    for line in products:
        line_gross = Decimal(str(line["price"])) * line["units"]
        line_discount = line_gross * line["discount"] / 100
        gross += line_gross
        discount += line_discount
        tax += (line_gross - line_discount) * line["tax"] / 100
    return cents(gross), cents(discount), cents(tax)


def test_invoice_totals_are_the_sum_of_their_lines_to_the_cent(data: RevenueData) -> None:
    for invoice in data.invoices:
        subtotal, discount, tax = expected_totals(invoice["products"])
        amounts = {key: Decimal(str(invoice[key])) for key in ("subtotal", "discount", "tax", "total")}
        assert amounts == {"subtotal": subtotal, "discount": discount, "tax": tax, "total": subtotal - discount + tax}
        paid = Decimal(str(invoice["paymentsTotal"])) + Decimal(str(invoice["paymentsPending"]))
        assert paid == amounts["total"]
        for line in invoice["products"]:
            assert Decimal(str(line["price"])) == cents(Decimal(str(line["price"])))
            assert line["tax"] in (0, 21) and line["discount"] in (0, 5, 10, 15) and line["units"] in (1, 2, 3)


def classify_lines(data: RevenueData) -> Counter[str]:
    """Each invoice line as an importer sees it: matched to an enrollment of its program through the
    contact's normalised e-mail (prepaid: invoiced before the kickoff, else catch-up), unmatched, or
    with a bad service."""
    users = {normalised(s["email"]): s["user"]["id"] for s in data.students if s["user"] is not None}
    kickoffs: dict[tuple[int, str], list[datetime]] = {}
    for row in data.enrollments:
        if row["role"] == "STUDENT":
            code = row["cohort"]["slug"].rsplit("-", 1)[0]
            kickoffs.setdefault((row["user"]["id"], code), []).append(
                datetime.fromisoformat(row["cohort"]["kickoff_date"])
            )
        assert row["educational_status"] and (row["role"] != "STUDENT" or row["finantial_status"])
    codes = {service["id"]: service["code"] for service in data.services}
    emails = {contact["id"]: normalised(contact["email"]) for contact in data.contacts}
    kinds: Counter[str] = Counter()
    for invoice in data.invoices:
        invoiced = datetime.fromtimestamp(invoice["date"], UTC)
        user = users.get(emails[invoice["contact"]])
        for line in invoice["products"]:
            if line.get("serviceId") not in codes:
                kinds["bad service"] += 1
                continue
            starts = kickoffs.get((user, codes[line["serviceId"]])) if user is not None else None
            if not starts:
                kinds["unmatched"] += 1
            else:
                kinds["prepaid" if invoiced < min(starts) else "catch-up"] += 1
    return kinds


def test_lines_mix_prepaid_catch_up_unmatched_and_bad_services(data: RevenueData) -> None:
    kinds = classify_lines(data)
    lines = sum(kinds.values())

    assert kinds["prepaid"] / lines > 0.1
    assert kinds["catch-up"] / lines > 0.3
    assert 0.02 < kinds["unmatched"] / lines < 0.12
    assert 0.002 < kinds["bad service"] / lines < 0.03
    bad = [
        line
        for invoice in data.invoices
        for line in invoice["products"]
        if line.get("serviceId") not in {s["id"] for s in data.services}
    ]
    assert any("serviceId" not in line for line in bad) and any("serviceId" in line for line in bad)


def test_invoices_are_in_range_day_rounded_and_numbered_once(data: RevenueData) -> None:
    months = Counter((day.year, day.month) for day in (datetime.fromtimestamp(i["date"], UTC) for i in data.invoices))

    assert len(data.invoices) == MONTHS * PER_MONTH
    assert set(months.values()) == {PER_MONTH} and len(months) == MONTHS
    assert all(i["date"] % 86_400 == 0 and i["dueDate"] - i["date"] == 30 * 86_400 for i in data.invoices)
    assert len({i["docNumber"] for i in data.invoices}) == len({i["id"] for i in data.invoices}) == len(data.invoices)
    assert data.invoices[0]["docNumber"].startswith("F24")
    contact_ids = {contact["id"] for contact in data.contacts}
    assert all(i["contact"] in contact_ids and len(i["id"]) == 24 for i in data.invoices)
    assert data.end == date(2024, 7, 1)


def test_people_match_by_normalised_email_only(data: RevenueData) -> None:
    clients = [contact for contact in data.contacts if contact["type"] == "client"]
    emails = [contact["email"] for contact in data.contacts]
    students = {normalised(student["email"]): student for student in data.students}
    matched = [contact for contact in clients if contact["email"] in students]

    assert len(set(emails)) == len(emails) and all(email == normalised(email) for email in emails)
    assert 0.85 < len(matched) / len(clients) < 0.95
    assert any(students[c["email"]]["email"] != c["email"] for c in matched)  # case or whitespace differ
    assert len(data.students) - len(matched) > 0  # students who are no contact
    assert any(student["user"] is None and student["status"] == "INVITED" for student in data.students)
    assert all(s["user"] is None or s["user"]["id"] != s["id"] for s in data.students)
    assert {contact["type"] for contact in data.contacts} == {"client", "supplier"}


def test_cohorts_and_enrollments_look_like_4geeks(data: RevenueData) -> None:
    codes = {service["code"] for service in data.services}
    for cohort in data.cohorts:
        kickoff = datetime.fromisoformat(cohort["kickoff_date"])
        ending = datetime.fromisoformat(cohort["ending_date"])
        assert cohort["slug"].rsplit("-", 1)[0] in codes
        assert cohort["kickoff_date"].endswith("T00:00:00Z")
        assert timedelta(days=55) < ending - kickoff < timedelta(days=9 * 31)
    assert any(datetime.fromisoformat(c["ending_date"]).day not in (28, 29, 30, 31) for c in data.cohorts)
    assert min(c["kickoff_date"] for c in data.cohorts) < "2024-01-01"
    roles = Counter(row["role"] for row in data.enrollments)
    assert roles["STUDENT"] > roles["TEACHER"] > 0
    assert {row["finantial_status"] for row in data.enrollments if row["role"] == "STUDENT"} == {
        "FULLY_PAID",
        "UP_TO_DATE",
        "LATE",
    }


def test_notion_pages_cover_most_contacts(data: RevenueData) -> None:
    holded_ids = [page["properties"]["Holded ID"]["rich_text"] for page in data.notion_pages]
    linked = {texts[0]["plain_text"] for texts in holded_ids if texts}
    clients = {contact["id"] for contact in data.contacts if contact["type"] == "client"}

    assert linked <= clients and 0.9 < len(linked) / len(clients) < 0.99
    assert [] in holded_ids  # pages nobody linked to Holded
    assert all(uuid.UUID(page["id"]).version == 4 and page["object"] == "page" for page in data.notion_pages)


def test_the_same_seed_gives_the_same_data_and_a_longer_range_extends_it() -> None:
    short = generate_revenue_data(START, 2, 100)
    again = generate_revenue_data(START, 2, 100)
    longer = generate_revenue_data(START, 3, 100)
    other = generate_revenue_data(START, 2, 100, seed=12)

    assert short == again
    assert other.invoices != short.invoices
    assert [(i["id"], i["products"]) for i in longer.invoices[:200]] == [
        (i["id"], i["products"]) for i in short.invoices
    ]
    assert longer.contacts[: len(short.contacts)] == short.contacts


def test_generating_two_years_of_2000_invoices_a_month_is_fast() -> None:
    started = time.perf_counter()
    big = generate_revenue_data(START, 24, 2000)

    assert len(big.invoices) == 48_000
    assert time.perf_counter() - started < 60  # ~2 s on an idle machine; a quadratic generator takes minutes


# --- the shared server -----------------------------------------------------------------------------


class Echo(SandboxApi):
    """A minimal vendor: echoes the request; the credential is the ``token`` header."""

    def credential(self, request: SandboxRequest) -> str | None:
        return request.headers.get("token")

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        return SandboxResponse(
            201,
            {"method": request.method, "path": request.path, "query": request.query, "body": request.body.decode()},
            {"X-Seen-Header": request.headers.get("X-CUSTOM", "")},
        )


def test_the_server_passes_requests_to_the_api_and_logs_them_without_credentials() -> None:
    api = Echo()
    with SandboxHttpServer(api) as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        response = httpx.post(
            f"{server.url}/a%20b?x=1&x=2&y=", content=b"hello", headers={"x-custom": "v", "token": "t0p"}
        )
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-seen-header"] == "v"
    assert response.json() == {"method": "POST", "path": "/a b", "query": {"x": ["1", "2"], "y": [""]}, "body": "hello"}
    [logged] = api.requests
    assert (logged.method, logged.path, logged.status, logged.key_id) == ("POST", "/a b", 201, key_id("t0p"))
    assert "t0p" not in repr(api.requests)
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url, timeout=1)


# --- Holded ----------------------------------------------------------------------------------------


def holded_pages(client: httpx.Client, path: str, **params: Any) -> list[list[dict[str, Any]]]:
    """Every page up to and including the first empty one."""
    pages = []
    for page in range(1, 1000):
        response = client.get(path, params={**params, "page": page}, headers={"key": HOLDED_KEY})
        assert response.status_code == 200, response.text
        pages.append(response.json())
        if not pages[-1]:
            return pages
    raise AssertionError("no empty page")


def test_holded_pages_are_exact_slices_and_end_with_an_empty_page(holded: httpx.Client, data: RevenueData) -> None:
    for path, items in (
        (CONTACTS, data.contacts),
        (SERVICES, data.services),
        (INVOICES, data.invoices),
        (CREDIT_NOTES, data.credit_notes),
    ):
        pages = holded_pages(holded, path)

        assert pages[-1] == []
        assert all(len(page) == 50 for page in pages[:-2]) and 0 < len(pages[-2]) <= 50
        assert [item for page in pages for item in page] == items
    assert holded.get(INVOICES, params={"page": 10_000}, headers={"key": HOLDED_KEY}).json() == []


def test_holded_filters_invoices_by_inclusive_timestamps(holded: httpx.Client, data: RevenueData) -> None:
    days = sorted({invoice["date"] for invoice in data.invoices})
    start, end = days[20], days[40]
    expected = [invoice["id"] for invoice in data.invoices if start <= invoice["date"] <= end]

    ascending = holded_pages(holded, INVOICES, starttmp=start, endtmp=end, sort="created-asc")
    descending = holded_pages(holded, INVOICES, starttmp=start, endtmp=end, sort="created-desc")

    assert [invoice["id"] for page in ascending for invoice in page] == expected
    assert [invoice["id"] for page in descending for invoice in page] == expected[::-1]


def test_holded_serves_credit_notes_as_it_serves_invoices(holded: httpx.Client, data: RevenueData) -> None:
    """Refunds of a line (whole or half) of an invoice of their month or the three before, most naming it in
    ``from``; listed by inclusive timestamps, in pages, both timestamps or none."""
    invoices = {invoice["id"]: invoice for invoice in data.invoices}
    named = [note for note in data.credit_notes if "from" in note]
    assert len(data.credit_notes) == MONTHS * round(PER_MONTH * 0.02) and 0 < len(named) < len(data.credit_notes)
    for note in data.credit_notes:
        [line] = note["products"]
        subtotal, discount, tax = expected_totals(note["products"])
        assert Decimal(str(note["total"])) == subtotal - discount + tax > 0
        if "from" in note:
            assert note["from"]["docType"] == "invoice"
            invoice = invoices[note["from"]["id"]]
            assert invoice["contact"] == note["contact"] and invoice["date"] <= note["date"]
            assert note["date"] - invoice["date"] < 4 * 31 * 86_400
            assert any(
                {**line, "price": product["price"]} == product
                and round(line["price"] * 100) in (round(product["price"] * 100), round(product["price"] * 100) // 2)
                for product in invoice["products"]
            )
    days = sorted({note["date"] for note in data.credit_notes})
    start, end = days[1], days[-2]
    listed = holded_pages(holded, CREDIT_NOTES, starttmp=start, endtmp=end)
    assert [n["id"] for page in listed for n in page] == [
        n["id"] for n in data.credit_notes if start <= n["date"] <= end
    ]
    response = holded.get(CREDIT_NOTES, params={"starttmp": start}, headers={"key": HOLDED_KEY})
    assert response.status_code == 400


@pytest.mark.parametrize("field", REFERENCE_FIELDS)
def test_holded_names_a_credit_notes_invoice_in_the_field_and_shape_it_is_told(data: RevenueData, field: str) -> None:
    invoices = {invoice["id"]: invoice for invoice in data.invoices}
    made_from = {note["id"]: invoices[note["from"]["id"]] for note in data.credit_notes if "from" in note}
    expected = {
        "document": lambda invoice: {"id": invoice["id"], "docType": "invoice"},
        "id": lambda invoice: invoice["id"],
        "docNumber": lambda invoice: {"docNumber": invoice["docNumber"], "docType": "invoice"},
        "unreadable": lambda invoice: {"id": invoice["id"]},
    }
    assert set(expected) == set(REFERENCE_SHAPES)
    for shape, reference in expected.items():
        api = HoldedSandbox(data, HOLDED_KEY, page_size=50, credit_note_reference=CreditNoteReference(field, shape))
        with served(api) as client:
            listed = [note for page in holded_pages(client, CREDIT_NOTES) for note in page]
        assert {note["id"]: note[field] for note in listed if field in note} == {
            note_id: reference(invoice) for note_id, invoice in made_from.items()
        }
        other = {"from", "fromDocument"} - {field}
        assert all(other.isdisjoint(note) for note in listed) and len(listed) == len(data.credit_notes)
    with pytest.raises(ValueError, match="no such credit note reference"):
        HoldedSandbox(data, HOLDED_KEY, credit_note_reference=CreditNoteReference(field, "guess"))


def test_holded_serves_a_cancelled_invoice_with_status_3(holded_api: HoldedSandbox, data: RevenueData) -> None:
    invoice = data.invoices[7]
    holded_api.cancel_invoice(invoice["id"])
    with served(holded_api) as client:
        listed = [item for page in holded_pages(client, INVOICES) for item in page]
    assert [item["status"] for item in listed if item["id"] == invoice["id"]] == [3]
    assert [item for item in listed if item["id"] != invoice["id"]] == [i for i in data.invoices if i is not invoice]


def test_holded_wants_both_timestamps_or_none(holded: httpx.Client) -> None:
    for params in ({"starttmp": 1_704_067_200}, {"endtmp": 1_704_067_200}):
        response = holded.get(INVOICES, params=params, headers={"key": HOLDED_KEY})

        assert response.status_code == 400
        assert response.json() == {"status": 0, "info": "starttmp and endtmp must be sent together"}


def test_holded_answers_an_unknown_route_with_an_html_200(holded: httpx.Client) -> None:
    for response in (
        holded.get("/api/invoicing/v1/documents/invoices", headers={"key": HOLDED_KEY}),
        holded.post(CONTACTS, headers={"key": HOLDED_KEY}),
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert response.text.startswith("<!DOCTYPE html>")


def test_holded_refuses_a_missing_or_wrong_key(holded: httpx.Client, holded_api: HoldedSandbox) -> None:
    for headers in ({}, {"key": "wrong"}):
        response = holded.get(CONTACTS, headers=headers)

        assert response.status_code == 401
        assert response.json() == {"status": 0, "info": "Unauthorized"}
    assert [logged.key_id for logged in holded_api.requests] == ["", key_id("wrong")]


# --- 4Geeks ----------------------------------------------------------------------------------------


def test_4geeks_lists_whole_without_limit_and_pages_with_it(geeks: httpx.Client, data: RevenueData) -> None:
    whole = geeks.get(COHORT_USERS, headers=GEEKS_HEADERS).json()
    assert whole == data.enrollments

    first = geeks.get(COHORT_USERS, params={"limit": 700}, headers=GEEKS_HEADERS).json()
    assert (first["count"], first["first"], first["previous"]) == (len(whole), None, None)
    assert first["last"].endswith(f"limit=700&offset={len(whole) - 700}")
    results, page = list(first["results"]), first
    while page["next"] is not None:
        assert page["next"].startswith(str(geeks.base_url).rstrip("/") + COHORT_USERS + "?limit=700&offset=")
        page = geeks.get(page["next"], headers=GEEKS_HEADERS).json()
        results += page["results"]
    assert results == whole
    assert page["last"] is None and page["previous"] is not None


def test_4geeks_filters(geeks: httpx.Client, data: RevenueData) -> None:
    cohort = data.enrollments[0]["cohort"]["slug"]
    students = geeks.get(
        COHORT_USERS, params={"roles": "STUDENT", "cohorts": f"{cohort},nope"}, headers=GEEKS_HEADERS
    ).json()
    assert students and all(row["role"] == "STUDENT" and row["cohort"]["slug"] == cohort for row in students)

    student = next(s for s in data.students if s["email"] != s["email"].strip().lower())
    found = geeks.get(
        "/v1/auth/academy/student", params={"like": student["email"].strip().upper()}, headers=GEEKS_HEADERS
    ).json()
    assert found == [{**student, "academy": {"id": ACADEMY, "name": "4Geeks Academy Sandbox", "slug": "sandbox"}}]

    paged = geeks.get(
        COHORT_USERS, params={"users": "5001,5002", "offset": 0, "roles": "STUDENT"}, headers=GEEKS_HEADERS
    ).json()
    assert {row["user"]["id"] for row in paged["results"]} <= {5001, 5002} and paged["count"] >= 2


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Token wrong", "Academy": str(ACADEMY)}, 401),
        ({"Authorization": f"Bearer {GEEKS_TOKEN}", "Academy": str(ACADEMY)}, 401),
        ({"Authorization": f"Token {GEEKS_TOKEN}"}, 403),
        ({"Authorization": f"Token {GEEKS_TOKEN}", "Academy": "8"}, 403),
    ],
)
def test_4geeks_needs_a_token_and_the_academy(geeks: httpx.Client, headers: dict[str, str], status: int) -> None:
    response = geeks.get("/v1/auth/academy/student", headers=headers)

    assert response.status_code == status
    assert response.json()["status_code"] == status and response.json()["detail"]


# --- Notion ----------------------------------------------------------------------------------------


def test_notion_cursors_walk_the_whole_database(data: RevenueData) -> None:
    with served(NotionSandbox(data, NOTION_TOKEN, NOTION_DB, rate_limit_per_second=None)) as client:
        ids, body = [], {"page_size": 90}
        while True:
            page = client.post(f"/v1/databases/{NOTION_DB.replace('-', '')}/query", json=body, headers=NOTION_HEADERS)
            assert page.status_code == 200, page.text
            ids += [result["id"] for result in page.json()["results"]]
            if not page.json()["has_more"]:
                assert page.json()["next_cursor"] is None
                break
            body = {"page_size": 90, "start_cursor": page.json()["next_cursor"]}
        default = client.post(f"/v1/databases/{NOTION_DB}/query", headers=NOTION_HEADERS).json()
    assert ids == [page["id"] for page in data.notion_pages]
    assert len(default["results"]) == 100 and default["object"] == "list"
    assert default["results"][0]["parent"] == {"type": "database_id", "database_id": NOTION_DB}


def test_notion_data_sources_are_listed_by_the_database_and_queried_page_by_page(data: RevenueData) -> None:
    api = NotionSandbox(data, NOTION_TOKEN, NOTION_DB, rate_limit_per_second=None)
    with served(api) as client:
        database = client.get(f"/v1/databases/{NOTION_DB.replace('-', '')}", headers=NOTION_CURRENT).json()
        source = database["data_sources"][0]["id"]
        ids, body = [], {"page_size": 100}
        while True:
            page = client.post(f"/v1/data_sources/{source}/query", json=body, headers=NOTION_CURRENT)
            assert page.status_code == 200, page.text
            ids += [result["id"] for result in page.json()["results"]]
            if not page.json()["has_more"]:
                break
            body = {"page_size": 100, "start_cursor": page.json()["next_cursor"]}
        first = client.post(f"/v1/data_sources/{source.replace('-', '')}/query", headers=NOTION_CURRENT).json()
    assert database["object"] == "database" and database["id"] == NOTION_DB
    assert database["data_sources"] == [{"id": source, "name": "Clients"}] == api.data_sources
    assert ids == [page["id"] for page in data.notion_pages]
    assert first["results"][0]["parent"] == {
        "type": "data_source_id",
        "data_source_id": source,
        "database_id": NOTION_DB,
    }


def test_notion_refuses_the_old_versions_calls_on_a_database_with_two_data_sources(data: RevenueData) -> None:
    api = NotionSandbox(data, NOTION_TOKEN, NOTION_DB, rate_limit_per_second=None, data_source_names=TWO_DATA_SOURCES)
    with served(api) as client:
        old_query = client.post(f"/v1/databases/{NOTION_DB}/query", headers=NOTION_HEADERS)
        old_database = client.get(f"/v1/databases/{NOTION_DB}", headers=NOTION_HEADERS)
        database = client.get(f"/v1/databases/{NOTION_DB}", headers=NOTION_CURRENT).json()
        second = client.post(f"/v1/data_sources/{api.data_sources[1]['id']}/query", headers=NOTION_CURRENT).json()
        cursor = client.post(
            f"/v1/data_sources/{api.data_sources[1]['id']}/query",
            json={"start_cursor": data.notion_pages[1]["id"]},
            headers=NOTION_CURRENT,
        )
    for refused in (old_query, old_database):
        assert refused.status_code == 400
        assert refused.json() == {
            "object": "error",
            "status": 400,
            "code": "validation_error",
            "message": "Databases with multiple data sources are not supported in this API version.",
        }
    assert MULTIPLE_DATA_SOURCES == old_query.json()["message"]
    assert [source["name"] for source in database["data_sources"]] == ["Clients", "Former clients"]
    assert second["results"] == [] and second["has_more"] is False and second["next_cursor"] is None
    assert cursor.status_code == 400, "a cursor of another data source is no cursor of this one"


def test_notion_answers_a_single_source_database_under_the_old_version_as_it_did(data: RevenueData) -> None:
    with served(NotionSandbox(data, NOTION_TOKEN, NOTION_DB, rate_limit_per_second=None)) as client:
        database = client.get(f"/v1/databases/{NOTION_DB}", headers=NOTION_HEADERS).json()
    assert "data_sources" not in database
    assert set(database["properties"]) == {"Name", "Email", "Holded ID"}


OTHER_ID = str(uuid.UUID(int=43, version=4))


@pytest.mark.parametrize(
    ("path", "headers", "body", "status", "code"),
    [
        (f"/v1/databases/{NOTION_DB}/query", {"Authorization": f"Bearer {NOTION_TOKEN}"}, {}, 400, "missing_version"),
        (f"/v1/databases/{NOTION_DB}/query", {**NOTION_HEADERS, "Authorization": "Bearer x"}, {}, 401, "unauthorized"),
        (f"/v1/databases/{OTHER_ID}/query", NOTION_HEADERS, {}, 404, "object_not_found"),
        (f"/v1/databases/{NOTION_DB}/query", NOTION_HEADERS, {"page_size": 101}, 400, "validation_error"),
        (f"/v1/databases/{NOTION_DB}/query", NOTION_HEADERS, {"start_cursor": "nope"}, 400, "validation_error"),
        (f"/v1/databases/{NOTION_DB}", NOTION_HEADERS, {}, 400, "invalid_request_url"),
        (f"/v1/databases/{NOTION_DB}/query", NOTION_CURRENT, {}, 400, "invalid_request_url"),
        (f"/v1/data_sources/{OTHER_ID}/query", NOTION_HEADERS, {}, 400, "invalid_request_url"),  # not before 2025
        (f"/v1/data_sources/{OTHER_ID}/query", NOTION_CURRENT, {}, 404, "object_not_found"),
        (f"/v1/data_sources/{NOTION_DB}/query", NOTION_CURRENT, {}, 404, "object_not_found"),
    ],
)
def test_notion_errors(
    data: RevenueData, path: str, headers: dict[str, str], body: dict[str, Any], status: int, code: str
) -> None:
    with served(NotionSandbox(data, NOTION_TOKEN, NOTION_DB)) as client:
        response = client.post(path, json=body, headers=headers)
    assert response.status_code == status
    assert response.json()["object"] == "error" and response.json()["code"] == code


def test_notion_answers_429_with_retry_after_when_hammered(data: RevenueData) -> None:
    api = NotionSandbox(data, NOTION_TOKEN, NOTION_DB)
    with served(api) as client:
        responses = [
            client.post(f"/v1/databases/{NOTION_DB}/query", json={"page_size": 1}, headers=NOTION_HEADERS)
            for _ in range(8)
        ]
    refused = [response for response in responses if response.status_code == 429]
    assert responses[0].status_code == 200 and len(refused) >= 5
    assert all(r.headers["retry-after"] == "1" and r.json()["code"] == "rate_limited" for r in refused)
    assert api.throttled == len(refused)


# --- rate limit and faults (shared by every vendor) ------------------------------------------------


def paced(client: httpx.Client, per_second: float, count: int) -> list[int]:
    """Statuses of ``count`` requests, each sent at least ``1 / per_second`` after the previous one."""
    statuses, previous = [], 0.0
    for _ in range(count):
        time.sleep(max(0.0, previous + 1 / per_second - time.monotonic()))
        previous = time.monotonic()
        statuses.append(client.get(SERVICES, headers={"key": HOLDED_KEY}).status_code)
    return statuses


def test_a_client_pacing_at_the_limit_is_never_refused(data: RevenueData) -> None:
    api = HoldedSandbox(data, HOLDED_KEY, rate_limit_per_second=10)
    with served(api) as client:
        assert paced(client, 10, 25) == [200] * 25
    assert api.throttled == 0


def test_a_client_at_twice_the_limit_is_refused(data: RevenueData) -> None:
    api = HoldedSandbox(data, HOLDED_KEY, rate_limit_per_second=10)
    with served(api) as client:
        statuses = paced(client, 20, 20)
        other_key = client.get(SERVICES, headers={"key": "another"}).status_code
    assert statuses.count(429) >= 5 and api.throttled == statuses.count(429)
    assert other_key == 401  # the limit is per credential
    throttled = next(logged for logged in api.requests if logged.status == 429)
    assert throttled.key_id == key_id(HOLDED_KEY)


def test_injected_http_faults_come_in_order_on_matching_paths(holded: httpx.Client, holded_api: HoldedSandbox) -> None:
    holded_api.inject("500", path_prefix=CONTACTS)
    holded_api.inject("429", path_prefix=CONTACTS)
    holded_api.inject("html", path_prefix=CONTACTS)

    assert holded.get(SERVICES, headers={"key": HOLDED_KEY}).status_code == 200
    error = holded.get(CONTACTS, headers={"key": HOLDED_KEY})
    assert (error.status_code, error.json()) == (500, {"status": 0, "info": "Internal Server Error"})
    throttled = holded.get(CONTACTS, headers={"key": HOLDED_KEY})
    assert (throttled.status_code, throttled.headers["retry-after"]) == (429, "0")
    html = holded.get(CONTACTS, headers={"key": HOLDED_KEY})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert holded.get(CONTACTS, headers={"key": HOLDED_KEY}).status_code == 200
    assert [logged.status for logged in holded_api.requests] == [200, 500, 429, 200, 200]


def test_a_fault_with_params_fails_only_the_requests_that_carry_them(
    holded: httpx.Client, holded_api: HoldedSandbox
) -> None:
    """One month's listing failing, the others answered: the fault waits for the request it names."""
    holded_api.inject("500", times=2, path_prefix=INVOICES, params={"starttmp": "1706745600"})
    window = {"endtmp": 1709251199, "page": 1}

    assert holded.get(INVOICES, params={"starttmp": 1704067200, **window}, headers={"key": HOLDED_KEY}).is_success
    for _ in range(2):
        failed = holded.get(INVOICES, params={"starttmp": 1706745600, **window}, headers={"key": HOLDED_KEY})
        assert failed.status_code == 500
    assert holded.get(INVOICES, params={"starttmp": 1706745600, **window}, headers={"key": HOLDED_KEY}).is_success
    assert [logged.status for logged in holded_api.requests] == [200, 500, 500, 200]


def test_an_injected_drop_closes_the_connection_unanswered(holded: httpx.Client, holded_api: HoldedSandbox) -> None:
    holded_api.inject("drop", times=2)

    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError):
            holded.get(SERVICES, headers={"key": HOLDED_KEY})
    assert holded.get(SERVICES, headers={"key": HOLDED_KEY}).status_code == 200
    assert [logged.status for logged in holded_api.requests] == [0, 0, 200]


def test_an_injected_timeout_outlasts_a_client_timeout(holded: httpx.Client, holded_api: HoldedSandbox) -> None:
    holded_api.inject("timeout")

    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        holded.get(SERVICES, headers={"key": HOLDED_KEY}, timeout=1)
    assert time.monotonic() - started < TIMEOUT_FAULT_SECONDS
    assert holded.get(SERVICES, headers={"key": HOLDED_KEY}, timeout=1).status_code == 200


def test_an_unknown_fault_kind_is_refused(holded_api: HoldedSandbox) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        holded_api.inject("503")  # type: ignore[arg-type]
