"""Holded: the service catalog, then each month's invoices and credit notes with their lines and the contacts they
name."""

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg

from hr_assets.defs.holded import store
from hr_assets.defs.holded.invoices import (
    BadRecord,
    contact_row,
    invoices_by_month,
    parse_credit_notes,
    parse_invoices,
    service_row,
)
from hr_assets.defs.holded.resources import HoldedResource
from hr_assets.defs.shared.freshness import closed_month_by_the_3rd
from hr_assets.defs.shared.partitions import month_windows
from hr_assets.defs.shared.revenue_chain import revenue_month_asset
from hr_assets.lib.clock import Clock
from hr_assets.lib.integration import NotConfigured
from hr_assets.lib.range_metadata import MonthlyTally, materialized_months
from hr_assets.lib.records import upsert_counted, upsert_with_errors
from hr_assets.lib.row_errors import RowError
from hr_assets.settings import Settings
from hr_assets.warehouse.integration_errors import replace_integration_errors
from hr_assets.warehouse.metadata import row_count, table_definition
from hr_assets.warehouse.resource import WarehouseResource
from hr_assets.warehouse.tables import holded_contacts
from hr_assets.warehouse.tables import holded_invoices as invoices_table
from hr_assets.warehouse.tables import holded_services as services_table

GROUP = "holded"
OWNERS = ["team:finance-data"]


def holded_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    """The service catalog and the month's invoices."""

    @dg.asset(
        group_name=GROUP,
        freshness_policy=closed_month_by_the_3rd(settings),
        kinds={"api", "sql"},
        owners=OWNERS,
        metadata=table_definition(services_table),
        description="Holded's service catalog (the programs invoices are for), upserted into holded_services.",
    )
    def holded_services(
        context: dg.AssetExecutionContext, holded: HoldedResource, warehouse: WarehouseResource, clock: Clock
    ) -> dg.MaterializeResult[Any]:
        now = clock.now()
        rows, errors = [], []
        for position, raw in enumerate(holded.services(), start=1):
            try:
                rows.append(service_row(raw, now))
            except BadRecord as exc:
                errors.append(
                    RowError(
                        "holded:services", position, exc.field, f"service not stored: {exc}", str(raw.get("id", ""))
                    )
                )
        upsert_with_errors(
            context,
            warehouse,
            source="holded",
            table=services_table,
            key_columns=["id"],
            rows=rows,
            errors=errors,
            now=now,
        )
        with warehouse.engine.connect() as connection:
            services = row_count(connection, services_table)
        return dg.MaterializeResult(metadata={"services": len(rows), "invalid_records": len(errors), **services})

    @revenue_month_asset(
        settings,
        group_name=GROUP,
        kinds={"api", "sql"},
        owners=OWNERS,
        deps=[holded_services],
        metadata=table_definition(invoices_table),
        description=(
            "The month's invoices (cancelled ones marked) and credit notes with their lines (net of discount, before "
            "tax, to the cent) and the contacts they name, in holded_invoices, holded_invoice_lines, "
            "holded_credit_notes, holded_credit_note_lines and holded_contacts."
        ),
    )
    def holded_invoices(
        context: dg.AssetExecutionContext, holded: HoldedResource, warehouse: WarehouseResource, clock: Clock
    ) -> Iterator[dg.AssetMaterialization | dg.MaterializeResult[Any]]:
        """A month Holded fails to list fails alone: the others are stored and materialized, and the step fails
        naming it (``_documents_by_month``). The contacts are listed once a run, and only when a document names
        one."""
        now = clock.now()
        with warehouse.begin() as connection:
            known_services = store.service_ids(connection)
        raw_by_month, failed = _documents_by_month(holded, month_windows(context), clock.tz)
        listed_by_month = {
            month: (
                parse_invoices(invoices, known_services, clock.tz),
                parse_credit_notes(notes, known_services, clock.tz),
            )
            for month, (invoices, notes) in raw_by_month.items()
        }
        named = set().union(*(parsed.contact_ids | notes.contact_ids for parsed, notes in listed_by_month.values()))
        listed = {str(raw.get("id")): raw for raw in holded.contacts()} if named else {}
        tally = MonthlyTally()
        for month, (parsed, notes) in listed_by_month.items():
            key = month.isoformat()
            named_in_month = parsed.contact_ids | notes.contact_ids
            contacts = [contact_row(listed[id_], now) for id_ in sorted(named_in_month & listed.keys())]
            month_errors = (
                parsed.errors
                + notes.errors
                + [
                    RowError(
                        "holded:contacts",
                        None,
                        "contact",
                        "invoices or credit notes name this contact but Holded does not list it",
                        id_,
                    )
                    for id_ in sorted(named_in_month - listed.keys())
                ]
            )
            with warehouse.begin() as connection:
                store.replace_month(connection, month, parsed.invoices, parsed.lines, now)
                store.replace_credit_notes_month(connection, month, notes.credit_notes, notes.lines, now)
                clients = upsert_counted(connection, holded_contacts, contacts, ["id"])
                replace_integration_errors(
                    connection,
                    source="holded",
                    asset="holded_invoices",
                    partition_key=key,
                    run_id=context.run.run_id,
                    errors=month_errors,
                    now=now,
                )
            figures = {
                "invoices_processed": len(parsed.invoices),
                "lines": len(parsed.lines),
                "clients_created": clients.created,
                "clients_updated": clients.updated,
                "net_invoiced": sum((line["net_amount"] for line in parsed.lines), start=Decimal(0)),
                "cancelled_invoices": sum(invoice["cancelled"] for invoice in parsed.invoices),
                "credit_notes": len(notes.credit_notes),
                "credit_note_lines": len(notes.lines),
                "net_credited": sum((line["net_amount"] for line in notes.lines), start=Decimal(0)),
                "credit_lines_naming_no_invoice": notes.lines_naming_no_invoice,
                "invalid_records": len(month_errors),
            }
            tally.add(month, figures, month_errors)
        with warehouse.engine.connect() as connection:
            stored = row_count(connection, invoices_table)
        yield from materialized_months(context, tally, failed, stored)

    return [holded_services, holded_invoices]


# A month's invoices and credit notes, as listed.
Documents = tuple[Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]]]


def _documents_by_month(
    holded: HoldedResource, windows: Mapping[dt.date, dg.TimeWindow], tz: ZoneInfo
) -> tuple[dict[dt.date, Documents], dict[dt.date, str]]:
    """The months' invoices and credit notes, and the months Holded failed to list (month -> why, one line).

    The run's months are listed in one go, back to back at the API's pace: as few requests as the documents need.
    When Holded fails that listing (after its retries), each month is listed on its own, so that only the months it
    fails fail."""
    months = list(windows)
    try:
        start, end = windows[months[0]].start, windows[months[-1]].end
        invoices = invoices_by_month(holded.invoices(start, end), months, tz)
        notes = invoices_by_month(holded.credit_notes(start, end), months, tz)
        return {month: (invoices[month], notes[month]) for month in months}, {}
    except NotConfigured:
        raise
    except dg.Failure as exc:  # the API's failure, in the resource's one line
        if len(months) == 1:
            return {}, {months[0]: exc.description or "Holded failed"}
    listed: dict[dt.date, Documents] = {}
    failed: dict[dt.date, str] = {}
    for month, window in windows.items():
        try:
            listed[month] = (holded.invoices(window.start, window.end), holded.credit_notes(window.start, window.end))
        except NotConfigured:
            raise
        except dg.Failure as exc:
            failed[month] = exc.description or "Holded failed"
    return listed, failed
