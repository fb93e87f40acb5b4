"""Decode a CSV file's bytes the one way we accept, so every reader of trainees' tables agrees.

- Encoding is decided here, before any parser sees the file: strict UTF-8, else GB18030 (a
  superset of GBK, which Excel's plain "CSV" export writes on Chinese Windows) if the caller
  allows it, else unknown.
- A UTF-8 byte-order mark (Excel's "CSV UTF-8" export) is decoded and reported as encoding
  ``utf-8-sig``; whether that is acceptable is the caller's decision.
- Every refusal says, in Chinese and English, how to save the file again from Excel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SAVE_AS_UTF8_ZH = '请在 Excel 中“文件 → 另存为”，保存类型选 "CSV UTF-8（逗号分隔）(*.csv)"'
SAVE_AS_UTF8_EN = 'in Excel use File → Save As, type "CSV UTF-8 (Comma delimited) (*.csv)"'


class TableEncodingError(ValueError):
    """A CSV file whose bytes are not text we accept; carries a bilingual explanation."""

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.code, self.message_zh, self.message_en = code, message_zh, message_en


@dataclass(frozen=True)
class DecodedText:
    """A CSV file's text and the encoding it was read with: utf-8, utf-8-sig or gb18030."""

    text: str
    encoding: str


def read_table_text(path: Path, *, allow_gbk: bool = False) -> DecodedText:
    """Decode a CSV file strictly: UTF-8 (with or without BOM), or GBK/GB18030 if allowed.

    Raises FileNotFoundError, or TableEncodingError with a message saying how to re-save the file.
    """
    data = Path(path).read_bytes()
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise TableEncodingError(
            "excel-workbook",
            f"这是 Excel 工作簿（.xlsx/.xls），不是 CSV 文本文件；{SAVE_AS_UTF8_ZH}",
            f"this is an Excel workbook (.xlsx/.xls), not a CSV text file; {SAVE_AS_UTF8_EN}",
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableEncodingError(
            "utf16-encoding",
            f"文件是 UTF-16 编码（Excel 的“Unicode 文本”），不是 UTF-8；{SAVE_AS_UTF8_ZH}",
            f'file is UTF-16 (Excel "Unicode Text"), not UTF-8; {SAVE_AS_UTF8_EN}',
        )
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return DecodedText(data.decode("utf-8-sig"), "utf-8-sig")
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as utf8_error:
        bad = utf8_error.start
        line = data.count(b"\n", 0, bad) + 1
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = None
    if text is not None and re.search(r"[\u4e00-\u9fff]", text):
        if allow_gbk:
            return DecodedText(text, "gb18030")
        raise TableEncodingError(
            "wrong-encoding",
            "文件不是 UTF-8 编码，看起来是 GBK/GB18030（Excel 直接“另存为 CSV”时的默认编码）；"
            + SAVE_AS_UTF8_ZH
            + " 后重新保存",
            "file is not UTF-8; it looks like GBK/GB18030 (what Excel's plain CSV export writes "
            f"on Chinese Windows); {SAVE_AS_UTF8_EN} and save again",
        )
    raise TableEncodingError(
        "unknown-encoding",
        f"文件不是 UTF-8 编码（第 {line} 行有无法识别的字节 0x{data[bad]:02X}）；{SAVE_AS_UTF8_ZH}",
        f"file is not UTF-8 (undecodable byte 0x{data[bad]:02X} on line {line}); {SAVE_AS_UTF8_EN}",
    )
