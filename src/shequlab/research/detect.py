"""Guess a column's question type (single, multi, likert, numeric, text, date) from its answers.

The guess is only a start: the worker corrects it in codebook.csv, and ``shequlab.research.coerce``
then converts the answers to the declared type (refusing answers that do not fit).
"""

from __future__ import annotations

import re

import pandas as pd

from shequlab.research.conventions import MULTI_SEPARATORS, map_unique, split_other

SCALES: tuple[tuple[str, ...], ...] = (
    ("非常不满意", "不满意", "一般", "满意", "非常满意"),
    ("很不满意", "不满意", "一般", "满意", "很满意"),
    ("非常不满意", "比较不满意", "一般", "比较满意", "非常满意"),
    ("非常不同意", "不同意", "一般", "同意", "非常同意"),
    ("非常不同意", "不同意", "说不清", "同意", "非常同意"),
    ("非常不重要", "不重要", "一般", "重要", "非常重要"),
    ("很差", "较差", "一般", "较好", "很好"),
    ("非常差", "差", "一般", "好", "非常好"),
    ("从不", "很少", "有时", "经常", "总是"),
    ("完全不符合", "不太符合", "一般", "比较符合", "完全符合"),
)
RATING_WORDS = re.compile(r"满意|评分|打分|评价|同意|重要|程度|几分|星级")
LIKERT_SIZES = (5, 7, 10)
MAX_CATEGORIES = 40
DATE_PATTERN = r"\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"


def ordered_options(values: pd.Series) -> list[str]:
    """Options by how often they were chosen (ties: first seen), with "其他" always last."""
    counts = values.value_counts(sort=False)
    numbered = [re.match(r"\d+", str(v)) for v in counts.index]
    if counts.size and all(numbered):  # age bands, floors, sizes: in their numeric order
        order = sorted(counts.index, key=lambda v: int(re.match(r"\d+", str(v)).group()))
    else:
        order = sorted(counts.index, key=lambda v: (str(v).startswith("其他"), -counts[v]))
    return [str(v) for v in order]


def multi_separator(answered: pd.Series) -> str | None:
    """The separator of a multi-select joined in one cell, if this column is one."""
    for sep in MULTI_SEPARATORS:
        has = answered.str.contains(sep, regex=False)
        if sep == "┋" and has.any():
            return sep
        if has.mean() >= 0.1:
            tokens = answered.str.split(sep, regex=False).explode().str.strip()
            if tokens.nunique() <= min(MAX_CATEGORIES, answered.nunique()):
                return sep
    return None


def tokens(cells: pd.Series, sep: str | None) -> pd.Series:
    """The chosen options of each cell (one row per choice), "其他〖…〗" reduced to "其他"."""
    answered = cells.dropna()
    parts = answered.str.split(sep, regex=False).explode() if sep else answered
    return map_unique(parts.str.strip(), lambda c: split_other(c)[0])


def likert_size(largest: int) -> int:
    """The scale a set of ratings comes from: the smallest usual size that holds the largest."""
    return next((k for k in LIKERT_SIZES if largest <= k), largest)


def detect(text: str, cells: pd.Series, *, in_matrix: bool = False) -> tuple[str, list[str]]:
    """(type, options) for one column's cleaned cells (text, NA for missing)."""
    answered = cells.dropna()
    if answered.empty:
        return "text", []
    sep = multi_separator(answered)
    if sep:
        return "multi", ordered_options(tokens(cells, sep))
    numbers = pd.to_numeric(answered, errors="coerce")
    if numbers.notna().all():
        whole = bool((numbers == numbers.round()).all())
        rating = in_matrix or RATING_WORDS.search(text)
        if whole and rating and numbers.min() >= 1 and numbers.max() <= 10:
            return "likert", [str(v) for v in range(1, likert_size(int(numbers.max())) + 1)]
        return "numeric", []
    distinct = set(answered.unique())
    for scale in SCALES:
        if distinct <= set(scale):
            return "likert", list(scale)
    if answered.str.fullmatch(DATE_PATTERN).all():
        return "date", []
    base = tokens(cells, None)
    categories = base.nunique()
    if categories <= MAX_CATEGORIES and categories <= max(2, len(answered) // 2):
        return "single", ordered_options(base)
    return "text", []


def is_split_multi(columns: list[pd.Series], labels: list[str]) -> bool:
    """Whether a group of columns is a multi-select split one column per option (cells 1/0)."""
    for cells, label in zip(columns, labels, strict=True):
        answered = map_unique(cells.dropna(), lambda c: split_other(c)[0])
        if not answered.isin(["0", "1", label]).all():
            return False
    return True
