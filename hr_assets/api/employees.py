"""``/api/paycom/employees/``: the roster, the staff the scheduling side can plan with, and counts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response

from hr_assets.api import queries
from hr_assets.api.auth import UNAUTHORIZED, Caller, reader
from hr_assets.api.schemas import Employee, EmployeePage, StaffMember, Stats, Status

router = APIRouter(prefix="/api/paycom/employees", tags=["employees"], responses=UNAUTHORIZED)
Text = Annotated[str | None, Query(min_length=1, max_length=200)]


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json")


@router.get("/", response_model=EmployeePage, summary="Employees, filtered and paginated")
def employees(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    status: Status | None = None,
    department: Text = None,
    location: Text = None,
    position: Text = None,
    search: Annotated[str | None, Query(min_length=1, max_length=200, description="In the name or the code.")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> EmployeePage:
    filters = {"status": status, "department": department, "location": location, "position": position}
    with request.app.state.engine.connect() as connection:
        count, rows = queries.employee_page(connection, {**filters, "search": search}, page, page_size, caller.sees_pay)
    return EmployeePage(count=count, page=page, page_size=page_size, results=[Employee(**row) for row in rows])


@router.get("/active/", response_model=list[Employee], summary="Active employees")
def active(request: Request, caller: Annotated[Caller, Depends(reader)]) -> list[Employee]:
    with request.app.state.engine.connect() as connection:
        _, rows = queries.employee_page(connection, {"status": "active"}, 1, 1_000_000, caller.sees_pay)
    return [Employee(**row) for row in rows]


@router.get(
    "/available_for_scheduling/",
    response_model=list[StaffMember],
    summary="Staff available for scheduling, with their hours and what is left of their cap",
)
def available_for_scheduling(request: Request, _: Annotated[Caller, Depends(reader)]) -> Response:
    with request.app.state.engine.connect() as connection:
        return _json(queries.available_staff_json(connection))


@router.get("/stats/", response_model=Stats, summary="Counts by status, department, availability and overtime")
def stats(request: Request, _: Annotated[Caller, Depends(reader)]) -> Stats:
    with request.app.state.engine.connect() as connection:
        return Stats(**queries.stats(connection))


@router.get(
    "/{code}/", response_model=Employee, responses={404: {"description": "No such employee"}}, summary="One employee"
)
def employee(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    code: Annotated[str, Path(min_length=1, max_length=32)],
) -> Employee:
    with request.app.state.engine.connect() as connection:
        row = queries.employee(connection, code, caller.sees_pay)
    if row is None:
        raise HTTPException(status_code=404, detail="No such employee.")
    return Employee(**row)
