"""Every stored invoice and credit note agrees with its own lines, to the cent (over every month the run wrote)."""

import dagster as dg

from hr_assets.defs.holded import store
from hr_assets.defs.holded.invoices import totals_mismatch
from hr_assets.defs.shared.partitions import monthly_partitions, partition_months
from hr_assets.settings import Settings
from hr_assets.warehouse.metadata import rows_table
from hr_assets.warehouse.resource import WarehouseResource


def invoice_checks(settings: Settings) -> list[dg.AssetChecksDefinition]:
    """The invoices' and the credit notes' checks, month by month."""
    return [
        _totals_match_lines(settings, "invoice", store.INVOICES),
        _totals_match_lines(settings, "credit_note", store.CREDIT_NOTES),
    ]


def _totals_match_lines(settings: Settings, what: str, tables: store.DocumentTables) -> dg.AssetChecksDefinition:
    """``<what>_totals_match_lines``: each document's totals against its lines (``totals_mismatch``); ``what`` also
    names its metadata (``<what>s``) and its examples' column."""

    @dg.asset_check(
        asset="holded_invoices",
        name=f"{what}_totals_match_lines",
        partitions_def=monthly_partitions(settings),
        description=f"Each {what.replace('_', ' ')}'s subtotal, discount, tax and total equal the sums of its lines.",
    )
    def totals_match_lines(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.begin() as connection:
            documents = [
                document
                for month in partition_months(context)
                for document in store.month_documents_with_lines(connection, tables, month)
            ]
        wrong = {
            document["doc_number"] or document["id"]: problem
            for document, lines in documents
            if (problem := totals_mismatch(document, lines))
        }
        examples = rows_table(
            [{what: number, "problem": problem} for number, problem in sorted(wrong.items())[:20]],
            {what: "string", "problem": "string"},
        )
        return dg.AssetCheckResult(
            passed=not wrong, metadata={f"{what}s": len(documents), "mismatched": len(wrong), "examples": examples}
        )

    return totals_match_lines
