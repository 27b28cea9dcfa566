"""The one CSV reader of files people and vendors export: the Paycom pay export and the fingerprint report.

What it accepts, the same for every file:

- encodings: a byte-order mark decides (UTF-8 or UTF-16, Excel's "Unicode text"); without one, UTF-8 when
  every byte reads as UTF-8, else Windows-1252 (Excel on Windows; Latin-1 text reads the same). Text that
  holds control characters no CSV has (NUL, ...) is refused, so a UTF-16 file without its mark or a binary
  file is never read as text full of NULs;
- the dialect: comma, semicolon or tab, whichever the first non-blank line (the header) holds most of,
  since header names hold no separator while values such as ``1.234,5`` or ``Smith, J`` may; double quotes;
  Windows, Unix or old Mac line endings;
- blank lines are skipped, and whitespace around cells is trimmed.

Rows are numbered by the line of the file they start on (the header's line is its own), blank lines and
lines inside quoted cells included, so a number points at the line an editor shows. Each row carries how
many cells it has against the header: a row of another length (an unquoted ``61,000.00``, a row cut short)
has cells in the wrong places, and ``CsvRow.field_count_error`` says so; using it is the caller's choice.

The file is read as a stream (a first pass checks the encoding, a second parses), so memory does not grow
with its size. A file that cannot be read at all raises ``ReportFormatError`` naming the file.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hr_assets.lib.cells import ReportFormatError

DELIMITERS = ",;\t"
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_FALLBACK_ENCODINGS = ("utf-8", "cp1252")
# Control characters no CSV holds; tab, line feed, vertical tab, form feed and carriage return pass.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_SCAN_BYTES = 1 << 20
NOT_TEXT = "is not text in UTF-8, UTF-16 or Windows-1252 (binary content? an Excel workbook must be saved as CSV)"
EMPTY = "the file is empty"


@dataclass(frozen=True)
class CsvRow:
    line: int  # the line of the file the row starts on
    cells: list[str]  # trimmed
    header_cells: int

    def field_count_error(self) -> str | None:
        return field_count_error(len(self.cells), self.header_cells)


def field_count_error(cells: int, header_cells: int) -> str | None:
    """Why a row's cells cannot be matched to the header by position, or None when they can."""
    return None if cells == header_cells else f"the row has {cells} cells where the header has {header_cells}"


class CsvFile:
    """An open CSV file: its encoding, delimiter and header (the first non-blank row); ``rows()`` streams the
    rest. Use as a context manager, from ``open_csv`` (a path) or with a function that opens the stream."""

    def __init__(self, open_stream: Callable[[], BinaryIO], file_name: str):
        self.file_name = file_name
        self._open = open_stream
        self.encoding = _encoding(open_stream, file_name)
        with self._text() as text:
            self.delimiter = _delimiter(text, file_name)
        self._readings: list[Generator[tuple[int, list[str]], None, None]] = []
        with contextlib.closing(self._non_blank_records()) as records:
            self.header_line, self.header = next(records, (0, []))
        if not self.header:
            raise ReportFormatError(file_name, EMPTY)

    def rows(self) -> Iterator[CsvRow]:
        """The rows after the header, in file order; raises ``ReportFormatError`` at a line CSV cannot read.
        Each call reads the file again from its start, so a caller can look at the rows before it uses them."""
        width = len(self.header)
        records = self._non_blank_records()
        self._readings.append(records)
        next(records, None)  # the header
        for line, cells in records:
            yield CsvRow(line, cells, width)

    def close(self) -> None:
        for records in self._readings:
            records.close()

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _text(self) -> io.TextIOWrapper:
        """The file as text from its start, line endings kept as they are (``newline=""``, as ``csv`` wants)."""
        return io.TextIOWrapper(self._open(), encoding=self.encoding, newline="")

    def _non_blank_records(self) -> Generator[tuple[int, list[str]], None, None]:
        with self._text() as text:
            reader = csv.reader(text, delimiter=self.delimiter)
            next_line = 1
            try:
                for cells in reader:
                    line, next_line = next_line, reader.line_num + 1
                    trimmed = [cell.strip() for cell in cells]
                    if any(trimmed):
                        yield line, trimmed
            except csv.Error as exc:
                raise ReportFormatError(
                    self.file_name, f"line {reader.line_num} cannot be read as CSV ({exc})"
                ) from None


def open_csv(path: Path, file_name: str | None = None) -> CsvFile:
    return CsvFile(lambda: path.open("rb"), file_name or path.name)


def _encoding(open_stream: Callable[[], BinaryIO], file_name: str) -> str:
    """The codec the whole file reads with, found in one pass over it, a chunk at a time."""
    with open_stream() as stream:
        start = stream.read(len(codecs.BOM_UTF8))
        marked = [encoding for bom, encoding in _BYTE_ORDER_MARKS if start.startswith(bom)]
        for encoding in marked[:1] or _FALLBACK_ENCODINGS:
            stream.seek(0)
            verdict = _reads_as(stream, encoding)
            if verdict == "text":
                return encoding
            if verdict == "empty":
                raise ReportFormatError(file_name, EMPTY)
            if verdict == "control":
                break
    raise ReportFormatError(file_name, NOT_TEXT)


def _reads_as(stream: BinaryIO, encoding: str) -> str:
    """``text``, ``empty`` (whitespace only), ``control`` (a control character) or ``undecodable``."""
    decoder = codecs.getincrementaldecoder(encoding)()
    blank = True
    with contextlib.suppress(UnicodeDecodeError):
        while True:
            chunk = stream.read(_SCAN_BYTES)
            text = decoder.decode(chunk, final=not chunk)
            if _CONTROL_CHARACTER.search(text):
                return "control"
            blank = blank and not text.strip()
            if not chunk:
                return "empty" if blank else "text"
    return "undecodable"


def _delimiter(text: io.TextIOWrapper, file_name: str) -> str:
    """The header decides: its names hold no separator, while values may."""
    header = next((line for line in text if line.strip(" \r\n" + DELIMITERS)), None)
    if header is None:
        raise ReportFormatError(file_name, EMPTY)
    return max(DELIMITERS, key=header.count)
