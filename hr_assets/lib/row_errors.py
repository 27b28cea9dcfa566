"""Why an input row was not stored as data: the file, row and field it came from, and the reason.

Nothing read from a source is dropped silently: each row becomes data or a ``RowError``, and the
errors are stored in ``integration_errors`` beside the data of the same partition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


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


def reasons_markdown(errors: Iterable[RowError], limit: int = 20, total: int | None = None) -> str:
    """A markdown table of the first errors, for asset metadata (reasons never carry personal data).

    ``total``: how many errors there are when ``errors`` holds only the first of them."""
    errors = list(errors)
    if not errors:
        return "none"
    total = len(errors) if total is None else total
    lines = ["| file | row | field | reason |", "| --- | --- | --- | --- |"]
    for error in errors[:limit]:
        cells = (error.file_name or "", str(error.row_number or ""), error.field or "", error.reason)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    if total > min(limit, len(errors)):
        lines.append(f"\n…and {total - min(limit, len(errors))} more (see the integration_errors table)")
    return "\n".join(lines)
