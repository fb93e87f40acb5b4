"""Read an export file into a grid of text cells, refusing what cannot be read with a clear message.

Workbooks and CSV files end up the same way: a list of header strings and a DataFrame of cells as
text (or NA for an empty cell), numbered the way Excel numbers them (row 1 is the header, column A
the first). CSV text is decoded by shequlab.data.encoding, the one decoder of the project;
workbooks are read with calamine (python-calamine), ~20× faster than openpyxl on 2,000 rows.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError

from shequlab.data.encoding import TableEncodingError, read_table_text
from shequlab.research.survey import ImportProblem

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".txt")


@dataclass(frozen=True)
class Grid:
    """The header row and the cells of an export, all as text; ``encoding`` says how it was read."""

    headers: list[str]
    cells: pd.DataFrame  # columns 0..n-1, string dtype, NA if empty; index: the file's row number
    encoding: str


def column_name(index: int, header: str) -> tuple[str, str]:
    """How a message names a column: "第 C 列“3、您居住的居民区：”" and "column C '3、…'"."""
    letter = get_column_letter(index + 1)
    short = header if len(header) <= 40 else header[:39] + "…"
    return f"第 {letter} 列“{short}”", f"column {letter} '{short}'"


def read_grid(path: Path) -> Grid:
    """The first sheet of a workbook, or a CSV file, as text cells; ImportProblem if it cannot."""
    path = Path(path)
    if not path.is_file():
        raise ImportProblem(f"找不到文件 {path}", f"file {path} not found")
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        raw, encoding = _read_workbook(path), "xlsx"
    elif suffix in TEXT_SUFFIXES:
        raw, encoding = _read_csv(path)
    else:
        raise ImportProblem(
            f"{path.name}：请提供 .xlsx 或 .csv 文件（从问卷平台“下载答卷数据”）",
            f"{path.name}: give an .xlsx or .csv file (the survey platform's answer download)",
        )
    return _grid(path.name, raw, encoding)


def _read_workbook(path: Path) -> pd.DataFrame:
    try:
        raw = pd.read_excel(
            path,
            header=None,
            dtype=object,
            engine="calamine",
            keep_default_na=False,
            na_values=[""],
        )
    except (CalamineError, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportProblem(
            f"{path.name} 不是完好的 Excel 工作簿，无法打开（{type(exc).__name__}）；"
            "请在 Excel 中打开后重新“另存为 .xlsx”，或重新从问卷平台下载",
            f"{path.name} is not an intact Excel workbook ({type(exc).__name__}); open it in "
            "Excel and save it again as .xlsx, or download it again from the survey platform",
        ) from None
    return raw.map(_cell_text)


def _cell_text(value: object) -> object:
    """A workbook cell as the text an export means: 1.0 -> "1", a datetime -> "2017-05-03 10:02"."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return pd.NA
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() else value.strftime("%Y-%m-%d")
    return str(value)


def _read_csv(path: Path) -> tuple[pd.DataFrame, str]:
    try:
        decoded = read_table_text(path, allow_gbk=True)
    except TableEncodingError as exc:
        raise ImportProblem(
            f"{path.name}：{exc.message_zh}", f"{path.name}: {exc.message_en}"
        ) from None
    try:
        raw = pd.read_csv(
            io.StringIO(decoded.text),
            header=None,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
        )
    except pd.errors.EmptyDataError:
        raw = pd.DataFrame()
    except pd.errors.ParserError as exc:
        raise ImportProblem(
            f"{path.name} 的行列不整齐，无法按 CSV 读取（{exc}）；请在 Excel 中打开后另存为 CSV",
            f"{path.name} has rows of different lengths and cannot be read as CSV ({exc}); "
            "open it in Excel and save it as CSV again",
        ) from None
    return raw, decoded.encoding


def _grid(name: str, raw: pd.DataFrame, encoding: str) -> Grid:
    raw = raw.astype("string")
    raw = raw.apply(lambda col: col.str.strip()).replace("", pd.NA)
    raw = raw.dropna(how="all").dropna(axis=1, how="all")  # Excel's trailing blank rows/columns
    if raw.empty:
        raise ImportProblem(
            f"{name} 是空的：没有表头也没有回答", f"{name} is empty: no header and no answers"
        )
    raw.columns = range(raw.shape[1])
    raw.index = raw.index + 1  # the row number Excel shows
    header_row = raw.iloc[0]
    cells = raw.iloc[1:]
    headers: list[str] = []
    for index, value in header_row.items():
        if pd.isna(value):
            row = int(cells[index].first_valid_index())
            letter = get_column_letter(index + 1)
            raise ImportProblem(
                f"{name} 第 {letter} 列没有表头，却有内容（第 {row} 行起）；请在第 1 行写上题目",
                f"{name} column {letter} has no header but has answers (from row {row}); "
                "put the question in row 1",
            )
        headers.append(" ".join(str(value).split()))
    seen: dict[str, int] = {}
    for index, header in enumerate(headers):
        if header in seen:
            first_zh, first_en = column_name(seen[header], header)
            again_zh, again_en = column_name(index, header)
            raise ImportProblem(
                f"{name} 表头重复：{first_zh}与{again_zh}同名；请改名后再导入",
                f"{name} has a duplicated header: {first_en} and {again_en} have the same name; "
                "rename one of them",
            )
        seen[header] = index
    if cells.empty:
        raise ImportProblem(
            f"{name} 只有表头，没有任何回答", f"{name} has a header row but no answers"
        )
    return Grid(headers, cells, encoding)
