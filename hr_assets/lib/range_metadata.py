"""Metadata of a run that covers one month or a backfill's whole range of months.

Dagster records a range run's one materialization for every month of the range, with the same
metadata. So a range's figures are added up over its months (balances, which do not add up, are
the last month's) and shown month by month as well, as a table; a single month's are its own.
Counts are integers, amounts floats the UI plots (``amount``).

When some months of a range fail (a vendor's API refused their listing), the others are still
materialized, each with its own figures, and the step fails naming the failed months
(``materialized_months``), as Bayzat's companies are.
"""

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import dagster as dg

from hr_assets.lib.row_errors import RowError, reasons_table
from hr_assets.warehouse.metadata import amount, rows_table

Figure = int | Decimal


def range_metadata(by_month: Mapping[str, Mapping[str, Figure]], balances: Collection[str] = ()) -> dict[str, Any]:
    """``by_month``: partition key -> figure name -> count or amount, in month order."""
    months = list(by_month)
    totals: dict[str, Figure] = {}
    for figures in by_month.values():
        for name, value in figures.items():
            totals[name] = value if name in balances else totals.get(name, 0) + value
    metadata: dict[str, Any] = {name: _shown(value) for name, value in totals.items()}
    if len(months) > 1:
        metadata["months"] = f"{months[0][:7]} to {months[-1][:7]} ({len(months)})"
        metadata["by_month"] = _table(by_month)
    return metadata


@dataclass
class MonthlyTally:
    """A run's figures and record errors, month by month, for its metadata."""

    by_month: dict[str, dict[str, Figure]] = field(default_factory=dict)
    errors_by_month: dict[str, list[RowError]] = field(default_factory=dict)

    def add(self, month: dt.date, figures: Mapping[str, Figure], errors: Iterable[RowError] = ()) -> None:
        self.by_month[month.isoformat()] = dict(figures)
        self.errors_by_month[month.isoformat()] = list(errors)

    def metadata(self) -> dict[str, Any]:
        errors = [error for month_errors in self.errors_by_month.values() for error in month_errors]
        return {**range_metadata(self.by_month), "reasons": reasons_table(errors)}

    def month_metadata(self, key: str) -> dict[str, Any]:
        """One month's figures and reasons, for its own materialization."""
        return {**range_metadata({key: self.by_month[key]}), "reasons": reasons_table(self.errors_by_month[key])}


def materialized_months(
    context: dg.AssetExecutionContext,
    tally: MonthlyTally,
    failed: Mapping[dt.date, str],
    table_metadata: Mapping[str, Any],
) -> Iterator[dg.AssetMaterialization | dg.MaterializeResult[Any]]:
    """What a monthly step yields once its months are stored (``tally``) or failed (``failed``: month -> why, one
    line): with no failure, one result for the run; else each stored month's own materialization (a failing step has
    no output), then ``dg.Failure`` naming the failed months, grouped by why."""
    if not failed:
        yield dg.MaterializeResult(metadata={**tally.metadata(), **table_metadata})
        return
    for key in tally.by_month:
        metadata = {**tally.month_metadata(key), **table_metadata}
        yield dg.AssetMaterialization(asset_key=context.asset_key, partition=key, metadata=metadata)
    by_reason: dict[str, list[str]] = {}
    for month, why in sorted(failed.items()):
        by_reason.setdefault(why, []).append(f"{month:%Y-%m}")
    months = len(failed) + len(tally.by_month)
    reasons = "; ".join(f"{', '.join(keys)}: {why}" for why, keys in by_reason.items())
    raise dg.Failure(
        description=next(iter(failed.values()))
        if months == 1
        else f"{len(failed)} of {months} months failed, the others stored: {reasons}",
        metadata={"failed_months": ", ".join(f"{month:%Y-%m}" for month in sorted(failed))},
    )


def _shown(value: Figure) -> int | dg.FloatMetadataValue:
    return amount(value) if isinstance(value, Decimal) else value


def _table(by_month: Mapping[str, Mapping[str, Figure]]) -> dg.TableMetadataValue:
    first = next(iter(by_month.values()))
    columns = {"month": "string"} | {
        name: "decimal" if isinstance(value, Decimal) else "int" for name, value in first.items()
    }
    return rows_table([{"month": month[:7], **figures} for month, figures in by_month.items()], columns)
