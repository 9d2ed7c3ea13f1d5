"""Malformed and malicious spreadsheets, built in memory for the tests that send them.

Each builder returns the bytes of a file; nothing here is a stored fixture.
"""

from __future__ import annotations

import io
import random
import zipfile

from openpyxl import Workbook

HEADER = ["object_number", "status", "title_fr"]
ROW = ["2040.0001.001", "public", "Casque"]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def xlsx(rows: list[list] | None = None) -> bytes:
    book = Workbook()
    for row in rows if rows is not None else [HEADER, ROW]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezipped(content: bytes, replace: dict[str, bytes] | None = None, drop=()) -> bytes:
    """The package ``content`` with some parts replaced or left out."""
    replace = replace or {}
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            if name not in drop:
                target.writestr(name, replace.get(name, source.read(name)))
    return buffer.getvalue()


def _sheet(rows_xml: str, dimension: str = "A1:C2", prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
        f"<sheetData>{rows_xml}</sheetData></worksheet>"
    ).encode()


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _header_row() -> str:
    return (
        '<row r="1">'
        + "".join(_inline(f"{c}1", h) for c, h in zip("ABC", HEADER, strict=True))
        + "</row>"
    )


def with_sheet(sheet_xml: bytes) -> bytes:
    return rezipped(xlsx(), {SHEET: sheet_xml})


def xlsx_with_entities() -> bytes:
    """A sheet declaring entities in a DOCTYPE: nested ones, as in "billion laughs"."""
    entities = '<!ENTITY a "Casque">' + "".join(
        f'<!ENTITY {b} "{("&" + a + ";") * 10}">'
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    row = '<row r="2">' + _inline("A2", "2040.0001.001") + _inline("C2", "&i;") + "</row>"
    return with_sheet(_sheet(_header_row() + row, prolog=f"<!DOCTYPE worksheet [{entities}]>"))


def xlsx_with_huge_shared_strings(size: int = 64 * 1024 * 1024) -> bytes:
    """A small file whose shared strings unpack to ``size`` bytes (a zip bomb)."""
    types = "[Content_Types].xml"
    with zipfile.ZipFile(io.BytesIO(xlsx())) as source:
        declared = source.read(types).replace(b"</Types>", SHARED_STRINGS_TYPE + b"</Types>")
    buffer = io.BytesIO(rezipped(xlsx(), {types: declared}))
    item = b"<si><t>Casque allemand</t></si>" * 1024
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as book,
        book.open("xl/sharedStrings.xml", "w", force_zip64=True) as part,
    ):
        part.write(f'<sst xmlns="{MAIN}">'.encode())
        for _ in range(size // len(item)):
            part.write(item)
        part.write(b"</sst>")
    return buffer.getvalue()


def xlsx_far_cell() -> bytes:
    """One cell at the last column of the last row, under a dimension of the whole sheet:
    a reader that fills in every missing cell would make 17 billion of them."""
    far = '<row r="1048576">' + _inline("XFD1048576", "x") + "</row>"
    return with_sheet(_sheet(_header_row() + far, dimension="A1:XFD1048576"))


def xlsx_row_beyond_the_sheet() -> bytes:
    row = '<row r="999999999999">' + _inline("A999999999999", "2040.0001.001") + "</row>"
    return with_sheet(_sheet(_header_row() + row, dimension="A1:C999999999999"))


def xlsx_wide_header(columns: int = 5000) -> bytes:
    return xlsx([HEADER + [f"colonne_{i}" for i in range(columns)], ROW])


def xlsx_without_sheet() -> bytes:
    """A workbook that names no worksheet."""
    workbook = f'<workbook xmlns="{MAIN}"><sheets/></workbook>'.encode()
    return rezipped(xlsx(), {"xl/workbook.xml": workbook}, drop={SHEET})


def xlsx_missing_shared_string() -> bytes:
    row = '<row r="2"><c r="A2" t="s"><v>99999</v></c></row>'
    return with_sheet(_sheet(_header_row() + row))


def random_bytes(size: int = 4096, seed: int = 1944) -> bytes:
    generator = random.Random(seed)
    return bytes(generator.randrange(256) for _ in range(size))


def csv_text(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    return "".join(";".join(row) + "\r\n" for row in rows).encode(encoding)
