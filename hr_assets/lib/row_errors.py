"""Why an input row was not stored as data: the file, row and field it came from, and the reason.

Nothing read from a source is dropped silently: each row becomes data or a ``RowError``, and the
errors are stored in ``integration_errors`` beside the data of the same partition.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import dagster as dg

from hr_assets.warehouse.metadata import rows_table


@dataclass(frozen=True)
class RowError:
    file_name: str | None
    row_number: int | None
    field: str | None
    reason: str
    record_key: str | None = None

    def describe(self) -> str:
        """``file.numbers, row 7, field Hire Date: reason`` (only the parts that are known)."""
        where = [
            part
            for part in (
                self.file_name,
                f"row {self.row_number}" if self.row_number is not None else None,
                f"field {self.field}" if self.field else None,
            )
            if part
        ]
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


REASON_COLUMNS = {"file": "string", "row": "int", "field": "string", "reason": "string"}


def reasons_table(errors: Iterable[RowError], limit: int = 20) -> dg.TableMetadataValue:
    """The first ``limit`` errors as a table on the asset's page (reasons never carry personal data); the asset's
    counts say how many there are, and the integration_errors table holds every one."""
    rows = [
        {"file": error.file_name, "row": error.row_number, "field": error.field, "reason": error.reason}
        for error in itertools.islice(errors, limit)
    ]
    return rows_table(rows, REASON_COLUMNS)
