"""Every endpoint of the running API over real HTTP on SQLite and PostgreSQL: filters, pagination, tokens and
scopes, the pay fields only for ``pay``, 401 without a reason, 422 naming the parameter."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from tests.api.conftest import Api, pay_periods
from tests.conftest import ON_SQLITE

pytestmark = pytest.mark.commands
EMPLOYEES = "/api/paycom/employees/"


def codes(answer: list[dict]) -> list[str]:
    return [row["employee_code"] for row in answer]


def test_the_employee_endpoints_filter_paginate_and_hide_pay(api: Api) -> None:
    read = api.token("scheduler", "read")
    page = api.get(EMPLOYEES, read).json()
    assert (page["count"], page["page"], codes(page["results"])) == (5, 1, ["1001", "1002", "1003", "1004", "1005"])
    assert all(row["hourly_rate"] is None and row["annual_salary"] is None for row in page["results"])
    assert codes(api.get(EMPLOYEES, read, status="on_leave").json()["results"]) == ["1003"]
    assert codes(api.get(EMPLOYEES, read, department="D20").json()["results"]) == ["1002"]
    assert codes(api.get(EMPLOYEES, read, department="Dietary").json()["results"]) == ["1002"]
    assert codes(api.get(EMPLOYEES, read, location="SOUTH").json()["results"]) == ["1003"]
    assert codes(api.get(EMPLOYEES, read, position="director").json()["results"]) == ["1004"]
    assert codes(api.get(EMPLOYEES, read, search="lopez").json()["results"]) == ["1001", "1005"]
    assert codes(api.get(EMPLOYEES, read, search="ana lo").json()["results"]) == ["1001"]
    assert codes(api.get(EMPLOYEES, read, search="100_").json()["results"]) == []  # no wildcards
    second = api.get(EMPLOYEES, read, page=2, page_size=2).json()
    assert (second["count"], codes(second["results"])) == (5, ["1003", "1004"])

    one = api.get(f"{EMPLOYEES}1002/", read)
    assert one.status_code == 200 and one.json()["first_name"] == "Ben" and one.json()["hourly_rate"] is None
    assert "phone_number" not in one.json(), "HR keeps the phone number; the API never answers it"
    assert api.get(f"{EMPLOYEES}9999/", read).status_code == 404
    assert codes(api.get(f"{EMPLOYEES}active/", read).json()) == ["1001", "1002", "1004"]

    available = api.get(f"{EMPLOYEES}available_for_scheduling/", read).json()
    assert codes(available) == ["1001", "1002", "1004"]
    ana = available[0]
    assert (ana["hours_this_week"], ana["hours_left_before_overtime"], ana["hours_left_before_cap"]) == (37.5, 2.5, 2.5)
    assert (ana["available_for_scheduling"], ana["hours_as_of"], available[2]["hours_left_before_overtime"]) == (
        True,
        "2026-11-20",
        None,
    )
    assert (ana["department_code"], ana["max_hours_per_week"]) == ("D10", 40)

    stats = api.get(f"{EMPLOYEES}stats/", read).json()
    assert stats["by_status"] == {"active": 3, "on_leave": 1, "terminated": 1} and stats["total"] == 5
    assert stats["by_department"] == {"Nursing": 3, "Dietary": 1}
    assert (stats["available_for_scheduling"], stats["unavailable_for_scheduling"]) == (3, 1)
    assert (stats["near_overtime_this_week"], stats["in_overtime_this_week"]) == (1, 1)

    pay = api.token("payroll-office", "pay")
    assert api.get(f"{EMPLOYEES}1001/", pay).json()["hourly_rate"] == "31.2500"
    assert api.get(f"{EMPLOYEES}1004/", pay).json()["annual_salary"] == "72000.00"


def test_sync_status_start_and_connection_test(api: Api) -> None:
    read, operate = api.token("scheduler", "read"), api.token("operator", "operate")
    status = api.get("/api/paycom/sync/status/", read).json()
    [last] = status["last_syncs"]
    assert (last["run_id"], last["employees_terminated"], last["files"][0]["report_type"]) == ("run-1", 1, "directory")
    next_sync = dt.datetime.fromisoformat(status["next_scheduled_sync"])
    assert (next_sync.weekday(), next_sync.hour, next_sync.utcoffset()) == (4, 14, dt.timedelta(0))

    assert api.post("/api/paycom/sync/start_sync/", read).status_code == 403
    refused = api.post("/api/paycom/sync/start_sync/", operate, {"report_type": "all"})
    assert refused.status_code == 503
    assert refused.json()["detail"].startswith("The Dagster web server did not take the run: the Dagster webserver at ")
    bad = api.post("/api/paycom/sync/start_sync/", operate, {"report_type": "everything"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "report_type"]

    tested = api.post("/api/paycom/sync/test_connection/", operate).json()
    assert tested["ok"] is False and "PAYCOM_SFTP" in tested["message"]


def test_tokens_are_needed_kept_as_hashes_and_revoked(api: Api, warehouse_url: str) -> None:
    read = api.token("scheduler", "read")
    assert read.startswith("hra_")
    for token in (None, "hra_wrong", read + "x"):
        refused = api.get(EMPLOYEES, token)
        assert (refused.status_code, refused.json()) == (401, {"detail": "Unauthorized"})
    assert api.get("/api/openapi.json", None).status_code == 401
    assert api.get("/api/docs", None).headers["www-authenticate"].startswith("Basic")
    basic = base64.b64encode(f"me:{read}".encode()).decode()
    import httpx

    docs = httpx.get(f"{api.url}/api/docs", headers={"Authorization": f"Basic {basic}"}, timeout=30)
    assert docs.status_code == 200 and "/api/docs/assets/swagger-ui-bundle.js" in docs.text and "cdn" not in docs.text
    assert httpx.get(f"{api.url}/api/docs/assets/swagger-ui-bundle.js", timeout=30).status_code == 200
    schema = api.get("/api/openapi.json", read).json()
    assert "/api/paycom/employees/available_for_scheduling/" in schema["paths"]

    bad = api.get(EMPLOYEES, read, page_size=0)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "page_size"]
    assert "Traceback" not in bad.text

    listed = api.command("token", "list")
    assert "scheduler" in listed.stdout and "live" in listed.stdout and read not in listed.stdout
    import sqlalchemy as sa

    from hr_assets.warehouse.engine import warehouse_engine

    with warehouse_engine(warehouse_url).connect() as connection:
        stored = connection.execute(sa.text("SELECT token_sha256 FROM api_tokens")).scalars().all()
    assert len(stored) == 1 and read not in stored[0] and len(stored[0]) == 64

    twice = api.command("token", "create", "--name", "scheduler", "--scope", "read")
    assert twice.returncode == 1 and twice.stderr.strip().startswith("Error: a token named 'scheduler' exists")
    assert api.command("token", "revoke", "scheduler").returncode == 0
    assert api.get(EMPLOYEES, read).status_code == 401
    assert "revoked" in api.command("token", "list").stdout


@ON_SQLITE  # the schema and the refusals are the same on both databases
def test_the_schema_declares_the_bearer_scheme_and_the_401_and_403_each_call_answers(api: Api) -> None:
    tokens = {scope: api.token(f"caller-{scope}", scope) for scope in ("read", "operate", "pay")}
    schema = api.get("/api/openapi.json", tokens["read"]).json()
    assert schema["components"]["securitySchemes"] == {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "A token made by `hr-assets api token create`, sent as `Authorization: Bearer <token>`.",
        }
    }
    refusal = schema["components"]["schemas"]["Refusal"]
    assert (refusal["required"], refusal["properties"]["detail"]["type"]) == (["detail"], "string")
    operations = [(method, path, op) for path, ops in schema["paths"].items() for method, op in ops.items()]
    assert len(operations) == 9
    forbidden_somewhere = set()
    for method, path, operation in operations:
        assert operation["security"] == [{"bearer": []}], (method, path)
        for code in ("401", "403") if "403" in operation["responses"] else ("401",):
            body = operation["responses"][code]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/Refusal"}, (method, path, code)

        call = api.get if method == "get" else api.post
        concrete = path.replace("{code}", "1001").replace("{period}", "1")
        for token in (None, "hra_wrong"):
            refused = call(concrete, token)
            assert (refused.status_code, refused.json()) == (401, {"detail": "Unauthorized"}), (method, path)
            assert refused.headers["www-authenticate"] == "Bearer"
        for scope, token in tokens.items():
            answer = call(concrete, token)
            if answer.status_code == 403:
                assert answer.json() == {"detail": "This token's scope does not allow this."}
                forbidden_somewhere.add((method, path))
            else:
                assert str(answer.status_code) in operation["responses"], (method, path, scope, answer.status_code)
        # 403 is declared exactly where a token's scope is refused: the POSTs admit operate's, pay results pay's
        assert ("403" in operation["responses"]) == ((method, path) in forbidden_somewhere), (method, path)
    assert forbidden_somewhere == {
        ("post", "/api/paycom/sync/start_sync/"),
        ("post", "/api/paycom/sync/test_connection/"),
        ("get", "/api/payroll/periods/{period}/results/"),  # pay's alone
    }


def test_pay_results_answer_a_pay_token_alone(api: Api, warehouse_url: str) -> None:
    period_id, pending = pay_periods(warehouse_url)  # 1001 worked 7 h 40 min on its first day
    path = f"/api/payroll/periods/{period_id}/results/"
    pay_token = api.token("payroll-office", "pay")
    answer = api.get(path, pay_token)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["id"], body["partition_key"], body["period_type"]) == (
        period_id,
        "2026-11-02..2026-11-15",
        "bi_weekly",
    )
    ana = body["results"][0]
    assert [row["employee_code"] for row in body["results"]] == ["1001", "1002", "1003", "1004"]
    # 460 min x 31.25 / 60 = 239.5833... -> 239.58 (7.67 h x 31.25 would be 239.69)
    assert {name: ana[name] for name in ("name", "regular_minutes", "regular_hours", "gross_pay", "terms")} == {
        "name": "Ana Lopez",
        "regular_minutes": 460,
        "regular_hours": "7.67",
        "gross_pay": "239.58",
        "terms": "hourly 31.2500 x1.5",
    }
    assert (ana["hourly_rate"], ana["overtime_multiplier"], ana["rates"][0]["gross_pay"]) == (
        "31.2500",
        "1.5",
        "239.58",
    )
    dev = body["results"][3]
    assert (dev["terms"], dev["overtime_multiplier"], dev["gross_pay"]) == ("salary 72000.00 a year", None, "2769.23")
    assert "305-555-0100" not in answer.text and "phone" not in answer.text  # codes and names: nothing else
    assert api.get("/api/payroll/periods/2026-11-02..2026-11-15/results/", pay_token).json() == body

    for scope in ("read", "operate"):
        refused = api.get(path, api.token(f"caller-{scope}", scope))
        assert (refused.status_code, refused.json()) == (403, {"detail": "This token's scope does not allow this."})
    assert api.get(path, None).status_code == 401
    assert api.get("/api/payroll/periods/99/results/", pay_token).status_code == 404
    assert api.get("/api/payroll/periods/99999999999/results/", pay_token).status_code == 404
    assert api.get("/api/payroll/periods/January/results/", pay_token).status_code == 404
    not_yet = api.get(f"/api/payroll/periods/{pending}/results/", pay_token)
    assert (not_yet.status_code, not_yet.json()["detail"]) == (409, f"Period {pending} is active, not completed.")
