"""What Chinese survey-platform exports (问卷星-style) look like: headers, markers and separators.

Conventions seen in real exports, stated once here so the reader and the example generator agree:
- a question header is "3、您居住的居民区：" or "16. 您的年龄"; a column that belongs to a group
  (one option of a split multi-select, one item of a rating matrix) adds a last bracket:
  "4、您需要哪些服务？(为老助餐)";
- a skipped question (skip logic) is "(跳过)", an unanswered one "(空)" (also with full-width
  brackets); an "other" option with typed text is "其他〖text〗";
- a multi-select joined in one cell uses "┋" (问卷星); other tools use "|", ";" or "；";
- metadata columns come first: 序号, 提交答卷时间, 所用时间 ("120秒"), 来源, 来源详情, 来自IP …
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

MISSING_MARKERS = frozenset(
    {"", "(跳过)", "（跳过）", "(空)", "（空）", "跳过", "-", "--", "—", "nan", "NaN", "None"}
)
SKIP_MARKERS = frozenset({"(跳过)", "（跳过）", "跳过"})
MULTI_SEPARATORS = ("┋", "|", "；", ";")
OTHER_TEXT = re.compile(r"^(?P<option>[^〖【]*?)\s*[〖【](?P<text>.*)[〗】]\s*$", re.S)

META_HEADERS = {
    "序号": "meta",
    "编号": "meta",
    "答卷编号": "meta",
    "提交答卷时间": "meta",
    "提交时间": "meta",
    "开始时间": "meta",
    "结束时间": "meta",
    "所用时间": "meta",
    "答题时长": "meta",
    "来源": "meta",
    "来源详情": "meta",
    "来源渠道": "meta",
    "总分": "meta",
    "答卷状态": "meta",
    "作答设备": "meta",
    "操作系统": "meta",
    "浏览器": "meta",
    "用户ID": "meta",
}
QUESTION_HEADER = re.compile(
    r"^\s*(?:第\s*)?(?P<number>\d{1,3})\s*(?:题)?\s*(?:、|\.|．|:|：)\s*(?P<rest>.*)$", re.S
)
LAST_BRACKET = re.compile(r"^(?P<stem>.*?)\s*[(（](?P<suffix>[^()（）]+)[)）]\s*$", re.S)
TRAILING_PUNCTUATION = " \t\r\n:：?？。.，,*＊"


@dataclass(frozen=True)
class Header:
    """One export header, taken apart: question number, question text and the bracketed suffix."""

    raw: str
    number: str | None  # "4"; None for unnumbered columns
    text: str  # question text without number and trailing punctuation
    suffix: str | None  # option or item label of a grouped column, if the header ends with (…)
    stem: str  # the header text without its suffix, for grouping columns of one question


def parse_header(raw: object) -> Header:
    """Take a header apart; a trailing bracket is kept as a candidate suffix for grouping."""
    text = " ".join(str(raw).split())
    match = QUESTION_HEADER.match(text)
    if not match:
        return Header(text, None, text.strip(TRAILING_PUNCTUATION) or text, None, text)
    number, rest = match["number"], match["rest"]
    bracket = LAST_BRACKET.match(rest)
    stem = bracket["stem"] if bracket else rest
    return Header(
        raw=text,
        number=number,
        text=rest.strip(TRAILING_PUNCTUATION) or rest,
        suffix=bracket["suffix"].strip() if bracket else None,
        stem=stem.strip(TRAILING_PUNCTUATION) or stem,
    )


def clean_cells(column: pd.Series) -> pd.Series:
    """Cells as stripped text with every missing marker turned into NA."""
    text = column.astype("string").str.strip()
    return text.mask(text.isin(MISSING_MARKERS))


def map_unique(cells: pd.Series, func: Callable[[str], object]) -> pd.Series:
    """func applied to each distinct answer once (answers repeat a lot), NA kept as NA."""
    return cells.map({value: func(value) for value in cells.dropna().unique()})


def split_other(cell: str) -> tuple[str, str | None]:
    """ "其他〖骑车太远〗" -> ("其他", "骑车太远"); a cell without the brackets -> (cell, None)."""
    match = OTHER_TEXT.match(cell)
    if not match:
        return cell, None
    return match["option"].strip() or "其他", match["text"].strip() or None


def seconds(value: str) -> float | None:
    """所用时间 as seconds: "120秒", "2分5秒", "1:02:05", "95"; None when it is none of these."""
    value = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    parts = re.fullmatch(
        r"(?:(\d+)\s*(?:小时|时))?\s*(?:(\d+)\s*分(?:钟)?)?\s*(?:(\d+)\s*秒)?", value
    )
    if parts and any(parts.groups()):
        h, m, s = (int(x) if x else 0 for x in parts.groups())
        return float(h * 3600 + m * 60 + s)
    clock = re.fullmatch(r"(?:(\d+):)?(\d+):(\d{2})", value)
    if clock:
        h, m, s = (int(x) if x else 0 for x in clock.groups())
        return float(h * 3600 + m * 60 + s)
    return None
