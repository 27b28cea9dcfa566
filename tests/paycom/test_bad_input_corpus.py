"""A corpus of bad Paycom inputs, each run into the real warehouse (SQLite and PostgreSQL) the way a sync runs it:
the week's files recorded as downloaded, then ``ingest_week`` (what ``paycom_employees`` runs) on them.

Every case starts from a clean push of six employees, last week's already synced, damages one report of this
week (a Numbers document written with numbers-parser, or the pay export's CSV bytes), and asserts:

- what is reported: the week's ``integration_errors``, exactly (file, row, field, reason);
- what is stored: the fields named, and that no other employee appears;
- that every row is accounted for: each non-blank row of each readable report is an employee (or payee) stored
  from it, or an error naming its row.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from numbers_parser import Document

from hr_assets.defs.paycom import store
from hr_assets.defs.paycom.ingest import SOURCE, ingest_week
from hr_assets.defs.shared.companies import DateFormat
from hr_assets.warehouse.engine import warehouse_engine
from hr_assets.warehouse.stored_files import store_path
from hr_assets.warehouse.tables import integration_errors, paycom_employee_snapshots, paycom_employees, paycom_payees
from hr_sandbox.paycom_reports import (
    DIRECTORY_COLUMNS,
    paycom_file_name,
    sandbox_employees,
    write_numbers_table,
    write_paycom_reports,
)

LAST_WEEK, WEEK = dt.date(2026, 11, 13), dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC)
ROSTER = [
    dataclasses.replace(e, pay_type="salary", hourly_rate=None, annual_salary=Decimal("61000.00"), overtime_exempt=True)
    if e.code == "1003"
    else e
    for e in sandbox_employees(6)
]
CODES = [e.code for e in ROSTER]  # 1001, 1002, 1003, 01004, 1005, 1006: rows 2 to 7 of every report
TRUTH = {e.code: e for e in ROSTER}
REPORT_NAMES = {"directory": "Directory", "dates": "Dates", "payees": "Payees", "pay": "Pay"}
NOT_USED = "; the row was not used"
ACCOUNTED_BY_CODE = {"directory", "dates", "pay"}


@dataclass
class Table:
    header: list[Any]
    rows: list[list[Any]]

    def column(self, name: str) -> int:
        return self.header.index(name)

    def set(self, code: str, name: str, value: Any) -> None:
        self.rows[CODES.index(code)][self.column(name)] = value


@dataclass
class Week:
    """One push as lists of cells (the roster reports, and the pay export as Numbers) or CSV lines."""

    tables: dict[str, Table]
    pay_lines: list[str]
    pay_format: str = "csv"
    pay_encoding: str = "utf-8"
    pay_newline: str = "\n"
    raw: dict[str, bytes] = field(default_factory=dict)  # a report's bytes as they are, unreadable on purpose
    # A report written as its own Numbers document (several sheets or tables, styles, merged cells).
    documents: dict[str, Callable[[Path, Table], None]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def clean_push(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_paycom_reports(tmp_path_factory.mktemp("clean"), ROSTER, dt.datetime(2026, 11, 12, 18))


@pytest.fixture(scope="module")
def clean_week(clean_push: dict[str, Path]) -> Week:
    tables = {}
    for report in ("directory", "dates", "payees"):
        header, *rows = Document(str(clean_push[report])).sheets[0].tables[0].rows(values_only=True)
        tables[report] = Table(list(header), [list(row) for row in rows])
    header, *rows = csv.reader(io.StringIO(clean_push["pay"].read_text(encoding="utf-8")))
    tables["pay"] = Table(header, [[cell or None for cell in row] for row in rows])
    return Week(tables, clean_push["pay"].read_text(encoding="utf-8").splitlines())


def copy_of(week: Week) -> Week:
    """A week to damage, leaving the module's clean one as it is."""
    return dataclasses.replace(
        week,
        tables={name: Table(list(t.header), [list(row) for row in t.rows]) for name, t in week.tables.items()},
        pay_lines=list(week.pay_lines),
        raw={},
        documents={},
    )


def write_week(week: Week, directory: Path, pushed_at: dt.datetime) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for report, title in REPORT_NAMES.items():
        extension = week.pay_format if report == "pay" else "numbers"
        path = directory / paycom_file_name(title, pushed_at, f"{len(report):08x}", extension)
        if report in week.raw:
            path.write_bytes(week.raw[report])
        elif report in week.documents:
            week.documents[report](path, week.tables[report])
        elif report == "pay" and week.pay_format == "csv":
            text = week.pay_newline.join(week.pay_lines) + week.pay_newline
            path.write_bytes(text.encode(week.pay_encoding))
        else:
            write_numbers_table(path, week.tables[report].header, week.tables[report].rows)
        paths[report] = path
    return paths


def ingest(
    engine: sa.Engine, week_of: dt.date, paths: dict[str, Path], date_format: DateFormat = DateFormat.MDY
) -> None:
    """What a sync does with the week's downloaded files: store and record them, then read them into the warehouse."""
    with engine.begin() as connection:
        store.replace_files(
            connection,
            week_of,
            [
                {
                    "file_name": path.name,
                    "report_type": report,
                    "size_bytes": path.stat().st_size,
                    "sha256": None,
                    "downloaded_at": NOW,
                    "status": "downloaded",
                    "error_message": None,
                    "stored_file_id": store_path(connection, source=SOURCE, path=path, now=NOW).id,
                }
                for report, path in paths.items()
            ],
        )
        store.start_sync(connection, f"run-{week_of}", week_of, "all", False, NOW, len(paths))
        ingest_week(connection, week=week_of, run_id=f"run-{week_of}", now=NOW, date_format=date_format)


@dataclass(frozen=True)
class Case:
    id: str
    damage: Callable[[Week], None]
    errors: list[tuple[str, int | None, str | None, str]]  # (report, row, field, reason); reason may end in "..."
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    employees: int = 6  # how many employees this week's snapshot holds
    payee_rows: tuple[int, ...] = (2,)  # the Payees rows stored
    last_week: bool = True


def _set(report: str, code: str, name: str, value: Any) -> Callable[[Week], None]:
    return lambda week: week.tables[report].set(code, name, value)


def _pay_line(code: str, line: str) -> Callable[[Week], None]:
    def damage(week: Week) -> None:
        week.pay_lines[1 + CODES.index(code)] = line

    return damage


def _append(report: str, row: list[Any]) -> Callable[[Week], None]:
    def damage(week: Week) -> None:
        width = len(week.tables[report].header)
        week.tables[report].rows.append(row + [None] * (width - len(row)))

    return damage


def _several(*damages: Callable[[Week], None]) -> Callable[[Week], None]:
    def damage(week: Week) -> None:
        for each in damages:
            each(week)

    return damage


def _pay_text(encoding: str, newline: str = "\n", delimiter: str = ",") -> Callable[[Week], None]:
    def damage(week: Week) -> None:
        week.pay_encoding, week.pay_newline = encoding, newline
        if delimiter != ",":
            week.pay_lines = [delimiter.join(row) for row in csv.reader(week.pay_lines)]

    return damage


def _raw(report: str, data: bytes) -> Callable[[Week], None]:
    return lambda week: week.raw.__setitem__(report, data)


def _document(report: str, write: Callable[[Path, Table], None]) -> Callable[[Week], None]:
    return lambda week: week.documents.__setitem__(report, write)


def _write_table(table: Any, header: list[Any], rows: list[list[Any]]) -> None:
    for row_index, row in enumerate([header, *rows]):
        for column, value in enumerate(row):
            if value is not None:
                table.write(row_index, column, value)


def _cover_sheet_first(path: Path, report: Table) -> None:
    document = Document(sheet_name="Cover", table_name="About", num_header_rows=1, num_rows=3, num_cols=2)
    _write_table(document.sheets[0].tables[0], ["Report", "Pushed"], [["Employee Directory", "2026-11-19"]])
    document.add_sheet("Sheet 1", path.stem, num_rows=len(report.rows) + 1, num_cols=len(report.header))
    _write_table(document.sheets[1].tables[0], report.header, report.rows)
    document.save(path)


def _summary_table_first(path: Path, report: Table) -> None:
    document = Document(sheet_name="Sheet 1", table_name="Summary", num_header_rows=1, num_rows=2, num_cols=2)
    _write_table(document.sheets[0].tables[0], ["Employees", "Active"], [[6, 5]])
    roster = document.sheets[0].add_table(
        path.stem, num_rows=len(report.rows) + 1, num_cols=len(report.header), num_header_rows=1, num_header_cols=0
    )
    _write_table(roster, report.header, report.rows)
    document.save(path)


def _styled(path: Path, report: Table) -> None:
    write_numbers_table(path, report.header, report.rows)
    document = Document(str(path))
    table = document.sheets[0].tables[0]
    loud = document.add_style(name="Loud", bold=True, italic=True, font_color=(200, 0, 0), bg_color=(250, 250, 0))
    for column in range(len(report.header)):
        table.set_cell_style(0, column, loud)
    table.set_cell_style(3, 1, loud)
    document.save(path)


def _merged_code_cells(path: Path, report: Table) -> None:
    """Rows 3 and 4 (1002 and 1003) share one merged code cell: the second row's code reads as empty."""
    write_numbers_table(path, report.header, report.rows)
    document = Document(str(path))
    document.sheets[0].tables[0].merge_cells("A3:A4")
    document.save(path)


def _no_table_has_the_columns(path: Path, report: Table) -> None:
    without_status = [name for name in report.header if name != "Status"]
    rows = [[cell for name, cell in zip(report.header, row, strict=True) if name != "Status"] for row in report.rows]
    document = Document(sheet_name="Sheet 1", table_name="Summary", num_header_rows=1, num_rows=2, num_cols=2)
    _write_table(document.sheets[0].tables[0], ["Employees", "Active"], [[6, 5]])
    roster = document.sheets[0].add_table(
        path.stem, num_rows=len(rows) + 1, num_cols=len(without_status), num_header_rows=1, num_header_cols=0
    )
    _write_table(roster, without_status, rows)
    document.save(path)


def _truncated(path: Path, report: Table) -> None:
    write_numbers_table(path, report.header, report.rows)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _pay_as_numbers(week: Week) -> None:
    week.pay_format = "numbers"
    table = week.tables["pay"]
    for row in table.rows:
        row[0] = float(row[0]) if not row[0].startswith("0") else row[0]
        for column in (table.column("Rate_1"), table.column("Annual_Salary")):
            row[column] = float(row[column].replace(",", "")) if row[column] else None


def _pay_numbers_cell(code: str, name: str, value: Any) -> Callable[[Week], None]:
    return _several(_pay_as_numbers, _set("pay", code, name, value))


HOSTILE = "9" * 10_000
STATUS_REASON = "is not a status (expected A, T, V, ACTIVE, TERMINATED or ON LEAVE)"

CASES = [
    # --- Directory (Numbers) -------------------------------------------------------------------------------
    Case(
        "directory: a department code read with float noise is its integer",
        _set("directory", "1002", "Department", 12.0),  # numbers-parser reads it as 12.000000000000002
        errors=[],
        stored={"1002": {"department_code": "12"}},
    ),
    Case(
        "directory: a date cell as department is that field's error, the employee stays",
        _set("directory", "1003", "Department", dt.datetime(2024, 1, 1)),
        errors=[("directory", 4, "Department", "a date cell is not a code")],
        stored={"1003": {"department_code": "200", "status": "active"}},
    ),
    Case(
        "directory: a date cell as employee code is no employee",
        _set("directory", "1002", "EECode", dt.datetime(2001, 1, 1)),
        errors=[("directory", 3, "EECode", "a date cell is not an employee code" + NOT_USED)],
        stored={"1002": {"last_name": "Johnson", "status": "active"}},
    ),
    Case(
        "directory: a duration cell as employee code is no employee",
        _set("directory", "1003", "EECode", dt.timedelta(hours=8)),
        errors=[("directory", 4, "EECode", "a duration cell is not an employee code" + NOT_USED)],
    ),
    Case(
        "directory: a blank name is reported and the Dates name is used",
        _set("directory", "1001", "EE Name", None),
        errors=[("directory", 2, "EE Name", "the name is empty")],
        stored={"1001": {"first_name": "Patricia", "last_name": "Brown"}},
        last_week=False,
    ),
    Case(
        "directory: a merged code cell leaves the second row without a code",
        _document("directory", _merged_code_cells),
        errors=[("directory", 4, "EECode", "the employee code is empty" + NOT_USED)],
        stored={"1003": {"department_code": "200"}},
    ),
    Case(
        "directory: a Total footer is not an employee",
        _append("directory", ["Total: 6"]),
        errors=[("directory", 8, "EECode", "'Total: 6' is not an employee code (letters and digits)" + NOT_USED)],
    ),
    Case(
        "directory: a 10,000-character code is refused before the database",
        _set("directory", "1002", "EECode", HOSTILE),
        errors=[("directory", 3, "EECode", "is 10000 characters long; at most 32 are stored" + NOT_USED)],
    ),
    Case(
        "directory: a 10,000-character last name is that field's error",
        _set("directory", "1002", "EE Name", "N" * 10_000 + ", Keisha"),
        errors=[("directory", 3, "EE Name", "is 10000 characters long; at most 100 are stored")],
        stored={"1002": {"last_name": "Johnson", "first_name": "Keisha"}},
    ),
    Case(
        "directory: an unknown status is reported; Dates' status stands",
        _set("directory", "1005", "Status", "X"),
        errors=[("directory", 6, "Status", f"'X' {STATUS_REASON}")],
        stored={"1005": {"status": "on_leave"}},
    ),
    Case(
        "directory: a checkbox as status",
        _set("directory", "1006", "Status", True),
        errors=[("directory", 7, "Status", "a checkbox cell is not a status")],
        stored={"1006": {"status": "active"}},
    ),
    Case(
        "directory: a date cell as work email keeps last week's email",
        _set("directory", "1001", "Work Email", dt.datetime(2024, 1, 1)),
        errors=[("directory", 2, "Work Email", "a date cell is not text")],
        stored={"1001": {"work_email": TRUTH["1001"].work_email}},
    ),
    Case(
        "directory: a cover sheet before the report's sheet",
        _document("directory", _cover_sheet_first),
        errors=[],
        stored={code: {"last_name": TRUTH[code].last_name} for code in CODES},
    ),
    Case(
        "directory: a summary table before the report's table",
        _document("directory", _summary_table_first),
        errors=[],
        stored={"01004": {"work_email": TRUTH["01004"].work_email}},
    ),
    Case(
        "directory: styled header and cells read the same",
        _document("directory", _styled),
        errors=[],
        stored={"1002": {"first_name": "Keisha", "work_email": TRUTH["1002"].work_email}},
    ),
    Case(
        "directory: no table has the report's columns; Dates still builds the roster",
        _document("directory", _no_table_has_the_columns),
        errors=[
            (
                "directory",
                None,
                None,
                "required column 'Status' is missing (accepted headers: Status, EE Status, Employee_Status), in table "
                "'{stem}' of sheet 'Sheet 1', the closest of its 2 tables",
            )
        ],
        stored={"1001": {"status": "active", "last_name": "Brown"}},
    ),
    Case(
        "directory: a damaged document is that report's error",
        _document("directory", _truncated),
        errors=[("directory", None, None, "not a readable Apple Numbers document (...")],
    ),
    Case(
        "directory: a duplicate code keeps the first row",
        lambda week: week.tables["directory"].rows.append(list(week.tables["directory"].rows[1])),
        errors=[("directory", 8, "EECode", "duplicate employee code '1002' (first at row 3); this row was not used")],
    ),
    Case(
        "directory: blank rows between employees are skipped and counted",
        lambda week: week.tables["directory"].rows.insert(2, [None] * len(DIRECTORY_COLUMNS)),
        errors=[],
    ),
    Case(
        "directory: a header longer than errors store still matches; errors name its column EECode",
        _several(
            _set("directory", "1002", "EECode", dt.timedelta(hours=1)),
            lambda week: week.tables["directory"].header.__setitem__(0, "EE" + "-" * 200 + "Code"),
        ),
        errors=[("directory", 3, "EECode", "a duration cell is not an employee code" + NOT_USED)],
    ),
    # --- Dates (Numbers) -----------------------------------------------------------------------------------
    Case(
        "dates: a hire date written as a date cell",
        _set("dates", "1002", "Hire Date", dt.datetime(2017, 5, 12)),
        errors=[],
        stored={"1002": {"hire_date": dt.date(2017, 5, 12)}},
        last_week=False,
    ),
    Case(
        "dates: a date cell with a time of day keeps the hire date known",
        _set("dates", "1002", "Hire Date", dt.datetime(2020, 1, 1, 13, 45)),
        errors=[("dates", 3, "Hire Date", "'2020-01-01 13:45:00' is a date and time, not a date")],
        stored={"1002": {"hire_date": TRUTH["1002"].hire_date}},
    ),
    Case(
        "dates: an impossible date",
        _set("dates", "1003", "Hire Date", "2024-13-45"),
        errors=[("dates", 4, "Hire Date", "'2024-13-45' is not a real date")],
        stored={"1003": {"hire_date": TRUTH["1003"].hire_date, "position": TRUTH["1003"].position}},
    ),
    Case(
        "directory: the phone number is stored as written, a number cell as its digits",
        _several(
            _set("directory", "1001", "Phone #", "(305) 555-0147"),
            _set("directory", "1002", "Phone #", 3055550148.0),
            _set("directory", "1003", "Phone #", None),
        ),
        errors=[],
        stored={
            "1001": {"phone_number": "(305) 555-0147"},
            "1002": {"phone_number": "3055550148"},
            "1003": {"phone_number": None},
        },
    ),
    Case(
        "dates: text dates as Paycom's US exports write them, month first",
        _several(
            _set("dates", "1002", "Hire Date", "03/15/2021"),
            _set("dates", "1003", "Hire Date", "3/5/2019"),
            _set("dates", "1005", "Termination Date", "12/01/2026"),
        ),
        errors=[],
        stored={
            "1002": {"hire_date": dt.date(2021, 3, 15)},
            "1003": {"hire_date": dt.date(2019, 3, 5)},
            "1005": {"termination_date": dt.date(2026, 12, 1)},
        },
    ),
    Case(
        "dates: a text date that fits no format is that field's error",
        _several(_set("dates", "1002", "Hire Date", "15/03/2021"), _set("dates", "1003", "Hire Date", "March 5, 2019")),
        errors=[
            ("dates", 3, "Hire Date", "'15/03/2021' is not a real date (read as MM/DD/YYYY)"),
            ("dates", 4, "Hire Date", "'March 5, 2019' is not a date (expected YYYY-MM-DD or MM/DD/YYYY)"),
        ],
        stored={"1002": {"hire_date": TRUTH["1002"].hire_date}, "1003": {"hire_date": TRUTH["1003"].hire_date}},
    ),
    Case(
        "dates: a duration cell as termination date",
        _set("dates", "1005", "Termination Date", dt.timedelta(days=3)),
        errors=[("dates", 6, "Termination Date", "a duration cell is not a date")],
        stored={"1005": {"termination_date": None, "status": "on_leave"}},
    ),
    Case(
        "dates: an unreadable status with no other report to tell keeps last week's",
        _several(_set("dates", "01004", "Status", "RETIRED"), _set("directory", "01004", "Status", None)),
        errors=[
            ("directory", 5, "Status", "the status is empty"),
            ("dates", 5, "Status", f"'RETIRED' {STATUS_REASON}"),
        ],
        stored={"01004": {"status": "active"}},
    ),
    Case(
        "dates: a new employee no report gives a status is not stored",
        _several(_set("dates", "01004", "Status", "RETIRED"), _set("directory", "01004", "Status", None)),
        errors=[
            ("directory", 5, "Status", "the status is empty"),
            ("dates", 5, "Status", f"'RETIRED' {STATUS_REASON}"),
            ("directory", 5, None, "new employee '01004' has no readable status in this week's reports; not stored"),
            ("pay", 5, "Employee_Code", "employee '01004' is not stored (see its roster rows)" + NOT_USED),
        ],
        employees=5,
        last_week=False,
    ),
    # --- Payees (Numbers) ----------------------------------------------------------------------------------
    Case(
        "payees: a payee of a code that is no employee is not stored",
        _append("payees", ["0C4R3", 9999.0, "Nobody", "A", None, None, None, None, None, None, "IRSLV"]),
        errors=[
            (
                "payees",
                3,
                "EE Code",
                "employee code '9999' is in no roster report and not in the warehouse; the payee row was not stored",
            )
        ],
    ),
    Case(
        "payees: a Total footer",
        _append("payees", [None, "Total: 1"]),
        errors=[("payees", 3, "EE Code", "'Total: 1' is not an employee code (letters and digits)" + NOT_USED)],
    ),
    Case(
        "payees: a 10,000-character description is that field's error",
        _set("payees", "1001", "Payee Desc", "D" * 10_000),
        errors=[("payees", 2, "Payee Desc", "is 10000 characters long; at most 200 are stored")],
    ),
    # --- the pay export (CSV) ------------------------------------------------------------------------------
    Case(
        "pay: an unquoted 61,000.00 makes the row an error, not a salary of 61",
        _pay_line("1003", '1003,"Davis, Robert",ACTIVE,Salary,,61,000.00,Exempt'),
        errors=[("pay", 4, None, "the row has 8 cells where the header has 7" + NOT_USED)],
        stored={"1003": {"pay_type": "salary", "annual_salary": Decimal("61000.00")}},
    ),
    Case(
        "pay: an empty Pay_Type keeps last week's pay",
        _pay_line("1002", '1002,"Johnson, Keisha",ACTIVE,,45.58,,Non-Exempt'),
        errors=[("pay", 3, "Pay_Type", "the pay type is empty" + NOT_USED)],
        stored={"1002": {"pay_type": "hourly", "hourly_rate": Decimal("45.58")}},
    ),
    Case(
        "pay: a row cut short before Pay_Type keeps last week's pay",
        _pay_line("1001", '1001,"Brown, Patricia",ACTIVE'),
        errors=[("pay", 2, None, "the row has 3 cells where the header has 7" + NOT_USED)],
        stored={"1001": {"pay_type": "hourly", "hourly_rate": Decimal("21.19")}},
    ),
    Case(
        "pay: a code that is no employee is reported with its row",
        lambda week: week.pay_lines.append('9999,"Nobody, A",ACTIVE,Hourly,20.00,,Non-Exempt'),
        errors=[
            (
                "pay",
                8,
                "Employee_Code",
                "employee code '9999' is in the pay report but in no roster report and not yet in the warehouse"
                + NOT_USED,
            )
        ],
    ),
    Case(
        "pay: a Total footer is reported with its row",
        lambda week: week.pay_lines.append('"Total: 6",,,,,,'),
        errors=[
            ("pay", 8, "Employee_Code", "'Total: 6' is not an employee code (letters and digits)" + NOT_USED),
            ("pay", 8, "Pay_Type", "the pay type is empty" + NOT_USED),
        ],
    ),
    Case(
        "pay: a field over csv's limit is the file's error and the week goes on",
        _pay_line("1002", '1002,"' + "J" * 200_000 + '",ACTIVE,Hourly,99.00,,Non-Exempt'),
        errors=[("pay", None, None, "line 3 cannot be read as CSV (field larger than field limit (131072))")],
        stored={"1002": {"hourly_rate": Decimal("45.58")}},
    ),
    Case(
        "pay: UTF-16 with its byte-order mark, tab-separated, Windows line ends",
        _pay_text("utf-16", "\r\n", "\t"),
        errors=[],
        stored={"1003": {"annual_salary": Decimal("61000.00")}, "01004": {"hourly_rate": Decimal("47.96")}},
        last_week=False,
    ),
    Case(
        "pay: UTF-16 without its byte-order mark is refused, not read as NULs",
        _pay_text("utf-16-le"),
        errors=[
            (
                "pay",
                None,
                None,
                "is not text in UTF-8, UTF-16 or Windows-1252 (binary content? an Excel workbook must be saved as CSV)",
            )
        ],
        stored={"1001": {"hourly_rate": Decimal("21.19")}},
    ),
    Case(
        "pay: Windows-1252 with an accented name",
        _several(_pay_line("01004", '01004,"Lopez, Karén",ACTIVE,Hourly,48.00,,Non-Exempt'), _pay_text("cp1252")),
        errors=[],
        stored={"01004": {"hourly_rate": Decimal("48.00")}},
    ),
    Case(
        "pay: UTF-8 with a BOM, semicolons, where 61,000.00 is one cell",
        _several(_pay_text("utf-8-sig", "\r\n", ";"), _pay_line("1003", "1003;Davis;ACTIVE;Salary;;62,000.00;Exempt")),
        errors=[],
        stored={"1003": {"annual_salary": Decimal("62000.00")}},
    ),
    Case(
        "pay: a salary with more decimals than are kept",
        _pay_line("1003", '1003,"Davis, Robert",ACTIVE,Salary,,"61,000.005",Exempt'),
        errors=[("pay", 4, "Annual_Salary", "has more than the 2 decimal places an amount is kept with" + NOT_USED)],
        stored={"1003": {"annual_salary": Decimal("61000.00")}},
    ),
    Case(
        "pay: a European amount is refused, not guessed",
        _pay_line("1002", '1002,"Johnson, Keisha",ACTIVE,Hourly,"45,58",,Non-Exempt'),
        errors=[("pay", 3, "Rate_1", "is not an amount (expected a form like 1,234.50)" + NOT_USED)],
        stored={"1002": {"hourly_rate": Decimal("45.58")}},
    ),
    Case(
        "pay: a salary larger than the warehouse keeps",
        _pay_line("1003", '1003,"Davis, Robert",ACTIVE,Salary,,"1,000,000,000,000.00",Exempt'),
        errors=[
            (
                "pay",
                4,
                "Annual_Salary",
                "is larger than the largest amount kept (12 digits before the point)" + NOT_USED,
            )
        ],
    ),
    Case(
        "pay: an unknown exempt status",
        _pay_line("1001", '1001,"Brown, Patricia",ACTIVE,Hourly,22.00,,Maybe'),
        errors=[
            ("pay", 2, "Exempt_Status", "'Maybe' is not an exempt status (expected Exempt or Non-Exempt)" + NOT_USED)
        ],
        stored={"1001": {"hourly_rate": Decimal("21.19"), "overtime_eligible": True}},
    ),
    Case(
        "pay: an hourly employee without a rate",
        _pay_line("1005", '1005,"Williams, Michael",ON LEAVE,Hourly,,,Non-Exempt'),
        errors=[("pay", 6, "Rate_1", "an hourly employee needs a rate" + NOT_USED)],
        stored={"1005": {"hourly_rate": Decimal("14.30")}},
    ),
    Case(
        "pay: a quoted name over two lines; the next row's error names its own line",
        _several(
            _pay_line("1001", '1001,"Brown,\nPatricia",ACTIVE,Hourly,21.19,,Non-Exempt'),
            _pay_line("1002", '1002,"Johnson, Keisha",ACTIVE,Weekly,45.58,,Non-Exempt'),
        ),
        errors=[("pay", 4, "Pay_Type", "'Weekly' is not a pay type (expected Hourly or Salary)" + NOT_USED)],
        stored={"1001": {"hourly_rate": Decimal("21.19")}},
    ),
    Case(
        "pay: a workbook saved under a .csv name",
        _raw("pay", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256))),
        errors=[
            (
                "pay",
                None,
                None,
                "is not text in UTF-8, UTF-16 or Windows-1252 (binary content? an Excel workbook must be saved as CSV)",
            )
        ],
    ),
    Case(
        "pay: an empty file",
        _raw("pay", b""),
        errors=[("pay", None, None, "the file is empty")],
        stored={"1003": {"annual_salary": Decimal("61000.00")}},
    ),
    Case(
        "pay: a header and no rows changes no one's pay",
        lambda week: week.pay_lines.__delitem__(slice(1, None)),
        errors=[],
        stored={"1002": {"hourly_rate": Decimal("45.58")}},
    ),
    Case(
        "pay: no Pay_Type column",
        lambda week: week.pay_lines.__setitem__(0, week.pay_lines[0].replace("Pay_Type", "Type")),
        errors=[("pay", None, None, "required column 'Pay_Type' is missing (accepted headers: Pay_Type)")],
    ),
    # --- the pay export (Numbers) --------------------------------------------------------------------------
    Case(
        "pay as Numbers: number cells for codes and amounts read exactly",
        _pay_as_numbers,
        errors=[],
        stored={"1002": {"hourly_rate": Decimal("45.58")}, "1003": {"annual_salary": Decimal("61000.00")}},
        last_week=False,
    ),
    Case(
        "pay as Numbers: a checkbox as pay type",
        _pay_numbers_cell("1006", "Pay_Type", True),
        errors=[("pay", 7, "Pay_Type", "a checkbox cell is not a pay type" + NOT_USED)],
        stored={"1006": {"hourly_rate": Decimal("19.70")}},
    ),
]


def _matches(found: tuple, expected: tuple) -> bool:
    *where, reason = expected
    return tuple(found[:3]) == tuple(where) and (
        found[3].startswith(reason[:-3]) if reason.endswith("...") else found[3] == reason
    )


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_bad_input_is_stored_exactly_or_reported(
    case: Case, clean_week: Week, warehouse_url: str, tmp_path: Path
) -> None:
    engine = warehouse_engine(warehouse_url)
    if case.last_week:
        ingest(engine, LAST_WEEK, write_week(clean_week, tmp_path / "last", dt.datetime(2026, 11, 12, 18)))
    week = copy_of(clean_week)
    case.damage(week)
    paths = write_week(week, tmp_path / "this", dt.datetime(2026, 11, 19, 18))
    ingest(engine, WEEK, paths)

    with engine.connect() as connection:
        errors = [
            tuple(row)
            for row in connection.execute(
                sa.select(
                    integration_errors.c.file_name,
                    integration_errors.c.row_number,
                    integration_errors.c.field,
                    integration_errors.c.reason,
                ).where(integration_errors.c.partition_key == WEEK.isoformat())
            )
        ]
        employees = {
            row["employee_code"]: dict(row) for row in connection.execute(sa.select(paycom_employees)).mappings()
        }
        snapshot = set(
            connection.execute(
                sa.select(paycom_employee_snapshots.c.employee_code).where(
                    paycom_employee_snapshots.c.sync_week == WEEK
                )
            ).scalars()
        )
        payees = set(
            connection.execute(sa.select(paycom_payees.c.row_number).where(paycom_payees.c.sync_week == WEEK)).scalars()
        )

    # What is reported: exactly the expected errors.
    names = {report: path.name for report, path in paths.items()}
    expected = [
        (names[report], row, field_, reason.format(stem=paths[report].stem))
        for report, row, field_, reason in case.errors
    ]
    assert len(errors) == len(expected), errors
    for want in expected:
        assert any(_matches(found, want) for found in errors), (want, errors)

    # What is stored: the fields named, and no employee that the files do not hold.
    assert snapshot <= set(CODES) and len(snapshot) == case.employees, snapshot
    assert set(employees) <= set(CODES)
    for code, fields in case.stored.items():
        assert {name: employees[code][name] for name in fields} == fields, code
    assert payees == set(case.payee_rows)

    # Every row accounted for: stored from it, or an error naming its row (unless its whole file is an error).
    unreadable = {file_name for file_name, row, _, _ in errors if row is None}
    for report, path in paths.items():
        if path.name in unreadable:
            continue
        erred = {row for file_name, row, _, _ in errors if file_name == path.name}
        for row_number, code in _rows_of(week, report, path):
            if row_number in erred:
                continue
            assert (code in snapshot) if report in ACCOUNTED_BY_CODE else (row_number in payees), (report, row_number)


@pytest.mark.parametrize(
    ("date_format", "stored"), [(DateFormat.DMY, dt.date(2021, 3, 5)), (DateFormat.MDY, dt.date(2021, 5, 3))]
)
def test_the_paycom_date_format_setting_decides_how_slashed_dates_read(
    date_format: DateFormat, stored: dt.date, clean_week: Week, warehouse_url: str, tmp_path: Path
) -> None:
    week = copy_of(clean_week)
    week.tables["dates"].set("1002", "Hire Date", "05/03/2021")
    ingest(
        warehouse_engine(warehouse_url), WEEK, write_week(week, tmp_path, dt.datetime(2026, 11, 19, 18)), date_format
    )
    with warehouse_engine(warehouse_url).connect() as connection:
        hire_date = connection.execute(
            sa.select(paycom_employees.c.hire_date).where(paycom_employees.c.employee_code == "1002")
        ).scalar_one()
    assert hire_date == stored


def _rows_of(week: Week, report: str, path: Path) -> list[tuple[int, str | None]]:
    """(row as a person counts it, employee code as written) of each non-blank row, read independently."""
    if report == "pay" and week.pay_format == "csv":
        rows = []
        reader = csv.reader(
            io.StringIO(path.read_bytes().decode(_encoding(week)), newline=""), delimiter=_delimiter(week)
        )
        next(reader)
        line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((line, cells[0].strip()))
            line = reader.line_num + 1
        return rows
    table = week.tables[report]
    code_column = 0 if report in ("directory", "pay") else 1
    return [
        (number, _code(row[code_column]))
        for number, row in enumerate(table.rows, start=2)
        if any(cell not in (None, "") for cell in row)
    ]


def _encoding(week: Week) -> str:
    return "utf-8-sig" if week.pay_encoding == "utf-8" else week.pay_encoding


def _delimiter(week: Week) -> str:
    return max(",;\t", key=week.pay_lines[0].count)


def _code(cell: Any) -> str | None:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return cell if isinstance(cell, str) else None
