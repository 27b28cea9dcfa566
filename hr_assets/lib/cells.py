"""Reading files that people and vendors export: the errors a file or a cell can have, and header matching.

Shared by the Paycom reports and the fingerprint attendance reports, which fail the same ways.
"""

from __future__ import annotations

import re
from typing import Any

_QUOTE_LIMIT = 40


class ReportFormatError(Exception):
    """The file as a whole cannot be used (unreadable, or a required column is missing)."""

    def __init__(self, file_name: str, reason: str):
        super().__init__(f"{file_name}: {reason}")
        self.file_name = file_name
        self.reason = reason


class BadValue(ValueError):
    """A cell that cannot be read as what its column holds."""


def header_key(name: Any) -> str:
    """``EE Code``, ``EECode`` and ``ee_code`` are one header."""
    return re.sub(r"[^0-9a-z]", "", str(name or "").casefold())


def quoted(value: Any) -> str:
    """A cell as a reason quotes it: trimmed, and cut short when long."""
    text = "" if value is None else str(value).strip()
    return repr(text if len(text) <= _QUOTE_LIMIT else text[: _QUOTE_LIMIT - 3] + "...")
