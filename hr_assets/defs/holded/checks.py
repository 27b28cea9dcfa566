"""Every stored invoice agrees with its own lines, to the cent (over every month the run wrote)."""

import dagster as dg

from hr_assets.defs.holded import store
from hr_assets.defs.holded.invoices import totals_mismatch
from hr_assets.defs.shared.partitions import monthly_partitions, partition_months
from hr_assets.settings import Settings
from hr_assets.warehouse.metadata import rows_table
from hr_assets.warehouse.resource import WarehouseResource


def invoice_checks(settings: Settings) -> list[dg.AssetChecksDefinition]:
    """The invoices' checks, month by month."""

    @dg.asset_check(
        asset="holded_invoices",
        partitions_def=monthly_partitions(settings),
        description="Each invoice's subtotal, discount, tax and total equal the sums of its lines.",
    )
    def invoice_totals_match_lines(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        with warehouse.begin() as connection:
            invoices = [
                invoice
                for month in partition_months(context)
                for invoice in store.month_invoices_with_lines(connection, month)
            ]
        wrong = {
            invoice["doc_number"] or invoice["id"]: problem
            for invoice, lines in invoices
            if (problem := totals_mismatch(invoice, lines))
        }
        examples = rows_table(
            [{"invoice": number, "problem": problem} for number, problem in sorted(wrong.items())[:20]],
            {"invoice": "string", "problem": "string"},
        )
        return dg.AssetCheckResult(
            passed=not wrong, metadata={"invoices": len(invoices), "mismatched": len(wrong), "examples": examples}
        )

    return [invoice_totals_match_lines]
