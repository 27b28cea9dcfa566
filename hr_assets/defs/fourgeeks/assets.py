"""4Geeks: the month's clients as 4Geeks students (matched by email; table crm_students), then their enrolments as
service periods."""

from typing import Any

import dagster as dg

from hr_assets.defs.fourgeeks import matching
from hr_assets.defs.fourgeeks.resources import FourGeeksResource
from hr_assets.defs.fourgeeks.store import students_of_contacts
from hr_assets.defs.shared.invoiced_clients import match_clients_by_month, month_contacts
from hr_assets.defs.shared.partitions import partition_months
from hr_assets.defs.shared.revenue_chain import revenue_month_asset
from hr_assets.lib.clock import Clock
from hr_assets.lib.range_metadata import MonthlyTally
from hr_assets.lib.records import upsert_with_errors
from hr_assets.settings import Settings
from hr_assets.warehouse.metadata import row_count, table_definition
from hr_assets.warehouse.resource import WarehouseResource
from hr_assets.warehouse.tables import crm_students as students_table
from hr_assets.warehouse.tables import service_periods as periods_table

GROUP = "fourgeeks"
OWNERS = ["team:finance-data"]


def fourgeeks_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    """The month's clients as 4Geeks students, then their enrolments."""

    @revenue_month_asset(
        settings,
        group_name=GROUP,
        kinds={"api", "sql"},
        owners=OWNERS,
        deps=["holded_invoices"],
        metadata=table_definition(students_table),
        description="The 4Geeks students behind the month's invoiced clients, matched to Holded contacts by email.",
    )
    def fourgeeks_students(
        context: dg.AssetExecutionContext, fourgeeks: FourGeeksResource, warehouse: WarehouseResource, clock: Clock
    ) -> dg.MaterializeResult[Any]:
        students, now = fourgeeks.students(), clock.now()  # the students once a run, whatever its months
        return match_clients_by_month(
            context,
            warehouse,
            lambda contacts: matching.match_students(students, contacts, now),
            source="4geeks",
            table=students_table,
            key_columns=["id"],
            counted=("matched_students", "unmatched"),
            stored=("clients_created", "clients_updated"),
            now=now,
        )

    @revenue_month_asset(
        settings,
        group_name=GROUP,
        kinds={"api", "sql"},
        owners=OWNERS,
        deps=[fourgeeks_students],
        metadata=table_definition(periods_table),
        description=(
            "Each enrolment of the month's students as a service period: cohort kickoff to ending date, "
            "with educational and financial status."
        ),
    )
    def service_periods(
        context: dg.AssetExecutionContext, fourgeeks: FourGeeksResource, warehouse: WarehouseResource, clock: Clock
    ) -> dg.MaterializeResult[Any]:
        months, now = partition_months(context), clock.now()
        with warehouse.begin() as connection:
            students_by_month = {
                month: students_of_contacts(connection, month_contacts(connection, month)) for month in months
            }
        # Every student of the run's months at once: one listing, however many months a student recurs in.
        enrollments = fourgeeks.enrollments(
            {student for students in students_by_month.values() for student in students}
        )
        tally = MonthlyTally()
        for month, contact_of_student in students_by_month.items():
            rows, month_errors = matching.service_periods(enrollments, contact_of_student, now)
            upserted = upsert_with_errors(
                context,
                warehouse,
                source="4geeks",
                table=periods_table,
                key_columns=["id"],
                rows=rows,
                errors=month_errors,
                now=now,
                partition_key=month.isoformat(),
            )
            figures = {
                "students": len(contact_of_student),
                "periods": len(rows),
                "periods_created": upserted.created,
                "periods_updated": upserted.updated,
                "invalid_records": len(month_errors),
            }
            tally.add(month, figures, month_errors)
        with warehouse.engine.connect() as connection:
            periods = row_count(connection, periods_table)
        return dg.MaterializeResult(metadata={**tally.metadata(), **periods})

    return [fourgeeks_students, service_periods]
