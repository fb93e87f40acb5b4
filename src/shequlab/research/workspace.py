"""A workspace opened in a notebook: its data with the codebook's types, analysed by question.

A workspace (made by `shequlab research new`) holds `data/*.csv` (identifiers already removed),
`codebook.csv`, `removed.csv` (what the import took out) and `workspace.json`. `open_workspace`
reads them back with the types the codebook declares, and `Workspace.analyse` picks the helper a
question's type calls for, so a template notebook works on any questionnaire.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from shequlab.errors import ExpectedError
from shequlab.research.codebook import read_codebook
from shequlab.research.findings import Finding
from shequlab.research.suppress import DEFAULT_MIN_CELL, check_min_cell

MANIFEST = "workspace.json"
CODEBOOK = "codebook.csv"
REMOVED = "removed.csv"
DATA = "data"
ANALYSED = ("single", "multi", "likert", "numeric", "text")


class WorkspaceProblem(ExpectedError):
    """A folder that is no workspace, or one whose files do not fit together."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")


def read_data(path: Path, codebook: pd.DataFrame) -> pd.DataFrame:
    """A data CSV of the workspace, each column given the type its codebook row declares."""
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False,
                        na_values=[""])  # fmt: skip
    for row in codebook.itertuples(index=False):
        for column in row.columns:
            if column not in frame:
                continue
            values = frame[column]
            if row.type == "single":
                frame[column] = pd.Categorical(values, categories=list(row.options) or None)
            elif row.type in ("likert", "multi"):
                frame[column] = pd.to_numeric(values).astype("Int64")
            elif row.type == "numeric":
                frame[column] = pd.to_numeric(values).astype("Float64")
            elif row.type == "date":
                frame[column] = pd.to_datetime(values)
            else:
                frame[column] = values.astype("string")
    return frame


@dataclass
class Workspace:
    """One workspace: `data` (the first table), `tables` by name, `codebook`, `removed`."""

    root: Path
    codebook: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    removed: pd.DataFrame
    manifest: dict
    min_cell: int = DEFAULT_MIN_CELL
    findings: list[Finding] = field(default_factory=list)

    @property
    def data(self) -> pd.DataFrame:
        return next(iter(self.tables.values()))

    def row(self, question: str) -> pd.Series:
        rows = self.codebook[self.codebook["question"] == str(question)]
        if not len(rows):
            raise KeyError(f"没有题号 {question!r} / no question {question!r}")
        return rows.iloc[0]

    def questions(self, kind: str | None = None) -> list[str]:
        """Questions to analyse, in order; the items "5.1", "5.2" … of a matrix count as "5"."""
        out: list[str] = []
        for row in self.codebook.itertuples(index=False):
            if row.type not in ANALYSED or not row.columns or row.question.endswith(".other"):
                continue
            q = _matrix(row.question) if row.type == "likert" else row.question
            if q not in out and (kind is None or row.type == kind):
                out.append(q)
        return out

    def items(self, question: str) -> pd.DataFrame:
        """The codebook rows of a question, or of every item "5.j" of a matrix question "5"."""
        book = self.codebook
        own = book[book["question"] == str(question)]
        if len(own):
            return own
        items = book[book["question"].str.fullmatch(rf"{re.escape(str(question))}\.\d+")]
        if not len(items):
            raise KeyError(f"没有题号 {question!r} / no question {question!r}")
        return items

    def title(self, question: str) -> str:
        items = self.items(question)
        text = str(items.iloc[0]["text"])
        if len(items) > 1:
            text = text.split("：")[0]
        return f"{question}. {text}" if re.match(r"^\d", str(question)) else text

    def analyse(self, question: str, table: str | None = None) -> Finding:
        """The finding a question's type calls for: frequencies, multi-select shares, a rating
        scale with Cronbach's α, a numeric summary or open-text keywords."""
        from shequlab.research import scales, stats, text

        data = self.tables[table] if table else self.data
        items = self.items(question)
        first = items.iloc[0]
        title, k = self.title(question), self.min_cell
        if first.type == "single":
            found = stats.frequencies(data[first.columns[0]], title, first.options, k)
        elif first.type == "multi":
            chosen = data[first.columns].set_axis(first.options, axis=1)
            found = stats.multi_select(chosen, title, k)
        elif first.type == "likert":
            columns = [c for cols in items["columns"] for c in cols]
            labels = [str(t).split("：")[-1] for t in items["text"]]
            levels = dict(enumerate(first.options, start=1)) if first.options else None
            found = scales.likert(data[columns].set_axis(labels, axis=1), title, levels, min_cell=k)
        elif first.type == "numeric":
            found = stats.numeric_summary(data[first.columns[0]], title, k)
        elif first.type == "text":
            found = text.keywords(data[first.columns[0]], title, min_cell=k)
        else:
            raise ValueError(f"题 {question} 的类型 {first.type} 不做分析 / not analysed")
        self.findings.append(found)
        return found

    def crosstab(self, rows: str, columns: str, table: str | None = None) -> Finding:
        """Crosstab of two single-choice questions (rows × columns) with its test."""
        from shequlab.research import stats

        data = self.tables[table] if table else self.data
        r, c = self.row(rows), self.row(columns)
        found = stats.crosstab(
            data[r.columns[0]].rename(f"{rows}. {r.text}"),
            data[c.columns[0]].rename(f"{columns}. {c.text}"),
            f"{self.title(rows)} × {self.title(columns)}", self.min_cell, r.options, c.options,
        )  # fmt: skip
        self.findings.append(found)
        return found


def _matrix(question: str) -> str:
    return question.split(".")[0] if re.fullmatch(r"\d+\.\d+", question) else question


def open_workspace(root: Path | str = ".", min_cell: int = DEFAULT_MIN_CELL) -> Workspace:
    """Read the workspace at `root` (a notebook's own folder by default)."""
    root = Path(root)
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise WorkspaceProblem(
            f"{root} 不是研究工作区（没有 {MANIFEST}）；请先运行 shequlab research new",
            f"{root} is no research workspace (no {MANIFEST}); run shequlab research new first",
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    codebook = read_codebook(root / CODEBOOK)
    tables = {name: read_data(root / DATA / f"{name}.csv", codebook) for name in manifest["tables"]}
    removed_path = root / REMOVED
    removed = (
        pd.read_csv(removed_path, encoding="utf-8-sig", dtype=str)
        if removed_path.is_file()
        else pd.DataFrame(columns=["header", "kind", "reason", "cells"])
    )
    return Workspace(root, codebook, tables, removed, manifest, check_min_cell(min_cell))
