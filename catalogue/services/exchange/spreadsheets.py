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
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
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


# What an import reads, so that a small file can never take the memory or the hours a
# large one would: one CSV row (all its lines) at most, columns of a sheet, rows of a sheet
# (as many as a worksheet holds), and for an XLSX package its parts' unpacked size.
MAX_ROW_CHARS = 8 * 1024 * 1024
MAX_COLUMNS = 1000
MAX_ROWS = 1_048_576
MAX_PARTS = 10_000
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
# A part unpacking to more than this many times its packed size is a zip bomb (as Apache POI
# judges them); smaller parts are not judged.
MAX_RATIO = 100
RATIO_FROM_BYTES = 16 * 1024 * 1024
TOO_BIG = "save it as CSV, or import it in several files"

# The default (131,072 characters) is below what an export may write in one cell (a list of
# long inscriptions); rows are bounded by MAX_ROW_CHARS instead.
csv.field_size_limit(MAX_ROW_CHARS)


def read_rows(path: str | Path) -> Iterator[tuple[int, list[str | None]]]:
    """``(row number, cells)`` for the header (row 1) and each non-empty row, streamed.

    Raises FileUnreadable, saying what is wrong, for anything that is not a CSV or XLSX file
    this importer reads, and for a file past the limits above."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FileUnreadable(f"Give a .csv or .xlsx file, not '{path.suffix or path.name}'.")
    if path.stat().st_size == 0:
        raise FileUnreadable("The file is empty.")
    if suffix == ".xlsx":
        yield from _xlsx_rows(path)
    else:
        yield from _csv_rows(path)


# ---- CSV ----------------------------------------------------------------------------------


def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as UTF-8; otherwise Windows-1252,
    which older French spreadsheet software writes. Anything else is refused."""
    decoders = {
        "utf-8-sig": codecs.getincrementaldecoder("utf-8")(),
        "cp1252": codecs.getincrementaldecoder("cp1252")(),
    }
    offset, bom = 0, False
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            if offset == 0:
                if chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    raise FileUnreadable(
                        "The file is UTF-16 text: save it as CSV UTF-8, or as CSV (semicolons)."
                    )
                bom = chunk.startswith(codecs.BOM_UTF8)
            for name, decoder in list(decoders.items()):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    _refuse(decoders, name, offset + error.start, bom)
            if b"\x00" in chunk:
                raise FileUnreadable(
                    f"The file holds a NUL byte (byte {offset + chunk.index(0)}): it is not CSV "
                    "text. Save the spreadsheet as CSV UTF-8, or send it as .xlsx."
                )
            offset += len(chunk)
    try:
        decoders.get("utf-8-sig", codecs.getincrementaldecoder("utf-8")()).decode(b"", True)
    except UnicodeDecodeError:
        _refuse(decoders, "utf-8-sig", offset - 1, bom)  # the file ends inside a character
    return next(iter(decoders))  # UTF-8 when both read it


def _refuse(decoders: dict, name: str, position: int, bom: bool) -> None:
    """Drop an encoding that cannot read byte ``position``; say so when none is left."""
    del decoders[name]
    if bom and name == "utf-8-sig":
        raise FileUnreadable(
            f"The file starts as UTF-8 text but byte {position} is not UTF-8: "
            "save it again as CSV UTF-8."
        )
    if not decoders:
        raise FileUnreadable(
            f"The file is not UTF-8 or Windows-1252 text (byte {position} is neither): "
            "save the spreadsheet as CSV UTF-8, or send it as .xlsx."
        )


class _Lines:
    """The lines of a text file, for the CSV reader; a row may not run past MAX_ROW_CHARS,
    whether in one line or in many (a quoted cell holds line breaks)."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.used = 0
        self.row = 1

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.stream.readline(MAX_ROW_CHARS + 1 - self.used)
        if not line:
            raise StopIteration
        self.used += len(line)
        if self.used > MAX_ROW_CHARS:
            raise FileUnreadable(
                f"Row {self.row} is longer than {MAX_ROW_CHARS:,} characters (is a quote "
                "left open?)."
            )
        return line

    def next_row(self, number: int) -> None:
        self.used, self.row = 0, number


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str | None]]]:
    encoding = _encoding(path)
    with path.open(encoding=encoding, newline="") as stream:
        first = stream.readline(MAX_ROW_CHARS)
        stream.seek(0)
        lines = _Lines(stream)
        reader = csv.reader(lines, delimiter=_delimiter(first))
        try:
            for number, cells in enumerate(reader, start=1):
                lines.next_row(number + 1)
                values = [restored(cell_text(c)) for c in cells]
                if number == 1 or any(values):
                    yield number, values
        except csv.Error as error:
            raise FileUnreadable(f"The CSV file cannot be read: {error}.") from error


# ---- XLSX ---------------------------------------------------------------------------------


def _check_package(path: Path) -> None:
    """Refuse what is not a zip package, and parts that would unpack to too much."""
    try:
        with zipfile.ZipFile(path) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise FileUnreadable(
            "The file is not an .xlsx workbook (an .xlsx file is a zip package): an older .xls "
            "file, a workbook protected by a password, or a CSV file renamed? Save it again as "
            ".xlsx (without a password) or as CSV."
        ) from error
    if len(parts) > MAX_PARTS:
        raise FileUnreadable(f"The workbook holds more than {MAX_PARTS:,} parts.")
    if sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        raise FileUnreadable(
            f"The workbook unpacks to more than {MAX_UNPACKED_BYTES:,} bytes: {TOO_BIG}."
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > RATIO_FROM_BYTES and ratio > MAX_RATIO:
            raise FileUnreadable(
                f"The spreadsheet cannot be read: its part {part.filename} unpacks to "
                f"{ratio:,.0f} times its packed size, as zip bombs do."
            )


def _reason(error: BaseException, path: Path) -> str:
    """What openpyxl found wrong, in a sentence that names no folder of the server."""
    while error.__cause__ is not None:  # openpyxl wraps the parser's error in its own
        error = error.__cause__
    if isinstance(error, DefusedXmlException):
        return "its XML declares entities (a DOCTYPE), which spreadsheets never do"
    if isinstance(error, ParseError):
        return f"its XML is malformed ({error})"
    if isinstance(error, IndexError):
        return "a cell refers to a shared text the workbook does not hold"
    text = str(error).replace(str(path), "the file") or type(error).__name__
    return f"{type(error).__name__}: {text}" if isinstance(error, LookupError) else text


def _unreadable(error: BaseException, path: Path, after: int | None = None) -> FileUnreadable:
    where = f" (after row {after})" if after else ""
    return FileUnreadable(f"The spreadsheet cannot be read{where}: {_reason(error, path)}.")


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str | None]]]:
    _check_package(path)
    # Opened here so that it is closed even when openpyxl gives up half way.
    with path.open("rb") as stream:
        try:
            book = load_workbook(stream, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
            raise _unreadable(error, path) from error
        try:
            if not book.worksheets:
                raise FileUnreadable("The workbook has no worksheet.")
            yield from _sheet_rows(book.worksheets[0], path)
        finally:
            book.close()


def _sheet_rows(sheet, path: Path) -> Iterator[tuple[int, list[str | None]]]:
    # The size a sheet declares is not trusted: it would make every row that wide.
    sheet.reset_dimensions()
    number = 0  # the last row read
    try:
        header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
        width = max((i + 1 for i, v in enumerate(header) if v not in (None, "")), default=1)
        if width > MAX_COLUMNS:
            raise FileUnreadable(f"The first row has more than {MAX_COLUMNS:,} columns.")
        number = 1
        yield 1, [restored(cell_text(c)) for c in header[:width]]
        rows = sheet.iter_rows(min_row=2, max_col=width, values_only=True)
        for number, cells in enumerate(rows, start=2):
            if number > MAX_ROWS:
                raise FileUnreadable(f"The sheet has more than {MAX_ROWS:,} rows.")
            if cells.count(None) == len(cells):
                continue
            values = [restored(cell_text(c)) for c in cells]
            if any(values):
                yield number, values
    except FileUnreadable:
        raise
    except Exception as error:  # a damaged sheet shows only as its rows are read
        raise _unreadable(error, path, number) from error


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
