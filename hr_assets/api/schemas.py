"""What the API answers, as its OpenAPI schema says. Pay rates, salaries and pay results only to a token of scope
``pay``; bank data, birth dates and addresses are never in the warehouse, so never here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

Status = Literal["active", "on_leave", "terminated"]
ReportType = Literal["directory", "dates", "payees", "pay", "all"]


class Employee(BaseModel):
    employee_code: str
    first_name: str | None
    last_name: str | None
    status: str
    department_code: str | None
    department_description: str | None
    position: str | None
    position_family: str | None
    location_code: str | None
    work_email: str | None
    hire_date: dt.date | None
    rehire_date: dt.date | None
    termination_date: dt.date | None
    pay_type: str | None
    overtime_eligible: bool | None
    hourly_rate: Decimal | None  # scope pay only
    annual_salary: Decimal | None  # scope pay only
    last_synced_week: dt.date


class EmployeePage(BaseModel):
    count: int
    page: int
    page_size: int
    results: list[Employee]


class StaffMember(BaseModel):
    employee_code: str
    display_name: str
    role: str
    department_code: str | None
    location_code: str | None
    position: str | None
    available_for_scheduling: bool
    max_hours_per_week: int
    weekly_cap_override: int | None
    scheduling_app_staff_id: str | None
    hours_as_of: dt.date | None
    hours_this_week: float | None  # hours, to the hundredth
    hours_this_period: float | None  # hours, to the hundredth
    hours_this_year: float | None  # hours, to the hundredth
    overtime_hours_this_week: float | None  # hours, to the hundredth
    hours_left_before_overtime: float | None  # hours, to the hundredth
    hours_left_before_cap: float | None  # hours, to the hundredth


class Stats(BaseModel):
    total: int
    by_status: dict[str, int]
    by_department: dict[str, int]
    available_for_scheduling: int
    unavailable_for_scheduling: int
    near_overtime_this_week: int  # overtime-eligible, at most NEAR_OVERTIME_HOURS left before it
    in_overtime_this_week: int


class SyncFile(BaseModel):
    file_name: str
    report_type: str
    status: str


class Sync(BaseModel):
    run_id: str
    sync_week: dt.date
    status: str
    started_at: dt.datetime
    completed_at: dt.datetime | None
    files_processed: int
    employees_processed: int
    employees_created: int
    employees_updated: int
    employees_terminated: int
    rows_invalid: int
    files: list[SyncFile]


class SyncStatus(BaseModel):
    last_syncs: list[Sync]
    next_scheduled_sync: dt.datetime


class StartSync(BaseModel):
    report_type: ReportType = "all"
    force: bool = False


class StartedSync(BaseModel):
    run_id: str
    week: dt.date
    url: str


class ConnectionTest(BaseModel):
    ok: bool
    message: str


class PayRate(BaseModel):
    """One run of days of the period paid with the same terms."""

    first_day: dt.date
    last_day: dt.date
    pay_type: str | None
    hourly_rate: Decimal | None
    annual_salary: Decimal | None
    overtime_multiplier: Decimal | None  # hourly, overtime-eligible terms only
    paid_days: int
    regular_minutes: int
    overtime_minutes: int
    regular_hours: Decimal  # the minutes, to the hundredth
    overtime_hours: Decimal
    gross_pay: Decimal


class PayResult(BaseModel):
    """One employee's pay for the period: code and name, hours, terms and gross pay; no other data of the person."""

    employee_code: str
    name: str | None
    pay_type: str | None  # the period's own roster's terms (its last day); each run's are in rates
    hourly_rate: Decimal | None
    annual_salary: Decimal | None
    overtime_multiplier: Decimal | None
    paid_days: int
    regular_minutes: int
    overtime_minutes: int
    regular_hours: Decimal
    overtime_hours: Decimal
    gross_pay: Decimal  # to the cent, from the exact minutes
    terms: str
    note: str | None
    rates: list[PayRate]


class PeriodPay(BaseModel):
    id: int
    partition_key: str
    period_type: str
    start_date: dt.date
    end_date: dt.date
    processed_at: dt.datetime | None
    results: list[PayResult]
