"""Write an example export as a survey platform would: .xlsx or GBK CSV, the same bytes every run.

openpyxl stamps the time of saving into the workbook (zip entry dates, docProps/core.xml), and
serialises XML differently with and without lxml installed, so every part is rewritten in
canonical XML (C14N) with fixed dates: `shequlab data generate` then gives identical files.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.etree.ElementTree import canonicalize

from openpyxl import Workbook

FIXED_ZIP_DATE = (2017, 12, 31, 0, 0, 0)
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
FIXED_W3CDTF = "2017-12-31T00:00:00Z"
Cell = str | int | float | None


def workbook_bytes(header: Sequence[str], rows: Sequence[Sequence[Cell]], sheet: str) -> bytes:
    """An .xlsx with one sheet: the header row, then the rows (None is an empty cell)."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_dates(raw.getvalue())


def _fixed_dates(data: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename.endswith((".xml", ".rels")):
                content = XML_DECLARATION + canonicalize(content.decode("utf-8")).encode("utf-8")
            if item.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rb"\g<1>" + FIXED_W3CDTF.encode() + rb"\g<2>",
                    content,
                )
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, content)
    return out.getvalue()


def csv_text(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    """CSV text as Excel writes it: CRLF line ends, quotes only where needed."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if c is None else c for c in row] for row in rows)
    return buffer.getvalue()


def write_workbook(path: Path, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> Path:
    path.write_bytes(workbook_bytes(header, rows, sheet="Sheet1"))
    return path


def write_gbk_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> Path:
    """The CSV Excel saves on Chinese Windows ("CSV (逗号分隔)"): GBK, no BOM."""
    path.write_bytes(csv_text(header, rows).encode("gbk"))
    return path
