"""The API's reads of the warehouse: one query per answer, filtered and counted by the database."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from hr_assets.defs.paycom.roster import PERSONAL_FIELDS, ROSTER_FIELDS
from hr_assets.warehouse.tables import paycom_employees, scheduling_staff

PAY_COLUMNS = ("hourly_rate", "annual_salary")
ANSWERED_ROSTER_FIELDS = tuple(name for name in ROSTER_FIELDS if name not in PERSONAL_FIELDS)
EMPLOYEE_COLUMNS = (
    "employee_code",
    *ANSWERED_ROSTER_FIELDS,
    "pay_type",
    "overtime_eligible",
    *PAY_COLUMNS,
    "last_synced_week",
)
STAFF_COLUMNS = (
    "employee_code",
    "display_name",
    "role",
    "available_for_scheduling",
    "max_hours_per_week",
    "weekly_cap_override",
    "scheduling_app_staff_id",
    "hours_as_of",
    "hours_this_week",
    "hours_this_period",
    "hours_this_year",
    "overtime_hours_this_week",
    "hours_left_before_overtime",
    "hours_left_before_cap",
)
NEAR_OVERTIME_HOURS = Decimal(4)


def _employee_select(with_pay: bool) -> sa.Select[Any]:
    employees = paycom_employees
    return sa.select(
        *(
            sa.null().label(name) if name in PAY_COLUMNS and not with_pay else employees.c[name]
            for name in EMPLOYEE_COLUMNS
        )
    )


def _filtered(query: sa.Select[Any], filters: Mapping[str, str | None]) -> sa.Select[Any]:
    employees = paycom_employees
    if filters.get("status"):
        query = query.where(employees.c.status == filters["status"])
    if department := filters.get("department"):
        query = query.where(
            sa.or_(employees.c.department_code == department, employees.c.department_description == department)
        )
    if filters.get("location"):
        query = query.where(employees.c.location_code == filters["location"])
    if position := filters.get("position"):
        query = query.where(sa.func.lower(employees.c.position).contains(position.lower(), autoescape=True))
    if search := filters.get("search"):
        text = search.lower()
        full_name = sa.func.lower(
            sa.func.coalesce(employees.c.first_name, "") + " " + sa.func.coalesce(employees.c.last_name, "")
        )
        query = query.where(
            sa.or_(
                full_name.contains(text, autoescape=True),
                sa.func.lower(employees.c.employee_code).contains(text, autoescape=True),
            )
        )
    return query


def employee_page(
    connection: Connection, filters: Mapping[str, str | None], page: int, page_size: int, with_pay: bool
) -> tuple[int, list[RowMapping]]:
    counted = _filtered(sa.select(sa.func.count()).select_from(paycom_employees), filters)
    count = connection.execute(counted).scalar_one()
    query = (
        _filtered(_employee_select(with_pay), filters)
        .order_by(paycom_employees.c.employee_code)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return count, list(connection.execute(query).mappings())


def employee(connection: Connection, code: str, with_pay: bool) -> RowMapping | None:
    query = _employee_select(with_pay).where(paycom_employees.c.employee_code == code)
    return connection.execute(query).mappings().first()


def available_staff_query() -> sa.Select[Any]:
    """The staff available for scheduling with their hours, and where they work."""
    staff, employees = scheduling_staff, paycom_employees
    return (
        sa.select(
            *(staff.c[name] for name in STAFF_COLUMNS),
            employees.c.department_code,
            employees.c.location_code,
            employees.c.position,
        )
        .select_from(staff.outerjoin(employees, employees.c.employee_code == staff.c.employee_code))
        .where(staff.c.available_for_scheduling.is_(True))
        .order_by(staff.c.employee_code)
    )


def available_staff_json(connection: Connection) -> bytes:
    """``available_staff_query``'s rows as a JSON array, made from the driver's own values.

    The answer holds every available employee (10,000 and more): SQLAlchemy's per-value result processing and a
    model per row would cost several times the query itself, so the database gives the hours as floats, the driver's
    values go to orjson as they are (it writes dates as ISO text), and only SQLite's 0/1 flags become booleans.
    """
    selected = available_staff_query().selected_columns
    as_floats = (
        sa.cast(column, sa.Float).label(column.key) if isinstance(column.type, sa.Numeric) else column
        for column in selected
    )
    query = available_staff_query().with_only_columns(*as_floats, maintain_column_froms=True)
    compiled = query.compile(dialect=connection.dialect)
    if compiled.params:
        raise ValueError("available_staff_query takes no parameters")
    names = [str(column.key) for column in selected]
    rows = [dict(zip(names, row, strict=True)) for row in connection.exec_driver_sql(compiled.string).tuples()]
    flags = [str(column.key) for column in selected if isinstance(column.type, sa.Boolean)]
    if rows and any(not isinstance(rows[0][flag], bool) for flag in flags):
        for row in rows:
            for flag in flags:
                row[flag] = bool(row[flag])
    return orjson.dumps(rows)


def stats(connection: Connection) -> dict[str, Any]:
    employees, staff = paycom_employees, scheduling_staff
    by_status = dict(
        connection.execute(sa.select(employees.c.status, sa.func.count()).group_by(employees.c.status)).tuples().all()
    )
    department = sa.func.coalesce(employees.c.department_description, employees.c.department_code, "")
    by_department = dict(
        connection.execute(
            sa.select(department, sa.func.count()).where(employees.c.status != "terminated").group_by(department)
        )
        .tuples()
        .all()
    )
    left = staff.c.hours_left_before_overtime
    available, unavailable, near, over = connection.execute(
        sa.select(
            sa.func.count().filter(staff.c.available_for_scheduling),
            sa.func.count().filter(sa.not_(staff.c.available_for_scheduling)),
            sa.func.count().filter(left > 0, left <= NEAR_OVERTIME_HOURS),
            sa.func.count().filter(staff.c.overtime_hours_this_week > 0),
        )
    ).one()
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_department": by_department,
        "available_for_scheduling": available,
        "unavailable_for_scheduling": unavailable,
        "near_overtime_this_week": near,
        "in_overtime_this_week": over,
    }
