"""codebook.csv: the survey's questions, types and options, written for Excel, read back checked."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pandas as pd

from shequlab.data.encoding import TableEncodingError, read_table_text
from shequlab.errors import ExpectedError

CODEBOOK_COLUMNS = ("question", "columns", "text", "type", "options", "valid_n", "missing")
TYPES = ("single", "multi", "likert", "numeric", "text", "date", "identifier", "meta")
LIST_SEPARATOR = "|"
LIST_COLUMNS = ("columns", "options")
COUNT_COLUMNS = ("valid_n", "missing")


class CodebookProblem(ExpectedError):
    """A codebook.csv that cannot be used as it is; the message names its row and column."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh, self.message_en = message_zh, message_en


def write_codebook(codebook: pd.DataFrame, path: Path | str) -> Path:
    """Write codebook.csv as UTF-8 with BOM (Excel opens it in Chinese), lists joined with "|".

    The file is written to a temporary name first and replaced whole, so a failed write never
    leaves a half-written codebook behind.
    """
    path = Path(path)
    out = codebook.loc[:, list(CODEBOOK_COLUMNS)].copy()
    for name in LIST_COLUMNS:
        out[name] = out[name].map(LIST_SEPARATOR.join)
    text = out.to_csv(index=False, lineterminator="\n")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_codebook(path: Path | str) -> pd.DataFrame:
    """Read a codebook.csv back (UTF-8, UTF-8-BOM or GBK after an Excel save) and check it."""
    path = Path(path)
    try:
        text = read_table_text(path, allow_gbk=True).text
    except FileNotFoundError:
        raise CodebookProblem(f"找不到编码本 {path}", f"codebook {path} not found") from None
    except TableEncodingError as exc:
        raise CodebookProblem(
            f"{path.name}：{exc.message_zh}", f"{path.name}: {exc.message_en}"
        ) from None
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CodebookProblem(
            f"{path.name} 不是可读的 CSV 表格（{exc}）",
            f"{path.name} is not a readable CSV ({exc})",
        ) from None
    return check_codebook(raw, path.name)


def check_codebook(raw: pd.DataFrame, name: str = "codebook.csv") -> pd.DataFrame:
    """Validate a codebook of text cells (as read from CSV); lists are split, counts parsed."""
    missing = [c for c in CODEBOOK_COLUMNS if c not in raw.columns]
    if missing:
        raise CodebookProblem(
            f"{name} 缺少列 {'、'.join(missing)}（请不要删除或改名表头）",
            f"{name} lacks the columns {', '.join(missing)} (do not delete or rename the header)",
        )
    book = raw.loc[:, list(CODEBOOK_COLUMNS)].copy()
    for index, row in book.iterrows():
        line = int(index) + 2  # Excel's row number: the header is row 1
        where_zh, where_en = f"{name} 第 {line} 行", f"{name} row {line}"
        for col in ("question", "type"):
            if not str(row[col]).strip():
                raise CodebookProblem(f"{where_zh}：{col} 列为空", f"{where_en}: {col} is empty")
        if str(row["type"]).strip() not in TYPES:
            raise CodebookProblem(
                f"{where_zh} type 列：“{row['type']}”不是已知类型（{'、'.join(TYPES)}）",
                f"{where_en} column type: {row['type']!r} is not a known type ({', '.join(TYPES)})",
            )
        for col in COUNT_COLUMNS:
            value = str(row[col]).strip()
            if value and not value.isdigit():
                raise CodebookProblem(
                    f"{where_zh} {col} 列：“{value}”不是非负整数",
                    f"{where_en} column {col}: {value!r} is not a whole number ≥ 0",
                )
    for col in ("question", "type", "text"):
        book[col] = book[col].astype(str).str.strip()
    for col in LIST_COLUMNS:
        book[col] = book[col].map(_split)
    for col in COUNT_COLUMNS:
        book[col] = pd.to_numeric(book[col].replace("", pd.NA)).astype("Int64")
    duplicated = book["question"][book["question"].duplicated()]
    if len(duplicated):
        line = int(duplicated.index[0]) + 2
        raise CodebookProblem(
            f"{name} 第 {line} 行：题号 {duplicated.iloc[0]} 重复",
            f"{name} row {line}: question {duplicated.iloc[0]} appears twice",
        )
    for index, row in book.iterrows():
        if row["type"] == "multi" and len(row["options"]) != len(row["columns"]):
            line = int(index) + 2
            raise CodebookProblem(
                f"{name} 第 {line} 行 options 列：多选题的选项数（{len(row['options'])}）"
                f"应等于列数（{len(row['columns'])}）",
                f"{name} row {line} column options: a multi-select question needs one option "
                f"per column ({len(row['options'])} options, {len(row['columns'])} columns)",
            )
    return book.reset_index(drop=True)


def _split(cell: str) -> list[str]:
    cell = str(cell).strip()
    return [part.strip() for part in cell.split(LIST_SEPARATOR)] if cell else []
