"""Turn a question's text cells into typed analysis columns, or say which cell does not fit.

Every function takes the cleaned cells (text, NA for missing, indexed by the file's row number)
and returns the typed columns; an answer that does not fit the type raises ImportProblem naming
the file, row and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from shequlab.research.conventions import map_unique, seconds, split_other
from shequlab.research.detect import multi_separator, ordered_options, tokens
from shequlab.research.source import column_name
from shequlab.research.survey import ImportProblem

TYPE_ZH = {
    "single": "单选题的选项",
    "multi": "多选题的选项",
    "likert": "量表分值",
    "numeric": "数字",
    "date": "日期",
}
TYPE_EN = {
    "single": "one of the options",
    "multi": "one of the options",
    "likert": "a rating on the scale",
    "numeric": "a number",
    "date": "a date",
}
DATETIME_META = ("提交答卷时间", "提交时间", "开始时间", "结束时间")
DURATION_META = ("所用时间", "答题时长")


@dataclass(frozen=True)
class Where:
    """Where a question's cells come from, for messages: file name, column position and header."""

    file: str
    index: int
    header: str


@dataclass
class Typed:
    """A question's analysis columns, its final options and the "other" texts respondents typed."""

    columns: dict[str, pd.Series]
    options: list[str]
    valid_n: int
    other: pd.Series | None = None
    notes: list[str] = field(default_factory=list)


def misfit(where: Where, row: object, value: str, kind: str, extra: str = "") -> ImportProblem:
    """The bilingual refusal of one cell that does not fit its question's type."""
    col_zh, col_en = column_name(where.index, where.header)
    return ImportProblem(
        f"{where.file} 第 {row} 行、{col_zh}：“{value}”不是{TYPE_ZH[kind]}{extra}；"
        "请改正这一格，或在 codebook.csv 中改这一题的 type/options",
        f"{where.file} row {row}, {col_en}: {value!r} is not {TYPE_EN[kind]}; correct the cell, "
        "or change the question's type/options in codebook.csv",
    )


def _others(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    base = map_unique(cells, lambda c: split_other(c)[0]).astype("string")
    other = map_unique(cells, lambda c: split_other(c)[1]).astype("string")
    return base, other


def single(cells: pd.Series, name: str, options: list[str], where: Where) -> Typed:
    base, other = _others(cells)
    answered = base.dropna()
    options = options or ordered_options(answered)
    unknown = answered[~answered.isin(options)]
    if len(unknown):
        raise misfit(
            where, unknown.index[0], unknown.iloc[0], "single", f"（选项：{'、'.join(options)}）"
        )
    column = pd.Categorical(base, categories=options)
    return Typed({name: pd.Series(column, index=cells.index)}, options, len(answered), _kept(other))


def multi_joined(cells: pd.Series, name: str, options: list[str], where: Where) -> Typed:
    answered = cells.dropna()
    sep = multi_separator(answered) if len(answered) else None
    parsed = {value: _joined(value, sep) for value in answered.unique()}
    chosen = tokens(cells, sep)
    options = options or ordered_options(chosen)
    unknown = chosen[~chosen.isin(options)]
    if len(unknown):
        raise misfit(
            where, unknown.index[0], unknown.iloc[0], "multi", f"（选项：{'、'.join(options)}）"
        )
    columns = {}
    for i, option in enumerate(options, start=1):
        picked = {value: int(option in p[0]) for value, p in parsed.items()}
        columns[f"{name}_{i}"] = cells.map(picked).astype("Int64")
    other = cells.map({value: p[1] for value, p in parsed.items()}).astype("string")
    return Typed(columns, options, len(answered), _kept(other))


def _joined(cell: str, sep: str | None) -> tuple[frozenset[str], str | None]:
    """The options chosen in one joined cell and the "other" texts typed in it."""
    chosen, texts = set(), []
    for part in cell.split(sep) if sep else [cell]:
        option, typed = split_other(part.strip())
        chosen.add(option)
        if typed:
            texts.append(typed)
    return frozenset(chosen), "；".join(texts) or None


def multi_split(group: list[pd.Series], name: str, labels: list[str], wheres: list[Where]) -> Typed:
    """A multi-select exported one column per option: 1 (or the option's label) chosen, 0 not."""
    frame = pd.concat(group, axis=1, keys=range(len(group)))
    answered_rows = frame.notna().any(axis=1)
    columns = {}
    other = pd.Series(pd.NA, index=frame.index, dtype="string")
    for i, (cells, label, where) in enumerate(zip(group, labels, wheres, strict=True), start=1):
        base, texts = _others(cells)
        bad = base.dropna()[~base.dropna().isin(["0", "1", label])]
        if len(bad):
            raise misfit(where, bad.index[0], bad.iloc[0], "multi", "（应为 1 或 0）")
        has = base.isin(["1", label]).astype("Int64").where(answered_rows, pd.NA)
        columns[f"{name}_{i}"] = has
        other = other.fillna(texts)
    return Typed(columns, list(labels), int(answered_rows.sum()), _kept(other))


def likert(cells: pd.Series, name: str, options: list[str], where: Where) -> Typed:
    answered = cells.dropna()
    numbers = pd.to_numeric(answered, errors="coerce")
    if numbers.notna().all() and len(answered):
        whole = numbers == numbers.round()
        if not options:
            largest = int(numbers.max()) if whole.all() else 0
            options = [str(v) for v in range(1, max(largest, 5) + 1)]
        bad = ~whole | (numbers < 1) | (numbers > len(options))
        values = numbers
    else:
        if not options:
            options = ordered_options(answered)
        lookup = {label: i for i, label in enumerate(options, start=1)}
        values = answered.map(lookup)
        bad = values.isna()
    if bad.any():
        first = bad[bad].index[0]
        raise misfit(where, first, answered[first], "likert", f"（1–{len(options)}）")
    column = pd.Series(pd.NA, index=cells.index, dtype="Int64")
    column.loc[answered.index] = values.astype("Int64")
    return Typed({name: column}, list(options), len(answered))


def numeric(cells: pd.Series, name: str, where: Where) -> Typed:
    answered = cells.dropna()
    numbers = pd.to_numeric(answered.str.replace(",", "", regex=False), errors="coerce")
    if numbers.isna().any():
        first = numbers[numbers.isna()].index[0]
        raise misfit(where, first, answered[first], "numeric")
    column = pd.Series(pd.NA, index=cells.index, dtype="Float64")
    column.loc[answered.index] = numbers.astype("Float64")
    return Typed({name: column}, [], len(answered))


def date(cells: pd.Series, name: str, where: Where) -> Typed:
    answered = cells.dropna()
    normal = answered.str.replace(r"[年月/]", "-", regex=True).str.replace("日", "", regex=False)
    parsed = pd.to_datetime(normal, errors="coerce", format="mixed")
    if parsed.isna().any():
        first = parsed[parsed.isna()].index[0]
        raise misfit(where, first, answered[first], "date")
    column = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns]")
    column.loc[answered.index] = parsed.astype("datetime64[ns]")
    return Typed({name: column}, [], len(answered))


def text(cells: pd.Series, name: str) -> Typed:
    return Typed({name: cells.astype("string")}, [], int(cells.notna().sum()))


def meta(cells: pd.Series, name: str, header: str) -> Typed:
    """Platform metadata: times as datetimes, durations as seconds, the rest as text."""
    answered = cells.dropna()
    if header in DURATION_META:
        secs = map_unique(answered, seconds)
        if secs.notna().all():
            column = pd.Series(pd.NA, index=cells.index, dtype="Float64")
            column.loc[answered.index] = secs.astype("Float64")
            return Typed({name: column}, [], len(answered))
    if header in DATETIME_META:
        parsed = pd.to_datetime(answered, errors="coerce", format="mixed")
        if parsed.notna().all():
            column = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns]")
            column.loc[answered.index] = parsed.astype("datetime64[ns]")
            return Typed({name: column}, [], len(answered))
    return text(cells, name)


def _kept(other: pd.Series) -> pd.Series | None:
    return other if other.notna().any() else None
