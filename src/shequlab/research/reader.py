"""``read_survey``: a questionnaire export to a Survey (data, codebook, removed identifiers).

Steps, in order: read the file as text cells (source) → drop identifier columns (privacy) →
group the columns of one question (split multi-select, rating matrix) → detect each question's
type, or take it from the worker's codebook → convert the cells to that type (coerce) → replace
numbers left in open answers. Nothing is written: the caller decides where the results go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from shequlab.research import coerce, privacy
from shequlab.research.codebook import (
    CODEBOOK_COLUMNS,
    LIST_COLUMNS,
    LIST_SEPARATOR,
    check_codebook,
    read_codebook,
)
from shequlab.research.conventions import META_HEADERS, clean_cells, parse_header
from shequlab.research.detect import detect, is_split_multi
from shequlab.research.source import Grid, column_name, read_grid
from shequlab.research.survey import REMOVED_COLUMNS, ImportProblem, Survey


@dataclass
class Unit:
    """One codebook row to be: a column, a split multi-select, or one item of a rating matrix."""

    qid: str
    name: str
    text: str
    indexes: list[int]
    headers: list[str]
    split_multi: bool = False
    labels: list[str] = field(default_factory=list)
    in_matrix: bool = False
    is_meta: bool = False


def read_survey(path: Path | str, *, codebook: pd.DataFrame | Path | str | None = None) -> Survey:
    """Read a survey export (.xlsx or .csv in UTF-8/UTF-8-BOM/GBK); see the package docstring."""
    path = Path(path)
    grid = read_grid(path)
    cells = {i: clean_cells(grid.cells[i]) for i in range(len(grid.headers))}
    removed: list[dict[str, object]] = []
    kept = []
    for i, header in enumerate(grid.headers):
        finding = privacy.classify(header, cells[i])
        if finding:
            removed.append(_removed(header, finding.kind, finding.reason, cells[i]))
        else:
            kept.append(i)
    units = _units(grid, kept, cells, path.name)
    wanted = _codebook_rows(codebook) if codebook is not None else None
    columns: dict[str, pd.Series] = {}
    rows: list[dict[str, object]] = []
    for unit in units:
        declared = _declared(unit, wanted, path.name) if wanted is not None else None
        if declared is not None and declared["type"] == "identifier":
            for i in unit.indexes:
                reason = "编码本把这一题标为个人标识符 / marked identifier in the codebook"
                removed.append(_removed(grid.headers[i], "codebook", reason, cells[i]))
            rows.append(_row(unit.qid, [], declared["text"], "identifier", [], 0, grid))
            continue
        kind, options = _type_of(unit, cells, declared)
        text = declared["text"] if declared is not None else unit.text
        typed = _convert(unit, kind, options, cells, path.name)
        if kind == "text":
            typed.columns, notes = _redacted(typed.columns, unit.headers[0])
            removed.extend(notes)
        columns.update(typed.columns)
        rows.append(
            _row(unit.qid, list(typed.columns), text, kind, typed.options, typed.valid_n, grid)
        )
        if typed.other is not None:
            other_id = f"{unit.qid}.other"
            other_declared = wanted.get(other_id) if wanted is not None else None
            if other_declared is not None and other_declared["type"] == "identifier":
                rows.append(_row(other_id, [], other_declared["text"], "identifier", [], 0, grid))
                continue
            other_cols, notes = _redacted({f"{unit.name}_other": typed.other}, unit.headers[0])
            removed.extend(notes)
            columns.update(other_cols)
            other_text = (
                other_declared["text"] if other_declared is not None else f"{text}：其他（请注明）"
            )
            valid = int(typed.other.notna().sum())
            rows.append(_row(other_id, list(other_cols), other_text, "text", [], valid, grid))
    for i in sorted(set(range(len(grid.headers))) - set(kept)):
        parsed = parse_header(grid.headers[i])
        qid = parsed.number or parsed.raw
        if not any(r["question"] == qid for r in rows):
            row = _row(qid, [], parsed.text, "identifier", [], 0, grid)
            rows.insert(_position(rows, i, units), row)
    if wanted is not None:
        _check_all_described(wanted, rows, path.name)
    data = pd.DataFrame(columns).reset_index(drop=True) if columns else pd.DataFrame()
    book = pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS))
    book["valid_n"] = book["valid_n"].astype("Int64")
    book["missing"] = book["missing"].astype("Int64")
    return Survey(
        data=data,
        codebook=book,
        removed=pd.DataFrame(removed, columns=list(REMOVED_COLUMNS)),
        source=path,
        encoding=grid.encoding,
        n_rows=len(grid.cells),
    )


def _position(rows: list[dict], index: int, units: list[Unit]) -> int:
    """Where a removed column's codebook row goes so the codebook keeps the file's order."""
    before = {u.qid for u in units if u.indexes[0] < index}
    at = 0
    for k, row in enumerate(rows):
        if row["question"].removesuffix(".other") in before or row["question"] in before:
            at = k + 1
    return at


def _units(grid: Grid, kept: list[int], cells: dict[int, pd.Series], file: str) -> list[Unit]:
    runs: list[list[int]] = []
    for i in kept:
        now = parse_header(grid.headers[i])
        if runs and now.number and now.suffix is not None:
            before = parse_header(grid.headers[runs[-1][-1]])
            if before.number == now.number and before.suffix and before.stem == now.stem:
                runs[-1].append(i)
                continue
        runs.append([i])
    units: list[Unit] = []
    seen: dict[str, int] = {}
    for run in runs:
        first = parse_header(grid.headers[run[0]])
        qid = first.number or first.raw
        if qid in seen:
            a_zh, a_en = column_name(seen[qid], grid.headers[seen[qid]])
            b_zh, b_en = column_name(run[0], grid.headers[run[0]])
            raise ImportProblem(
                f"{file} 题号 {qid} 出现了两次：{a_zh}和{b_zh}；请改正表头的题号",
                f"{file} question {qid} appears twice: {a_en} and {b_en}; correct the numbering",
            )
        seen[qid] = run[0]
        headers = [grid.headers[i] for i in run]
        name = f"Q{first.number}" if first.number else first.raw
        if len(run) == 1:
            units.append(Unit(qid, name, first.text, run, headers, is_meta=_is_meta(first)))
            continue
        labels = [parse_header(h).suffix or "" for h in headers]
        flags = [is_split_multi([cells[i]], [label]) for i, label in zip(run, labels, strict=True)]
        if sum(flags) * 2 >= len(flags):
            units.append(Unit(qid, name, first.stem, run, headers, split_multi=True, labels=labels))
            continue
        for j, (i, label) in enumerate(zip(run, labels, strict=True), start=1):
            units.append(
                Unit(
                    f"{qid}.{j}",
                    f"{name}_{j}",
                    f"{first.stem}：{label}",
                    [i],
                    [grid.headers[i]],
                    in_matrix=True,
                )
            )
    return units


def _is_meta(header) -> bool:
    return header.number is None and header.raw in META_HEADERS


def _type_of(
    unit: Unit, cells: dict[int, pd.Series], declared: dict | None
) -> tuple[str, list[str]]:
    if declared is not None:
        return declared["type"], list(declared["options"])
    if unit.split_multi:
        return "multi", list(unit.labels)
    if unit.is_meta:
        return "meta", []
    return detect(unit.text, cells[unit.indexes[0]], in_matrix=unit.in_matrix)


def _convert(
    unit: Unit, kind: str, options: list[str], cells: dict[int, pd.Series], file: str
) -> coerce.Typed:
    wheres = [coerce.Where(file, i, h) for i, h in zip(unit.indexes, unit.headers, strict=True)]
    if unit.split_multi:
        if kind != "multi":
            raise ImportProblem(
                f"{file} 题 {unit.qid} 是按选项分列导出的多选题，type 只能是 multi 或 identifier",
                f"{file} question {unit.qid} is a multi-select split into one column per option; "
                "its type can only be multi or identifier",
            )
        labels = options or unit.labels
        return coerce.multi_split([cells[i] for i in unit.indexes], unit.name, labels, wheres)
    column, where = cells[unit.indexes[0]], wheres[0]
    if kind == "single":
        return coerce.single(column, unit.name, options, where)
    if kind == "multi":
        return coerce.multi_joined(column, unit.name, options, where)
    if kind == "likert":
        return coerce.likert(column, unit.name, options, where)
    if kind == "numeric":
        return coerce.numeric(column, unit.name, where)
    if kind == "date":
        return coerce.date(column, unit.name, where)
    if kind == "meta":
        return coerce.meta(column, unit.name, unit.headers[0])
    return coerce.text(column, unit.name)


def _redacted(
    columns: dict[str, pd.Series], header: str
) -> tuple[dict[str, pd.Series], list[dict]]:
    out, notes = {}, []
    for name, column in columns.items():
        out[name], counts = privacy.redact(column)
        for kind, n in counts.items():
            notes.append(
                {
                    "header": header,
                    "kind": kind,
                    "reason": privacy.redaction_reason(kind),
                    "cells": n,
                }
            )
    return out, notes


def _removed(header: str, kind: str, reason: str, cells: pd.Series) -> dict[str, object]:
    return {"header": header, "kind": kind, "reason": reason, "cells": int(cells.notna().sum())}


def _row(
    qid: str, columns: list[str], text: str, kind: str, options: list[str], valid: int, grid: Grid
) -> dict:
    n = len(grid.cells)
    valid_n = valid if kind != "identifier" else 0
    return {
        "question": qid,
        "columns": columns,
        "text": text,
        "type": kind,
        "options": options,
        "valid_n": valid_n,
        "missing": n - valid_n if kind != "identifier" else n,
    }


def _codebook_rows(codebook: pd.DataFrame | Path | str) -> dict[str, dict]:
    if isinstance(codebook, pd.DataFrame):
        text = codebook.copy()
        for name in LIST_COLUMNS:
            if name in text.columns:
                text[name] = text[name].map(
                    lambda v: LIST_SEPARATOR.join(v) if isinstance(v, list) else str(v)
                )
        book = check_codebook(text.astype(str).replace({"<NA>": ""}), "codebook")
    else:
        book = read_codebook(codebook)
    return {
        row["question"]: {**row, "line": i + 2} for i, row in enumerate(book.to_dict("records"))
    }


def _declared(unit: Unit, wanted: dict[str, dict], file: str) -> dict:
    if unit.qid not in wanted:
        raise ImportProblem(
            f"codebook.csv 中没有 {file} 的题 {unit.qid}（{unit.text}）；编码本要与文件对应",
            f"codebook.csv has no row for question {unit.qid} ({unit.text}) of {file}; "
            "the codebook must describe this file",
        )
    return wanted[unit.qid]


def _check_all_described(wanted: dict[str, dict], rows: list[dict], file: str) -> None:
    made = {r["question"]: r for r in rows}
    for qid, row in wanted.items():
        if qid not in made and not qid.endswith(".other"):
            raise ImportProblem(
                f"codebook.csv 第 {row['line']} 行：{file} 中没有题 {qid}",
                f"codebook.csv row {row['line']}: {file} has no question {qid}",
            )
        if qid in made and made[qid]["type"] == "identifier" and row["type"] != "identifier":
            raise ImportProblem(
                f"codebook.csv 第 {row['line']} 行：题 {qid} 含个人信息，已按隐私保护删除，"
                "type 不能改为其他类型",
                f"codebook.csv row {row['line']}: question {qid} holds personal data and was "
                "removed for privacy; its type cannot be changed",
            )
