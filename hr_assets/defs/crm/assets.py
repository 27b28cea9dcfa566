"""4Geeks: the month's clients as CRM students (matched by email), then their enrolments as service periods."""

import datetime as dt

import dagster as dg

from hr_assets.defs.crm import matching
from hr_assets.defs.crm.resources import FourGeeksResource
from hr_assets.defs.crm.store import students_of_contacts
from hr_assets.defs.holded.assets import holded_invoices
from hr_assets.defs.holded.store import month_contacts
from hr_assets.defs.partitions import monthly_partitions, platform_settings
from hr_assets.lib.records import upsert_with_errors
from hr_assets.lib.row_errors import reasons_markdown
from hr_assets.warehouse.resource import WarehouseResource
from hr_assets.warehouse.tables import crm_students as students_table
from hr_assets.warehouse.tables import service_periods as periods_table

GROUP = "crm"
OWNERS = ["team:finance-data"]


def _month(context: dg.AssetExecutionContext) -> dt.date:
    return dt.date.fromisoformat(context.partition_key)


@dg.asset(
    partitions_def=monthly_partitions,
    group_name=GROUP,
    kinds={"api", "sql"},
    owners=OWNERS,
    deps=[holded_invoices],
    description="The 4Geeks students behind the month's invoiced clients, matched to Holded contacts by email.",
)
def crm_students(
    context: dg.AssetExecutionContext, fourgeeks: FourGeeksResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.begin() as connection:
        contacts = month_contacts(connection, _month(context))
    rows, errors = matching.match_students(fourgeeks.students(), contacts, dt.datetime.now(platform_settings.tz))
    upsert_with_errors(
        context, warehouse, source="4geeks", table=students_table, key_columns=["id"], rows=rows, errors=errors
    )
    return dg.MaterializeResult(
        metadata={
            "clients": len(contacts),
            "matched_students": len(rows),
            "unmatched": len(errors),
            "reasons": dg.MetadataValue.md(reasons_markdown(errors)),
        }
    )


@dg.asset(
    partitions_def=monthly_partitions,
    group_name=GROUP,
    kinds={"api", "sql"},
    owners=OWNERS,
    deps=[crm_students],
    description=(
        "Each enrolment of the month's students as a service period: cohort kickoff to ending date, "
        "with educational and financial status."
    ),
)
def service_periods(
    context: dg.AssetExecutionContext, fourgeeks: FourGeeksResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.begin() as connection:
        contact_of_student = students_of_contacts(connection, month_contacts(connection, _month(context)))
    enrollments = fourgeeks.enrollments(contact_of_student)
    rows, errors = matching.service_periods(enrollments, contact_of_student, dt.datetime.now(platform_settings.tz))
    upsert_with_errors(
        context, warehouse, source="4geeks", table=periods_table, key_columns=["id"], rows=rows, errors=errors
    )
    return dg.MaterializeResult(
        metadata={
            "students": len(contact_of_student),
            "service_periods": len(rows),
            "invalid_records": len(errors),
            "reasons": dg.MetadataValue.md(reasons_markdown(errors)),
        }
    )
