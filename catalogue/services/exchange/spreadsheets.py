"""Reading and writing spreadsheets: CSV (as French spreadsheet software writes it) and XLSX.

A cell that spreadsheet software would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return: OWASP's list) is written with a single quote in front, and
so is a cell that starts with a quote followed by one of those or by another quote. Reading
removes that one quote again, so an export imports back to the same records; a quote that
stands before anything else (``'Tis``) is written and read as it is.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from catalogue.services.exchange.rows import cell_text

SUFFIXES = (".csv", ".xlsx")


# Spreadsheet software reads a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_ESCAPED = (*FORMULA_STARTS, QUOTE)


def _quoted(text: str) -> bool:
    """A cell holding the quote an export puts in front of ``text[1:]``."""
    return text[:1] == QUOTE and text[1:2] in _ESCAPED


def neutralised(value):
    """A cell as exports write it: a quote in front of what could run as a formula, and in
    front of a cell that would otherwise read back without its own first quote."""
    if isinstance(value, str) and (value[:1] in FORMULA_STARTS or _quoted(value)):
        return QUOTE + value
    return value


def restored(text: str | None) -> str | None:
    """A cell as read, without the quote an export put in front of it."""
    return text[1:] if text and _quoted(text) else text


class FileUnreadable(ValueError):
    """The file is not a spreadsheet this importer reads; the message says why."""


def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as UTF-8; otherwise Windows-1252,
    which older French spreadsheet software writes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as stream:
        try:
            while chunk := stream.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_rows(path: str | Path) -> Iterator[tuple[int, list[str | None]]]:
    """``(row number, cells)`` for the header (row 1) and each non-empty row, streamed."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        yield from _xlsx_rows(path)
    elif suffix == ".csv":
        yield from _csv_rows(path)
    else:
        raise FileUnreadable(f"Give a .csv or .xlsx file, not '{path.suffix or path.name}'.")


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str | None]]]:
    encoding = _encoding(path)
    with path.open(encoding=encoding, newline="") as stream:
        first = stream.readline()
        stream.seek(0)
        reader = csv.reader(stream, delimiter=_delimiter(first))
        try:
            for number, cells in enumerate(reader, start=1):
                values = [restored(cell_text(c)) for c in cells]
                if number == 1 or any(values):
                    yield number, values
        except csv.Error as error:
            raise FileUnreadable(f"The CSV file cannot be read: {error}.") from error


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str | None]]]:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise FileUnreadable(f"The XLSX file cannot be read: {error}.") from error
    try:
        sheet = book.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = [restored(cell_text(c)) for c in cells]
            if number == 1 or any(values):
                yield number, values
    finally:
        book.close()


# ---- writing ------------------------------------------------------------------------------


def csv_chunks(columns: list[str], rows: Iterable[dict]) -> Iterator[str]:
    """CSV text piece by piece; starts with a BOM so spreadsheet software reads UTF-8.
    No cell starts as a formula (see ``neutralised``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([neutralised(c) for c in columns])
    for count, row in enumerate(rows, start=1):
        writer.writerow([neutralised(row.get(c)) for c in columns])
        if count % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def jsonl_chunks(rows: Iterable[dict]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


def write_xlsx(columns: list[str], rows: Iterable[dict], output: IO[bytes]) -> None:
    """An XLSX workbook written row by row (openpyxl's write-only mode). Every cell is a
    string, never a formula, and none starts as one (see ``neutralised``)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("objects")

    def cell(value):
        if not value:
            return None
        written = WriteOnlyCell(sheet, value=neutralised(str(value)))
        written.data_type = "s"  # openpyxl would take a text starting with "=" for a formula
        return written

    sheet.append([cell(c) for c in columns])
    for row in rows:
        sheet.append([cell(row.get(c)) for c in columns])
    book.save(output)
