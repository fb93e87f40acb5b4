"""Which columns of an export belong to one question: a split multi-select, a rating matrix, or one.

Columns next to each other with the same number and question stem, each ending in a bracketed
label ("4、…？(为老助餐)", "4、…？(助浴)"), are one question. If most of them hold only 1/0 (or
their own label) it is a multi-select split one column per option; otherwise each column is an
item of a rating matrix, with its own codebook row ("5.1", "5.2" …).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from shequlab.research.conventions import META_HEADERS, Header, parse_header
from shequlab.research.detect import is_split_multi
from shequlab.research.source import Grid, column_name
from shequlab.research.survey import ImportProblem


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


def group_units(grid: Grid, kept: list[int], cells: dict[int, pd.Series], file: str) -> list[Unit]:
    """The questions of an export, in file order: its kept columns grouped by question number."""
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


def _is_meta(header: Header) -> bool:
    return header.number is None and header.raw in META_HEADERS
