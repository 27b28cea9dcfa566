"""Metadata of a run that covers one month or a backfill's whole range of months.

Dagster records a range run's one materialization for every month of the range, with the same
metadata. So a range's figures are added up over its months (balances, which do not add up, are
the last month's) and shown month by month as well; a single month's are its own.
"""

from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

import dagster as dg

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
        metadata["by_month"] = dg.MetadataValue.md(_table(by_month))
    return metadata


def _shown(value: Figure) -> int | str:
    """Amounts as exact decimal strings: a float would lose cents."""
    return str(value) if isinstance(value, Decimal) else value


def _table(by_month: Mapping[str, Mapping[str, Figure]]) -> str:
    names = list(next(iter(by_month.values())))
    lines = ["| month | " + " | ".join(names) + " |", "| --- |" + " --- |" * len(names)]
    for month, figures in by_month.items():
        lines.append(f"| {month[:7]} | " + " | ".join(str(figures[name]) for name in names) + " |")
    return "\n".join(lines)
