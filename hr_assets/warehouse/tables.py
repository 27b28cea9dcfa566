"""The warehouse schema as SQLAlchemy Core tables: the code's view of what the migrations build.

A change here needs a migration in ``migrations/versions``; ``tests/warehouse`` checks that the
migrated database and these tables agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

# Named constraints let later migrations alter SQLite tables in batch mode.
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Money = sa.Numeric(14, 2)
Rate = sa.Numeric(12, 4)


def text_width(column: sa.ColumnElement[Any]) -> int:
    """The most characters a text column holds."""
    kind = column.type
    if not isinstance(kind, sa.String) or kind.length is None:
        raise TypeError(f"{column} is not text of a fixed width")
    return kind.length


def decimal_digits(column: sa.ColumnElement[Any]) -> tuple[int, int]:
    """A decimal column's precision and scale: its digits in all and after the point."""
    kind = column.type
    if not isinstance(kind, sa.Numeric) or kind.precision is None or kind.scale is None:
        raise TypeError(f"{column} is not a decimal of fixed digits")
    return kind.precision, kind.scale


class Timestamp(sa.types.TypeDecorator[dt.datetime]):
    """An aware datetime on every database: stored in UTC, returned in UTC.

    PostgreSQL keeps the offset itself (``timestamptz``); SQLite would hand back naive values.
    A naive value is refused on the way in, so no local time is ever stored by mistake.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the warehouse stores timezone-aware times only")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=dt.UTC)


integration_errors = sa.Table(
    "integration_errors",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("asset", sa.String(64), nullable=False),
    sa.Column("partition_key", sa.String(128), nullable=False),  # as long as attendance_imports.partition_key
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("file_name", sa.String(255)),
    sa.Column("row_number", sa.Integer),
    sa.Column("field", sa.String(128)),
    sa.Column("record_key", sa.String(128)),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Index(None, "asset", "partition_key"),
)

# Every configuration change and manual action, appended and never changed (the migration adds triggers that refuse
# UPDATE and DELETE). Secrets are masked before they are written.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", Timestamp(), nullable=False, index=True),
    sa.Column("actor", sa.String(128), nullable=False),  # the OS user, or "api token NAME"
    sa.Column("command", sa.String(255), nullable=False),  # e.g. "hr-assets companies set"
    sa.Column("action", sa.String(64), nullable=False),  # e.g. "company.date_format"
    sa.Column("target", sa.String(128), nullable=False),  # e.g. "company advline"
    sa.Column("old_values", sa.JSON),
    sa.Column("new_values", sa.JSON),
)

# Raw files every run can read, whichever machine it runs on: a file's size and SHA-256, and its content in chunks
# (``hr_assets/warehouse/stored_files.py``). ``content_deleted_at`` says when the content went; the row stays.
stored_files = sa.Table(
    "stored_files",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("content_deleted_at", Timestamp()),
    sa.Index(None, "source", "sha256"),
)

stored_file_chunks = sa.Table(
    "stored_file_chunks",
    metadata,
    sa.Column(
        "stored_file_id",
        sa.Integer,
        sa.ForeignKey("stored_files.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("chunk_index", sa.Integer, primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

paycom_files = sa.Table(
    "paycom_files",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sync_week", sa.Date, nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("report_type", sa.String(16), nullable=False),
    sa.Column("size_bytes", sa.BigInteger),
    sa.Column("sha256", sa.String(64)),
    sa.Column("downloaded_at", Timestamp()),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("error_message", sa.Text),
    # The downloaded file, until paycom_employees has read it (then only its size and hash are kept).
    sa.Column("stored_file_id", sa.Integer, sa.ForeignKey("stored_files.id", ondelete="SET NULL")),
    sa.UniqueConstraint("sync_week", "file_name"),
)

paycom_sync_log = sa.Table(
    "paycom_sync_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(64), nullable=False, unique=True),
    sa.Column("sync_week", sa.Date, nullable=False, index=True),
    sa.Column("report_type", sa.String(16), nullable=False),
    sa.Column("forced", sa.Boolean, nullable=False),
    sa.Column("started_at", Timestamp(), nullable=False),
    sa.Column("completed_at", Timestamp()),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("files_processed", sa.Integer, nullable=False, default=0),
    sa.Column("employees_processed", sa.Integer, nullable=False, default=0),
    sa.Column("employees_created", sa.Integer, nullable=False, default=0),
    sa.Column("employees_updated", sa.Integer, nullable=False, default=0),
    sa.Column("employees_terminated", sa.Integer, nullable=False, default=0),
    sa.Column("rows_invalid", sa.Integer, nullable=False, default=0),
    sa.Column("error_message", sa.Text),
)


def _roster_columns() -> list[sa.Column[Any]]:
    """The roster fields the current table and the weekly snapshots share."""
    return [
        sa.Column("first_name", sa.String(100)),
        sa.Column("last_name", sa.String(100)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("department_code", sa.String(32)),
        sa.Column("department_description", sa.String(200)),
        sa.Column("position", sa.String(200)),
        sa.Column("position_family", sa.String(200)),
        sa.Column("location_code", sa.String(32)),
        sa.Column("work_email", sa.String(254)),
        sa.Column("phone_number", sa.String(32)),  # personal data: never in metadata, logs or notifications
        sa.Column("hire_date", sa.Date),
        sa.Column("rehire_date", sa.Date),
        sa.Column("termination_date", sa.Date),
        sa.Column("pay_type", sa.String(16)),
        sa.Column("hourly_rate", Rate),
        sa.Column("annual_salary", Money),
        sa.Column("overtime_eligible", sa.Boolean),
    ]


paycom_employees = sa.Table(
    "paycom_employees",
    metadata,
    sa.Column("employee_code", sa.String(32), primary_key=True),
    *_roster_columns(),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("updated_at", Timestamp(), nullable=False),
    sa.Column("last_synced_at", Timestamp(), nullable=False),
    sa.Column("last_synced_week", sa.Date, nullable=False),
)

paycom_employee_snapshots = sa.Table(
    "paycom_employee_snapshots",
    metadata,
    sa.Column("sync_week", sa.Date, primary_key=True),
    sa.Column("employee_code", sa.String(32), primary_key=True),
    *_roster_columns(),
)

# Garnishment payees, without what makes them dangerous: no bank routing or account numbers,
# no case references and no addresses are ever stored.
paycom_payees = sa.Table(
    "paycom_payees",
    metadata,
    sa.Column("sync_week", sa.Date, primary_key=True),
    sa.Column("file_name", sa.String(255), primary_key=True),
    sa.Column("row_number", sa.Integer, primary_key=True),
    sa.Column("employee_code", sa.String(32), nullable=False),
    sa.Column("payee_code", sa.String(64)),
    sa.Column("payee_description", sa.String(200)),
    sa.Column("garnishment_type", sa.String(64)),
)

scheduling_staff = sa.Table(
    "scheduling_staff",
    metadata,
    sa.Column("employee_code", sa.String(32), primary_key=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("available_for_scheduling", sa.Boolean, nullable=False),
    sa.Column("max_hours_per_week", sa.Integer, nullable=False),  # the override when set, else the default
    sa.Column("hours_this_period", sa.Numeric(6, 2)),  # NULL: no pay period contains hours_as_of
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("updated_at", Timestamp(), nullable=False),
    # Worked hours up to hours_as_of (payroll's count), and what is left of the week before overtime and the cap.
    sa.Column("hours_as_of", sa.Date),
    sa.Column("pay_period_id", sa.Integer),
    sa.Column("hours_this_week", sa.Numeric(6, 2)),
    sa.Column("hours_this_year", sa.Numeric(7, 2)),
    sa.Column("overtime_hours_this_week", sa.Numeric(6, 2)),
    sa.Column("hours_left_before_overtime", sa.Numeric(6, 2)),  # NULL: overtime is not paid to this employee
    sa.Column("hours_left_before_cap", sa.Numeric(6, 2)),
    # Set by people, kept across syncs.
    sa.Column("weekly_cap_override", sa.Integer),
    sa.Column("scheduling_app_staff_id", sa.String(64)),
)

# --- The revenue chain: Holded invoicing, 4Geeks enrolments, Notion ids, accruals -------------------

holded_services = sa.Table(
    "holded_services",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("code", sa.String(100)),
    sa.Column("tax_percent", sa.Numeric(6, 3)),
    sa.Column("price", Money),
    sa.Column("cost", Money),
    sa.Column("for_sale", sa.Boolean),
    sa.Column("synced_at", Timestamp(), nullable=False),
)

# Contact details kept to what matching needs: no tax ids, phones or addresses.
holded_contacts = sa.Table(
    "holded_contacts",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("custom_id", sa.String(100)),
    sa.Column("name", sa.String(200)),
    sa.Column("trade_name", sa.String(200)),
    sa.Column("email", sa.String(254)),
    sa.Column("type", sa.String(32)),
    sa.Column("synced_at", Timestamp(), nullable=False),
)

holded_invoices = sa.Table(
    "holded_invoices",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("invoice_month", sa.Date, nullable=False, index=True),
    sa.Column("invoice_date", sa.Date, nullable=False),
    sa.Column("due_date", sa.Date),
    sa.Column("contact_id", sa.String(32), nullable=False, index=True),
    sa.Column("doc_number", sa.String(64), index=True),  # a credit note may name its invoice by it
    sa.Column("currency", sa.String(8)),
    sa.Column("subtotal", Money, nullable=False),
    sa.Column("discount", Money, nullable=False),
    sa.Column("tax", Money, nullable=False),
    sa.Column("total", Money, nullable=False),
    sa.Column("status", sa.Integer),
    # Holded's status CANCELLED_STATUS (hr_assets/defs/holded/invoices.py): stored with its lines, never recognized.
    sa.Column("cancelled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("synced_at", Timestamp(), nullable=False),
)

holded_invoice_lines = sa.Table(
    "holded_invoice_lines",
    metadata,
    sa.Column("invoice_id", sa.String(32), primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("invoice_month", sa.Date, nullable=False, index=True),
    sa.Column("name", sa.String(200)),
    sa.Column("service_id", sa.String(32)),
    sa.Column("sku", sa.String(100)),
    sa.Column("units", sa.Numeric(12, 4), nullable=False),
    sa.Column("unit_price", sa.Numeric(14, 4), nullable=False),
    sa.Column("discount_percent", sa.Numeric(6, 3), nullable=False),
    sa.Column("tax_percent", sa.Numeric(6, 3), nullable=False),
    sa.Column("gross_amount", Money, nullable=False),
    sa.Column("net_amount", Money, nullable=False),
    sa.Column("tax_amount", Money, nullable=False),
)

# Refunds: Holded's credit notes, amounts positive as Holded sends them (accruals book them negative), and the
# invoice each credits when Holded names it.
holded_credit_notes = sa.Table(
    "holded_credit_notes",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("credit_note_month", sa.Date, nullable=False, index=True),
    sa.Column("credit_note_date", sa.Date, nullable=False),
    sa.Column("contact_id", sa.String(32), nullable=False, index=True),
    sa.Column("doc_number", sa.String(64)),
    sa.Column("currency", sa.String(8)),
    sa.Column("subtotal", Money, nullable=False),
    sa.Column("discount", Money, nullable=False),
    sa.Column("tax", Money, nullable=False),
    sa.Column("total", Money, nullable=False),
    sa.Column("status", sa.Integer),
    # The invoice it credits, as Holded names it: by id, else by its docNumber (hr_assets/defs/holded/invoices.py).
    sa.Column("credited_invoice_id", sa.String(32), index=True),
    sa.Column("credited_invoice_number", sa.String(64)),
    sa.Column("synced_at", Timestamp(), nullable=False),
)

holded_credit_note_lines = sa.Table(
    "holded_credit_note_lines",
    metadata,
    sa.Column("credit_note_id", sa.String(32), primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("credit_note_month", sa.Date, nullable=False, index=True),
    sa.Column("name", sa.String(200)),
    sa.Column("service_id", sa.String(32)),
    sa.Column("sku", sa.String(100)),
    sa.Column("units", sa.Numeric(12, 4), nullable=False),
    sa.Column("unit_price", sa.Numeric(14, 4), nullable=False),
    sa.Column("discount_percent", sa.Numeric(6, 3), nullable=False),
    sa.Column("tax_percent", sa.Numeric(6, 3), nullable=False),
    sa.Column("gross_amount", Money, nullable=False),
    sa.Column("net_amount", Money, nullable=False),
    sa.Column("tax_amount", Money, nullable=False),
)

crm_students = sa.Table(
    "crm_students",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("email", sa.String(254), nullable=False, index=True),
    sa.Column("first_name", sa.String(100)),
    sa.Column("last_name", sa.String(100)),
    sa.Column("status", sa.String(32)),
    sa.Column("holded_contact_id", sa.String(32), index=True),
    sa.Column("synced_at", Timestamp(), nullable=False),
)

service_periods = sa.Table(
    "service_periods",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("student_id", sa.Integer, nullable=False),
    sa.Column("holded_contact_id", sa.String(32), index=True),
    sa.Column("service_code", sa.String(100), nullable=False),
    sa.Column("cohort_slug", sa.String(150), nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date, nullable=False),
    sa.Column("educational_status", sa.String(32)),
    sa.Column("financial_status", sa.String(32)),
    sa.Column("synced_at", Timestamp(), nullable=False),
)

notion_client_pages = sa.Table(
    "notion_client_pages",
    metadata,
    sa.Column("holded_contact_id", sa.String(32), primary_key=True),
    sa.Column("notion_page_id", sa.String(64), nullable=False),
    sa.Column("synced_at", Timestamp(), nullable=False),
)

accruals = sa.Table(
    "accruals",
    metadata,
    sa.Column("month", sa.Date, primary_key=True),
    sa.Column("invoice_id", sa.String(32), primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True),
    # 'recognised' (the stored value keeps its first spelling): the month's own share; 'catch_up': a share of a closed
    # month, booked in the first open one after.
    sa.Column("kind", sa.String(16), primary_key=True, server_default="recognised"),
    sa.Column("service_period_id", sa.Integer),
    sa.Column("recognized_amount", Money, nullable=False),
)

accrual_months = sa.Table(
    "accrual_months",
    metadata,
    sa.Column("month", sa.Date, primary_key=True),
    # Each line counted once, in one month: a line dated in a closed month that came after its close is counted in
    # the first open month after it, and is that month's invoiced_late_in_month (NULL: closed before 0019 kept it).
    sa.Column("invoiced_in_month", Money, nullable=False),
    sa.Column("invoiced_late_in_month", Money),
    sa.Column("invoiced_to_date", Money, nullable=False),
    sa.Column("recognized_in_month", Money, nullable=False),
    sa.Column("recognized_to_date", Money, nullable=False),
    sa.Column("deferred_balance", Money, nullable=False),
    sa.Column("unmatched_lines", sa.Integer, nullable=False),
    sa.Column("computed_at", Timestamp(), nullable=False),
)

# A month is closed while its row has no reopened_at; the digest is of the figures the close froze.
accrual_closes = sa.Table(
    "accrual_closes",
    metadata,
    sa.Column("month", sa.Date, primary_key=True),
    sa.Column("closed_at", Timestamp(), nullable=False),
    sa.Column("closed_by", sa.String(64), nullable=False),
    sa.Column("figures_digest", sa.String(64), nullable=False),
    sa.Column("reopened_at", Timestamp()),
    sa.Column("reopened_by", sa.String(64)),
)

# --- Attendance: companies, their Bayzat accounts, fingerprint imports and the push ---------------------

companies = sa.Table(
    "companies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("slug", sa.String(64), nullable=False, unique=True),
    sa.Column("name_en", sa.String(200), nullable=False),
    sa.Column("name_ar", sa.String(200)),
    sa.Column("timezone", sa.String(64), nullable=False),
    # How the device writes dates NN/NN/YYYY (DMY, MDY, or ISO: never); NULL lets each file settle it.
    sa.Column("date_format", sa.String(3)),
    # Whose codes the company's attendance rows are checked against (``companies.EmployeeMaster``: paycom, list,
    # device); NULL is the deployment's rule (the Paycom roster where Paycom is configured or synced, else the
    # device's ids).
    sa.Column("employee_master", sa.String(8)),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("updated_at", Timestamp(), nullable=False),
)

# The department names the fingerprint devices write ("AdvLine"), each mapping its rows to one company; a company may
# have several. The key is the name normalised for matching (``companies.store.normalise_department``).
company_departments = sa.Table(
    "company_departments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("department_key", sa.String(255), nullable=False, unique=True),
    sa.Column("department_name", sa.String(255), nullable=False),  # as first written
    sa.Column("company_id", sa.Integer, sa.ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Index(None, "company_id"),
)

# A company's own employee list, one snapshot per import of its CSV (``attendance/employee_lists.py``); the newest is
# the company's master when its ``employee_master`` is ``list``. Each row is stored as the file says, or with its
# errors (file, row, field): ``employee_code`` is None on a row that has no usable code.
company_employee_lists = sa.Table(
    "company_employee_lists",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("company_id", sa.Integer, sa.ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("content_sha256", sa.String(64), nullable=False),
    sa.Column("total_rows", sa.Integer, nullable=False),
    sa.Column("valid_rows", sa.Integer, nullable=False),
    sa.Column("imported_by", sa.String(128), nullable=False),
    sa.Column("imported_at", Timestamp(), nullable=False),
    sa.Index(None, "company_id"),
)

company_employees = sa.Table(
    "company_employees",
    metadata,
    sa.Column("list_id", sa.Integer, sa.ForeignKey("company_employee_lists.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("row_number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("employee_code", sa.String(32)),  # as attendance_import_records.employee_code
    sa.Column("name", sa.String(255)),
    sa.Column("raw", sa.JSON, nullable=False),
    sa.Column("is_valid", sa.Boolean, nullable=False),
    sa.Column("validation_errors", sa.JSON),
)

# A fingerprint device's employee id that is another code in the company's employee master (the device says 17, the
# master knows E017): ``hr-assets companies map-employee``, audited.
device_employee_codes = sa.Table(
    "device_employee_codes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("company_id", sa.Integer, sa.ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    sa.Column("device_id", sa.String(64), nullable=False),  # as attendance_import_records.csv_employee_id
    sa.Column("employee_code", sa.String(32), nullable=False),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("updated_at", Timestamp(), nullable=False),
    sa.UniqueConstraint("company_id", "device_id"),
)

# The API key is stored encrypted (Fernet, key derived from HR_SECRET_KEY); nothing else here is secret.
bayzat_configs = sa.Table(
    "bayzat_configs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("company_id", sa.Integer, sa.ForeignKey("companies.id", ondelete="CASCADE"), nullable=False, unique=True),
    sa.Column("api_key_encrypted", sa.Text, nullable=False),
    sa.Column("api_url", sa.String(255), nullable=False),
    sa.Column("is_enabled", sa.Boolean, nullable=False),
    sa.Column("sync_frequency", sa.String(16), nullable=False),
    sa.Column("needs_new_key", sa.Boolean, nullable=False),
    sa.Column("last_sync_at", Timestamp()),
    # One pusher per company at a time: the run holding the lease, and until when (renewed as it sends).
    sa.Column("push_lease_run_id", sa.String(64)),
    sa.Column("push_lease_until", Timestamp()),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("updated_at", Timestamp(), nullable=False),
)

attendance_imports = sa.Table(
    "attendance_imports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("content_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("partition_key", sa.String(128), nullable=False, unique=True),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("file_path", sa.String(1024), nullable=False),
    sa.Column("encoding", sa.String(32)),
    sa.Column("total_records", sa.Integer, nullable=False),
    sa.Column("processed_records", sa.Integer, nullable=False),
    sa.Column("successful_records", sa.Integer, nullable=False),
    sa.Column("failed_records", sa.Integer, nullable=False),
    sa.Column("validation_errors", sa.JSON),
    sa.Column("unmapped_departments", sa.JSON),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("run_id", sa.String(64)),
    sa.Column("started_at", Timestamp()),
    sa.Column("completed_at", Timestamp()),
    sa.Column("file_removed_at", Timestamp()),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("updated_at", Timestamp(), nullable=False),
)

bayzat_sync_batches = sa.Table(
    "bayzat_sync_batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("company_id", sa.Integer, sa.ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "attendance_import_id",
        sa.Integer,
        sa.ForeignKey("attendance_imports.id", ondelete="CASCADE", name="fk_bayzat_sync_batches_import"),
        nullable=False,
    ),
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("total_records", sa.Integer, nullable=False),
    sa.Column("synced_records", sa.Integer, nullable=False),
    sa.Column("failed_records", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("started_at", Timestamp()),
    sa.Column("completed_at", Timestamp()),
    sa.Column("error_message", sa.Text),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("updated_at", Timestamp(), nullable=False),
    sa.Index(None, "company_id", "status"),
)

attendance_import_records = sa.Table(
    "attendance_import_records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "attendance_import_id",
        sa.Integer,
        sa.ForeignKey("attendance_imports.id", ondelete="CASCADE", name="fk_attendance_import_records_import"),
        nullable=False,
    ),
    sa.Column("row_number", sa.Integer, nullable=False),
    sa.Column("employee_code", sa.String(32)),  # the Paycom employee it matched, None if none
    sa.Column(
        "company_id",
        sa.Integer,
        sa.ForeignKey("companies.id", ondelete="CASCADE", name="fk_attendance_import_records_company"),
    ),
    sa.Column("csv_employee_id", sa.String(64), nullable=False),
    sa.Column("first_name", sa.String(255), nullable=False),
    sa.Column("fingerprint_department", sa.String(255), nullable=False),
    sa.Column("date", sa.Date),  # None when the file's date does not parse (the raw text is in ``raw``)
    sa.Column("weekday", sa.String(20), nullable=False),
    sa.Column("check_in", sa.Time),
    sa.Column("check_out", sa.Time),
    sa.Column("clock_in", sa.Time),
    sa.Column("clock_out", sa.Time),
    sa.Column("raw", sa.JSON, nullable=False),
    sa.Column("is_valid", sa.Boolean, nullable=False),
    sa.Column("validation_errors", sa.JSON),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("updated_at", Timestamp(), nullable=False),
    sa.UniqueConstraint("attendance_import_id", "row_number", name="uq_attendance_import_records_row"),
    sa.Index("ix_attendance_import_records_employee_date", "csv_employee_id", "date"),
    sa.Index(None, "company_id"),
)

# Each attendance record's push to Bayzat, once the push has taken it up. A record without a row here was never
# taken up: it is pending when valid, skipped when not.
bayzat_record_pushes = sa.Table(
    "bayzat_record_pushes",
    metadata,
    sa.Column(
        "record_id",
        sa.Integer,
        sa.ForeignKey("attendance_import_records.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("retry_count", sa.Integer, nullable=False),
    sa.Column("next_retry_at", Timestamp()),
    sa.Column("error", sa.Text),
    sa.Column("synced_at", Timestamp()),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("bayzat_sync_batches.id", ondelete="SET NULL")),
    sa.Column("updated_at", Timestamp(), nullable=False),
    sa.Index(None, "batch_id"),
    sa.Index(None, "status", "next_retry_at"),
)

# --- Payroll: pay periods, each employee's pay per period, and each period's totals -----------------------

payroll_periods = sa.Table(
    "payroll_periods",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date, nullable=False),  # inclusive
    sa.Column("period_type", sa.String(16), nullable=False),
    sa.Column("automation_enabled", sa.Boolean, nullable=False),
    sa.Column("automation_rule", sa.JSON),
    sa.Column("status", sa.String(16), nullable=False),
    # The run that holds the period (processing) or last held it, when it took it, and how many claims so far.
    sa.Column("run_id", sa.String(64)),
    sa.Column("claimed_at", Timestamp()),
    sa.Column("claims", sa.Integer, nullable=False),
    sa.Column("processed_at", Timestamp()),
    sa.Column("error_message", sa.Text),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("updated_at", Timestamp(), nullable=False),
    sa.UniqueConstraint("period_type", "start_date", "end_date"),
    sa.CheckConstraint("end_date >= start_date", name="dates"),
    sa.CheckConstraint("status IN ('active', 'processing', 'completed', 'failed')", name="status"),
    sa.Index(None, "status"),
)

payroll_results = sa.Table(
    "payroll_results",
    metadata,
    sa.Column("period_id", sa.Integer, sa.ForeignKey("payroll_periods.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("employee_code", sa.String(32), primary_key=True),
    # The period's own roster's pay data (its last day's); the rates of each of its days are payroll_result_rates.
    sa.Column("pay_type", sa.String(16)),
    sa.Column("hourly_rate", Rate),
    sa.Column("annual_salary", Money),
    sa.Column("overtime_eligible", sa.Boolean, nullable=False),
    sa.Column("paid_days", sa.Integer, nullable=False),
    # Pay is computed from the exact minutes; the hours are those minutes to the hundredth, for people to read.
    sa.Column("regular_minutes", sa.Integer, nullable=False),
    sa.Column("overtime_minutes", sa.Integer, nullable=False),
    sa.Column("regular_hours", sa.Numeric(8, 2), nullable=False),
    sa.Column("overtime_hours", sa.Numeric(8, 2), nullable=False),
    sa.Column("gross_pay", Money, nullable=False),
    sa.Column("note", sa.String(64)),  # why an employee is paid nothing: no attendance, no pay data
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("computed_at", Timestamp(), nullable=False),
)

# The terms each result was paid with: one row per run of consecutive days of the period with the same terms.
payroll_result_rates = sa.Table(
    "payroll_result_rates",
    metadata,
    sa.Column("period_id", sa.Integer, sa.ForeignKey("payroll_periods.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("employee_code", sa.String(32), primary_key=True),
    sa.Column("first_day", sa.Date, primary_key=True),
    sa.Column("last_day", sa.Date, nullable=False),
    sa.Column("pay_type", sa.String(16)),
    sa.Column("hourly_rate", Rate),
    sa.Column("annual_salary", Money),
    sa.Column("overtime_eligible", sa.Boolean, nullable=False),
    sa.Column("paid_days", sa.Integer, nullable=False),
    # Pay is computed from the exact minutes; the hours are those minutes to the hundredth, for people to read.
    sa.Column("regular_minutes", sa.Integer, nullable=False),
    sa.Column("overtime_minutes", sa.Integer, nullable=False),
    sa.Column("regular_hours", sa.Numeric(8, 2), nullable=False),
    sa.Column("overtime_hours", sa.Numeric(8, 2), nullable=False),
    sa.Column("gross_pay", Money, nullable=False),
)

payroll_period_totals = sa.Table(
    "payroll_period_totals",
    metadata,
    sa.Column("period_id", sa.Integer, sa.ForeignKey("payroll_periods.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("employees", sa.Integer, nullable=False),
    sa.Column("hourly_employees", sa.Integer, nullable=False),
    sa.Column("salaried_employees", sa.Integer, nullable=False),
    sa.Column("hourly_without_attendance", sa.Integer, nullable=False),
    sa.Column("without_pay_data", sa.Integer, nullable=False),
    sa.Column("regular_hours", sa.Numeric(12, 2), nullable=False),
    sa.Column("overtime_hours", sa.Numeric(12, 2), nullable=False),
    sa.Column("gross_pay", Money, nullable=False),
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("computed_at", Timestamp(), nullable=False),
)

# --- The employee API's tokens: only a SHA-256 of each token is kept -----------------------------------------

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("scope", sa.String(16), nullable=False),
    sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("last_used_at", Timestamp()),
    sa.Column("revoked_at", Timestamp()),
    sa.CheckConstraint("scope IN ('read', 'operate', 'pay')", name="scope"),
)

# --- Vendor API budgets, shared by every run and process (hr_assets/warehouse/budgets.py) ---------------------

api_budgets = sa.Table(
    "api_budgets",
    metadata,
    # SHA-256 of the vendor's name and the API key: never the key itself.
    sa.Column("budget", sa.String(64), primary_key=True),
    sa.Column("api", sa.String(32), nullable=False),  # the vendor, for a person reading the table
    # The earliest a request on the key may go out next, in seconds since the epoch on the database's clock.
    sa.Column("next_slot", sa.Double, nullable=False),
)
