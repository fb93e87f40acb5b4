"""``read_survey``: a questionnaire export to a Survey (data, codebook, removed identifiers).

Steps, in order: read the file as text cells (source) → drop identifier columns (privacy) →
replace the identifying numbers left inside the answers of every kept column (privacy), before
anything is typed, so no option, "other" text or open answer keeps one → group the columns of
one question (units) → detect each question's type, or take it from the worker's codebook →
convert the cells to that type (coerce). Nothing is written: the caller decides where the
results go.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from shequlab.research import coerce, privacy
from shequlab.research.codebook import CODEBOOK_COLUMNS
from shequlab.research.conventions import clean_cells, parse_header
from shequlab.research.declared import Declared, declared_rows
from shequlab.research.detect import detect
from shequlab.research.source import read_grid
from shequlab.research.survey import REMOVED_COLUMNS, ImportProblem, Survey
from shequlab.research.units import Unit, group_units

CODEBOOK_IDENTIFIER = "编码本把这一题标为个人标识符 / marked identifier in the codebook"


def read_survey(path: Path | str, *, codebook: pd.DataFrame | Path | str | None = None) -> Survey:
    """Read a survey export (.xlsx or .csv in UTF-8/UTF-8-BOM/GBK); see the package docstring."""
    path = Path(path)
    grid = read_grid(path)
    cells = {i: clean_cells(grid.cells[i]) for i in range(len(grid.headers))}
    wanted = Declared(declared_rows(codebook), path.name) if codebook is not None else None
    book = _Book(len(grid.cells))
    kept = []
    for i, header in enumerate(grid.headers):
        finding = privacy.classify(header, cells[i])
        if finding is None:
            kept.append(i)
            continue
        book.removed.append(_removed(header, finding.kind, finding.reason, cells[i]))
        parsed = parse_header(header)
        book.add(i, parsed.number or parsed.raw, [], parsed.text, "identifier", [], 0, alt=header)
    for i in kept:
        cells[i], counts = privacy.redact(cells[i])
        for kind, n in counts.items():
            reason = privacy.redaction_reason(kind)
            book.removed.append({"header": grid.headers[i], "kind": kind, "reason": reason,
                                 "cells": n})  # fmt: skip
    for unit in group_units(grid, kept, cells, path.name):
        _import_unit(unit, cells, wanted, book, path.name)
    if wanted is not None:
        wanted.check_all_used(book.types())
    return Survey(
        data=pd.DataFrame(book.columns).reset_index(drop=True),
        codebook=book.frame(),
        removed=pd.DataFrame(book.removed, columns=list(REMOVED_COLUMNS)),
        source=path,
        encoding=grid.encoding,
        n_rows=len(grid.cells),
    )


class _Book:
    """What the import has made so far: data columns, codebook rows (in file order), removals."""

    def __init__(self, n_rows: int) -> None:
        self.n_rows = n_rows
        self.columns: dict[str, pd.Series] = {}
        self.rows: list[tuple[float, dict[str, object]]] = []
        self.removed: list[dict[str, object]] = []

    def add(
        self,
        order: float,
        qid: str,
        columns: list[str],
        text: str,
        kind: str,
        options: list[str],
        valid_n: int,
        alt: str | None = None,
    ) -> None:
        """One codebook row; a question id already taken (two removed columns of one question)
        falls back to `alt`, the column's header, so ids stay unique."""
        if alt is not None and any(r["question"] == qid for _o, r in self.rows):
            qid = alt
        row = {"question": qid, "columns": columns, "text": text, "type": kind}
        row |= {"options": options, "valid_n": valid_n, "missing": self.n_rows - valid_n}
        self.rows.append((order, row))

    def types(self) -> dict[str, str]:
        return {r["question"]: r["type"] for _o, r in self.rows}

    def frame(self) -> pd.DataFrame:
        rows = [row for _order, row in sorted(self.rows, key=lambda pair: pair[0])]
        book = pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS))
        for name in ("valid_n", "missing"):
            book[name] = book[name].astype("Int64")
        return book


def _import_unit(
    unit: Unit, cells: dict[int, pd.Series], wanted: Declared | None, book: _Book, file: str
) -> None:
    order = unit.indexes[0]
    declared = wanted.row(unit) if wanted is not None else None
    text = declared.text if declared is not None else unit.text
    if declared is not None and declared.type == "identifier":
        for i, header in zip(unit.indexes, unit.headers, strict=True):
            book.removed.append(_removed(header, "codebook", CODEBOOK_IDENTIFIER, cells[i]))
        book.add(order, unit.qid, [], text, "identifier", [], 0)
        return
    if declared is not None:  # options the worker typed are scrubbed like the answers
        kind, options = declared.type, [privacy.scrub(o) for o in declared.options]
    elif unit.split_multi:
        kind, options = "multi", unit.labels
    elif unit.is_meta:
        kind, options = "meta", []
    else:
        kind, options = detect(unit.text, cells[unit.indexes[0]], in_matrix=unit.in_matrix)
    typed = _convert(unit, kind, options, cells, file)
    book.columns.update(typed.columns)
    book.add(order, unit.qid, list(typed.columns), text, kind, typed.options, typed.valid_n)
    if typed.other is None:
        return
    other_id = f"{unit.qid}.other"
    other = wanted.optional(other_id) if wanted is not None else None
    other_text = other.text if other is not None else f"{text}：其他（请注明）"
    if other is not None and other.type == "identifier":
        book.add(order + 0.5, other_id, [], other_text, "identifier", [], 0)
        return
    columns = {f"{unit.name}_other": typed.other}
    book.columns.update(columns)
    valid = int(typed.other.notna().sum())
    book.add(order + 0.5, other_id, list(columns), other_text, "text", [], valid)


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


def _removed(header: str, kind: str, reason: str, cells: pd.Series) -> dict[str, object]:
    return {"header": header, "kind": kind, "reason": reason, "cells": int(cells.notna().sum())}
