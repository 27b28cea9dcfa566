"""A deterministic generator of the reports Paycom pushes to SFTP, with Paycom's quirks.

Paycom pushes three "Employee Roster" reports (Directory, Dates, Payees) as Apple Numbers
documents, and pay data as a custom export (CSV, or Numbers). The files written here look like
the real ones:

- one sheet "Sheet 1" holding one table named after the file stem, one header row;
- employee codes are floats (``1234.0``) when numeric and text when not (``01004``, ``1029A``);
- Directory and Payees say ``A | T | V`` for the status, Dates says ``ACTIVE | TERMINATED | ON LEAVE``;
- every date is text ``YYYY-MM-DD`` and a missing date is ``0000-00-00``, never blank;
- department, location and ZIP codes are floats (ZIPs lose their leading zeros); location may be
  an empty cell;
- Payees has ``City`` twice and carries bank routing and account numbers.

The same ``seed`` gives the same employees, and the same employees and ``pushed_at`` give the same
files. Bank details are fake but recognizable, so tests can prove they never reach the warehouse:
a routing code is a 9-digit string starting with ``0``, an account code a 10 to 12 digit string.
"""

from __future__ import annotations

import csv
import hashlib
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

from numbers_parser import Document

Status = Literal["active", "terminated", "on_leave"]
PayType = Literal["hourly", "salary"]

DIRECTORY_COLUMNS = [
    "EECode",
    "EE Name",
    "Nickname",
    "Status",
    "Department",
    "Department Desc",
    "Payroll Profile",
    "Payroll Profile Desc",
    "Location",
    "Location Desc",
    "Work Email",
    "Pers. Email",
    "Phone #",
    "Phone # Type",
    "Secondary Phone #",
    "Secondary Phone Type",
    "Street Address",
    "City",
    "State",
    "Zip",
    "Address Line 2",
    "Mailing Address Line 1",
    "Mailing Address Line 2",
    "Mailing City/Municipality",
    "Mailing State/Province",
    "Mailing Zip Code/Postal Code",
    "Mailing Country Code",
    "Phone # Extention",
    "Secondary Phone # Extension",
]
DATES_COLUMNS = [
    "Client Code",
    "EE Code",
    "EE Name",
    "Status",
    "Department",
    "Department Desc",
    "Payroll Profile",
    "Payroll Profile Desc",
    "Location",
    "Location Desc",
    "Position Family",
    "Position",
    "Employee Added",
    "Birth Date",
    "Hire Date",
    "Re-hire Date",
    "Termination Date",
    "Previous Termination Date",
    "New Hire Report Date",
    "Last Review",
    "Next Review",
    "Last Pay Change",
    "Part-Time to Full-Time",
    "Full-Time to Part-Time",
    "Most Recent Check Date",
    "Cobra Start",
    "Cobra End",
    "On Leave Start",
    "On Leave End",
    "401k Eligibility Date",
    "401k Participation Date",
    "Match Eligibility Date",
]
PAYEES_COLUMNS = [
    "Client Code",
    "EE Code",
    "EE Name",
    "EE Status",
    "Department Code",
    "Department Desc",
    "Payroll Profile Code",
    "Payroll Profile Desc",
    "Location Code",
    "Location Desc",
    "Payee Code",
    "Payee Desc",
    "Case Reference",
    "Street",
    "City",
    "State",
    "Zipcode",
    "First Address",
    "Garn. Type",
    "FIPS Code",
    "Elec Payment",
    "Routing Code",
    "Account Code",
    "Account Type",
    "Address Line 1",
    "Address Line 2",
    "City",
    "State/Province",
    "Zip Code/Postal Code",
    "Country Code",
]
PAY_COLUMNS = [
    "Employee_Code",
    "Employee_Name",
    "Employee_Status",
    "Pay_Type",
    "Rate_1",
    "Annual_Salary",
    "Exempt_Status",
]

NO_DATE = "0000-00-00"
"""How Paycom writes a date that is not there."""

_CLIENT_CODE = "0C4R3"
_EMAIL_DOMAIN = "sandbox-care.example"
_STATUS_LETTER = {"active": "A", "terminated": "T", "on_leave": "V"}
_STATUS_WORD = {"active": "ACTIVE", "terminated": "TERMINATED", "on_leave": "ON LEAVE"}
_PAYROLL_PROFILE = {"hourly": ("HRLY", "Hourly Bi-Weekly"), "salary": ("SAL", "Salaried Bi-Weekly")}

# Hire dates fall in this window; terminations and leaves start before the end of 2023, so any
# push from 2024 on sees a settled history.
_FIRST_HIRE = date(2005, 1, 1)
_LAST_HIRE = date(2023, 6, 30)
_LAST_TERMINATION = date(2023, 12, 31)
_LEAVE_WINDOW_START = date(2023, 10, 1)


@dataclass(frozen=True)
class _Position:
    title: str
    pay_type: PayType
    low: int  # dollars per hour when hourly, per year when salaried
    high: int
    weight: int  # relative head count within the department


@dataclass(frozen=True)
class _Department:
    code: str
    description: str
    position_family: str
    weight: int  # relative head count within the facility
    positions: tuple[_Position, ...]


_DEPARTMENTS = (
    _Department(
        "100",
        "Nursing",
        "Nursing",
        25,
        (
            _Position("Director of Nursing", "salary", 95_000, 130_000, 1),
            _Position("Registered Nurse", "hourly", 34, 48, 6),
            _Position("LPN", "hourly", 24, 32, 8),
        ),
    ),
    _Department(
        "110",
        "Care Aides",
        "Nursing Support",
        30,
        (
            _Position("CNA", "hourly", 16, 22, 8),
            _Position("Medication Aide", "hourly", 18, 24, 2),
        ),
    ),
    _Department(
        "200",
        "Dietary",
        "Food Service",
        15,
        (
            _Position("Dietary Manager", "salary", 48_000, 62_000, 1),
            _Position("Cook", "hourly", 15, 21, 3),
            _Position("Dietary Aide", "hourly", 14, 18, 5),
        ),
    ),
    _Department(
        "300",
        "Housekeeping",
        "Environmental Services",
        15,
        (
            _Position("Housekeeper", "hourly", 14, 18, 4),
            _Position("Laundry Aide", "hourly", 14, 17, 2),
        ),
    ),
    _Department(
        "400",
        "Administration",
        "Administration",
        8,
        (
            _Position("Administrator", "salary", 90_000, 140_000, 1),
            _Position("Business Office Manager", "salary", 50_000, 70_000, 1),
            _Position("Receptionist", "hourly", 15, 19, 2),
        ),
    ),
    _Department(
        "500",
        "Activities",
        "Activities",
        7,
        (
            _Position("Activities Director", "salary", 45_000, 60_000, 1),
            _Position("Activities Coordinator", "hourly", 17, 23, 3),
        ),
    ),
)

_LOCATIONS = {"10": "Main Campus", "20": "Memory Care Wing", "30": "Rehab Center"}

_FIRST_NAMES = (
    "Maria",
    "James",
    "Aisha",
    "Robert",
    "Linda",
    "Michael",
    "Keisha",
    "David",
    "Jennifer",
    "Carlos",
    "Patricia",
    "Thomas",
    "Nguyen",
    "Susan",
    "Daniel",
    "Fatima",
    "Joseph",
    "Karen",
    "Luis",
    "Emily",
    "Anthony",
    "Grace",
    "Kevin",
    "Rosa",
    "Brian",
    "Mei",
    "Sean",
    "Olivia",
)
_LAST_NAMES = (
    "Smith",
    "Johnson",
    "Garcia",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Tran",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "Lee",
    "O'Neil",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "Smith-Jones",
    "King",
    "Wright",
    "Lopez",
)
_NICKNAMES = {
    "James": "Jim",
    "Robert": "Bob",
    "Michael": "Mike",
    "David": "Dave",
    "Jennifer": "Jen",
    "Patricia": "Pat",
    "Thomas": "Tom",
    "Daniel": "Dan",
    "Joseph": "Joe",
    "Anthony": "Tony",
}
_STREETS = ("Maple St", "Oak Ave", "Pine Rd", "Elm St", "Cedar Ln", "Washington St", "Park Ave")
# (city, state, ZIP as text, phone area code): several ZIPs start with 0, which Paycom loses.
_CITIES = (
    ("Boston", "MA", "02134", "617"),
    ("Amherst", "MA", "01002", "413"),
    ("Hartford", "CT", "06103", "860"),
    ("Concord", "NH", "03301", "603"),
    ("Albany", "NY", "12207", "518"),
    ("Providence", "RI", "02903", "401"),
)
# (payee code, payee description, garnishment type, street, city, state, ZIP, FIPS code or None)
_PAYEES = (
    ("MASDU", "MA Child Support Disbursement", "Child Support", "PO Box 4000", "Boston", "MA", "02205", "25000"),
    ("CTSDU", "CT Child Support Disbursement", "Child Support", "PO Box 9000", "Hartford", "CT", "06199", "09000"),
    ("IRSLV", "Federal Tax Levy Unit", "Federal Tax Levy", "PO Box 2000", "Albany", "NY", "12212", None),
    ("ACMEC", "Acme Collections LLC", "Creditor Garnishment", "100 Main St", "Providence", "RI", "02903", None),
)


@dataclass(frozen=True)
class SandboxEmployee:
    """One employee as the sandbox knows it: the truth the generated reports are written from."""

    code: str
    first_name: str
    last_name: str
    status: Status
    department_code: str
    department_description: str
    position_family: str
    position: str
    location_code: str | None
    work_email: str
    hire_date: date
    rehire_date: date | None
    termination_date: date | None
    birth_date: date
    pay_type: PayType
    hourly_rate: Decimal | None
    annual_salary: Decimal | None
    overtime_exempt: bool

    @property
    def ee_name(self) -> str:
        """The name as Paycom writes it: ``Last, First``."""
        return f"{self.last_name}, {self.first_name}"


def sandbox_employees(count: int, seed: int = 7) -> list[SandboxEmployee]:
    """``count`` employees of a care facility; the same ``seed`` always gives the same list, and
    a longer list starts with the shorter one."""
    rng = random.Random(seed)
    statuses = _statuses(random.Random(f"{seed}:statuses"), count)
    used_emails: set[str] = set()
    return [_random_employee(rng, index, statuses[index], used_emails) for index in range(count)]


def _statuses(rng: random.Random, count: int) -> list[Status]:
    """80% active, 10% terminated, 10% on leave: each block of ten is eight, one and one, shuffled,
    so even a small sample holds every status."""
    statuses: list[Status] = []
    while len(statuses) < count:
        block: list[Status] = ["active"] * 8 + ["terminated", "on_leave"]
        rng.shuffle(block)
        statuses.extend(block)
    return statuses[:count]


def _employee_code(index: int) -> str:
    """``1001``, ``1002``, ...; every 25th code (from the 4th) is text, as some Paycom codes are.

    The text codes alternate between a leading zero (``01004``) and a letter suffix (``1029A``),
    so even 30 employees show both kinds.
    """
    number = 1001 + index
    if index % 25 != 3:
        return str(number)
    return f"0{number}" if index % 50 == 3 else f"{number}A"


def _random_employee(rng: random.Random, index: int, status: Status, used_emails: set[str]) -> SandboxEmployee:
    code = _employee_code(index)
    first_name, last_name = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    department = rng.choices(_DEPARTMENTS, weights=[d.weight for d in _DEPARTMENTS])[0]
    position = rng.choices(department.positions, weights=[p.weight for p in department.positions])[0]
    location_code = rng.choices([*_LOCATIONS, None], weights=(50, 20, 15, 15))[0]
    hire_date = _random_date(rng, _FIRST_HIRE, _LAST_HIRE)
    rehire_date = _random_rehire_date(rng, hire_date)
    termination_date = (
        _random_date(rng, (rehire_date or hire_date) + timedelta(days=30), _LAST_TERMINATION)
        if status == "terminated"
        else None
    )
    birth_date = hire_date - timedelta(days=rng.randint(18 * 365, 60 * 365))
    pay = rng.randint(position.low * 100, position.high * 100)  # cents: per hour or per year
    hourly = position.pay_type == "hourly"
    return SandboxEmployee(
        code=code,
        first_name=first_name,
        last_name=last_name,
        status=status,
        department_code=department.code,
        department_description=department.description,
        position_family=department.position_family,
        position=position.title,
        location_code=location_code,
        work_email=_unique_email(first_name, last_name, code, used_emails),
        hire_date=hire_date,
        rehire_date=rehire_date,
        termination_date=termination_date,
        birth_date=birth_date,
        pay_type=position.pay_type,
        hourly_rate=Decimal(pay).scaleb(-2) if hourly else None,
        annual_salary=None if hourly else Decimal(pay // 100).quantize(Decimal("0.01")),
        overtime_exempt=not hourly,
    )


def _random_date(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _random_rehire_date(rng: random.Random, hire_date: date) -> date | None:
    """About one employee in ten came back after leaving; the rehire is never after ``_LAST_HIRE``."""
    if rng.random() >= 0.1:
        return None
    rehire_date = hire_date + timedelta(days=rng.randint(400, 2000))
    return rehire_date if rehire_date <= _LAST_HIRE else None


def _unique_email(first_name: str, last_name: str, code: str, used: set[str]) -> str:
    local = ".".join("".join(ch for ch in name.lower() if ch.isalnum()) for name in (first_name, last_name))
    email = f"{local}@{_EMAIL_DOMAIN}"
    if email in used:
        email = f"{local}.{code.lower()}@{_EMAIL_DOMAIN}"
    used.add(email)
    return email


def paycom_file_name(report: str, pushed_at: datetime, token: str, extension: str) -> str:
    """Paycom's name for a pushed file: ``20240108060000_Employee_Dates_1a2b3c4d_EmployeeRoster.numbers``.

    ``report`` is ``Directory``, ``Dates``, ``Payees`` (roster reports) or ``Pay`` (the custom
    export, named ``..._Employee_Pay_<token>_CustomExport.<extension>``); the timestamp is
    ``pushed_at``'s wall clock and ``token`` is 8 lowercase hex digits.
    """
    kind = "CustomExport" if report == "Pay" else "EmployeeRoster"
    return f"{pushed_at:%Y%m%d%H%M%S}_Employee_{report}_{token}_{kind}.{extension}"


def _token(report: str, pushed_at: datetime) -> str:
    """The 8 hex digits of a file name, derived from the report and the push time (deterministic)."""
    return hashlib.sha256(f"{report}:{pushed_at:%Y%m%d%H%M%S}".encode()).hexdigest()[:8]


def write_numbers_table(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    """Write one Numbers document: sheet "Sheet 1", one table named ``path.stem``, one header row.

    Cells take str, int, float, bool, datetime or timedelta (numbers-parser refuses ``Decimal``
    and ``date``); ``None`` leaves the cell empty. Rows may be wider than the header.
    """
    num_cols = max([len(header), *(len(row) for row in rows)])
    document = Document(
        sheet_name="Sheet 1",
        table_name=path.stem,
        num_header_rows=1,
        num_header_cols=0,
        num_rows=len(rows) + 1,
        num_cols=num_cols,
    )
    table = document.sheets[0].tables[0]
    for row_index, row in enumerate([header, *rows]):
        for col_index, value in enumerate(row):
            if value is not None:
                table.write(row_index, col_index, value)
    document.save(path)
    return path


def write_paycom_reports(
    directory: Path,
    employees: list[SandboxEmployee],
    pushed_at: datetime,
    *,
    pay_report_format: str = "csv",
) -> dict[str, Path]:
    """Write one Paycom push into ``directory``: the three roster reports and the pay export.

    Returns the paths by report: ``directory``, ``dates``, ``payees`` and ``pay``. Payees lists
    the garnished employees only (one in ten). ``pay_report_format`` is ``csv`` or ``numbers``.
    """
    if pay_report_format not in ("csv", "numbers"):
        raise ValueError(f"pay_report_format must be 'csv' or 'numbers', not {pay_report_format!r}")
    directory.mkdir(parents=True, exist_ok=True)
    as_of = pushed_at.date()

    def path_for(report: str, extension: str) -> Path:
        return directory / paycom_file_name(report, pushed_at, _token(report, pushed_at), extension)

    paths = {
        "directory": write_numbers_table(
            path_for("Directory", "numbers"), DIRECTORY_COLUMNS, [_directory_row(e) for e in employees]
        ),
        "dates": write_numbers_table(
            path_for("Dates", "numbers"), DATES_COLUMNS, [_dates_row(e, as_of) for e in employees]
        ),
        "payees": write_numbers_table(
            path_for("Payees", "numbers"), PAYEES_COLUMNS, [_payee_row(e) for e in employees[::10]]
        ),
    }
    pay_path = path_for("Pay", pay_report_format)
    if pay_report_format == "numbers":
        paths["pay"] = write_numbers_table(pay_path, PAY_COLUMNS, [_pay_row(e, _code_cell(e.code)) for e in employees])
    else:
        paths["pay"] = _write_csv(pay_path, PAY_COLUMNS, [_pay_row(e, e.code) for e in employees])
    return paths


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    """UTF-8 CSV with a header row; ``None`` becomes an empty field."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# --- cell values, with Paycom's quirks ---------------------------------------------------------


def _code_cell(code: str) -> float | str:
    """A numeric employee code becomes a float (``1234.0``); ``01004`` or ``1029A`` stay text."""
    return float(code) if code.isdigit() and not code.startswith("0") else code


def _float_cell(value: str | None) -> float | None:
    """Department, location, ZIP and FIPS codes are floats; ``02134`` becomes ``2134.0``."""
    return float(value) if value else None


def _date_cell(value: date | None) -> str:
    return value.isoformat() if value else NO_DATE


def _money_text(amount: Decimal | None) -> str | None:
    """``Decimal('1234.5')`` -> ``'1,234.50'``, as Paycom's custom exports write money."""
    return f"{amount:,.2f}" if amount is not None else None


def _filler_rng(report: str, employee: SandboxEmployee) -> random.Random:
    """Values that are not in ``SandboxEmployee`` (phones, addresses, ...) come from this, so they
    stay the same for an employee from one push to the next."""
    return random.Random(f"{report}:{employee.code}")


def _organisation_cells(employee: SandboxEmployee) -> list[object]:
    """Department, payroll profile and location: the same six cells in every roster report."""
    profile_code, profile_description = _PAYROLL_PROFILE[employee.pay_type]
    return [
        _float_cell(employee.department_code),
        employee.department_description,
        profile_code,
        profile_description,
        _float_cell(employee.location_code),
        _LOCATIONS.get(employee.location_code or ""),
    ]


def _directory_row(employee: SandboxEmployee) -> list[object]:
    rng = _filler_rng("Directory", employee)
    city, state, zip_code, area_code = rng.choice(_CITIES)
    street = f"{rng.randint(10, 9999)} {rng.choice(_STREETS)}"
    has_mailing_address = rng.random() < 0.2
    has_secondary_phone = rng.random() < 0.3
    personal_email = f"{employee.first_name[0]}{employee.last_name}{rng.randint(1, 99)}@mail.example"
    return [
        _code_cell(employee.code),
        employee.ee_name,
        _NICKNAMES.get(employee.first_name) if rng.random() < 0.5 else None,
        _STATUS_LETTER[employee.status],
        *_organisation_cells(employee),
        employee.work_email,
        personal_email.lower().replace("'", "") if rng.random() < 0.7 else None,
        f"{area_code}-555-01{rng.randint(0, 99):02d}",
        rng.choice(("Mobile", "Home")),
        f"{area_code}-555-01{rng.randint(0, 99):02d}" if has_secondary_phone else None,
        "Home" if has_secondary_phone else None,
        street,
        city,
        state,
        _float_cell(zip_code),
        f"Apt {rng.randint(1, 30)}" if rng.random() < 0.2 else None,
        f"PO Box {rng.randint(100, 9999)}" if has_mailing_address else None,
        None,
        city if has_mailing_address else None,
        state if has_mailing_address else None,
        _float_cell(zip_code) if has_mailing_address else None,
        "US" if has_mailing_address else None,
        None,
        None,
    ]


def _dates_row(employee: SandboxEmployee, as_of: date) -> list[object]:
    rng = _filler_rng("Dates", employee)
    started = employee.rehire_date or employee.hire_date
    terminated = employee.termination_date
    last_review, next_review = (None, None) if terminated else _review_dates(started, as_of)
    eligibility = started + timedelta(days=365)
    cells: list[date | None] = [
        employee.hire_date - timedelta(days=rng.randint(3, 14)),  # Employee Added
        employee.birth_date,
        employee.hire_date,
        employee.rehire_date,
        terminated,
        employee.rehire_date - timedelta(days=rng.randint(30, 300)) if employee.rehire_date else None,
        started + timedelta(days=7),  # New Hire Report Date
        last_review,
        next_review,
        last_review,  # Last Pay Change: raises come with reviews
        None,  # Part-Time to Full-Time
        None,  # Full-Time to Part-Time
        terminated or as_of - timedelta(days=(as_of.weekday() - 4) % 7),  # last Friday's check
        terminated + timedelta(days=1) if terminated else None,  # Cobra Start
        terminated + timedelta(days=548) if terminated else None,  # Cobra End: 18 months
        _leave_start(rng) if employee.status == "on_leave" else None,
        None,  # On Leave End
        eligibility,
        eligibility if rng.random() < 0.6 else None,  # 401k Participation Date
        eligibility,  # Match Eligibility Date
    ]
    return [
        _CLIENT_CODE,
        _code_cell(employee.code),
        employee.ee_name,
        _STATUS_WORD[employee.status],
        *_organisation_cells(employee),
        employee.position_family,
        employee.position,
        *(_date_cell(value) for value in cells),
    ]


def _leave_start(rng: random.Random) -> date:
    """Leaves began in late 2023, so the date does not move from one weekly push to the next."""
    return _LEAVE_WINDOW_START + timedelta(days=rng.randint(0, 90))


def _review_dates(started: date, as_of: date) -> tuple[date | None, date]:
    """The last yearly review before ``as_of`` (none in the first year) and the next one."""
    years = max(0, (as_of - started).days // 365)
    last_review = started + timedelta(days=365 * years) if years > 0 else None
    return last_review, started + timedelta(days=365 * (years + 1))


def _payee_row(employee: SandboxEmployee) -> list[object]:
    """A garnishment payee, bank details included (fake, and shaped so tests can look for them)."""
    rng = _filler_rng("Payees", employee)
    payee_code, description, garnishment_type, street, city, state, zip_code, fips = rng.choice(_PAYEES)
    return [
        _CLIENT_CODE,
        _code_cell(employee.code),
        employee.ee_name,
        _STATUS_LETTER[employee.status],
        *_organisation_cells(employee),
        payee_code,
        description,
        f"{payee_code}-{rng.randint(100_000, 999_999)}",  # Case Reference
        street,
        city,
        state,
        _float_cell(zip_code),
        street,  # First Address
        garnishment_type,
        _float_cell(fips),
        "Y",  # Elec Payment
        f"0{rng.randint(10_000_000, 99_999_999)}",  # Routing Code: 9 digits, leading 0
        str(rng.randint(10**9, 10**12 - 1)),  # Account Code: 10 to 12 digits
        "Checking",
        street,
        None,
        city,
        state,
        _float_cell(zip_code),
        "US",
    ]


def _pay_row(employee: SandboxEmployee, code: float | str) -> list[object]:
    """A row of the pay custom export; the export's status words are the Dates report's."""
    return [
        code,
        employee.ee_name,
        _STATUS_WORD[employee.status],
        "Hourly" if employee.pay_type == "hourly" else "Salary",
        _money_text(employee.hourly_rate),
        _money_text(employee.annual_salary),
        "Exempt" if employee.overtime_exempt else "Non-Exempt",
    ]
