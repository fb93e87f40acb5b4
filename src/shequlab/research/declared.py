"""The worker's codebook applied to an export: each question's declared text, type and options.

The codebook must describe the file it is applied to: every question of the file has a row, and
every row is a question of the file. Identifiers found by the privacy check stay identifiers:
a codebook can remove more columns (type ``identifier``), never bring one back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from shequlab.research.codebook import LIST_COLUMNS, LIST_SEPARATOR, check_codebook, read_codebook
from shequlab.research.survey import ImportProblem
from shequlab.research.units import Unit


@dataclass(frozen=True)
class Row:
    """One codebook row as the worker left it, with its row number in Excel."""

    question: str
    text: str
    type: str
    options: list[str]
    line: int


def declared_rows(codebook: pd.DataFrame | Path | str) -> list[Row]:
    """The rows of a codebook given as a path (codebook.csv) or as a DataFrame (Survey.codebook)."""
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
    return [
        Row(r["question"], r["text"], r["type"], list(r["options"]), i + 2)
        for i, r in enumerate(book.to_dict("records"))
    ]


class Declared:
    """Look-up of the declared rows by question id, remembering which were used."""

    def __init__(self, rows: list[Row], file: str) -> None:
        self.rows = {r.question: r for r in rows}
        self.file = file

    def row(self, unit: Unit) -> Row:
        if unit.qid not in self.rows:
            raise ImportProblem(
                f"codebook.csv 中没有 {self.file} 的题 {unit.qid}（{unit.text}）；"
                "编码本要与文件对应，可删去 codebook.csv 重新生成",
                f"codebook.csv has no row for question {unit.qid} ({unit.text}) of {self.file}; "
                "the codebook must describe this file (delete it to have it made again)",
            )
        return self.rows[unit.qid]

    def optional(self, qid: str) -> Row | None:
        return self.rows.get(qid)

    def check_all_used(self, made: dict[str, str]) -> None:
        """Every row names a question of the file; no identifier is turned back into data."""
        for qid, row in self.rows.items():
            if qid not in made and not qid.endswith(".other"):
                raise ImportProblem(
                    f"codebook.csv 第 {row.line} 行：{self.file} 中没有题 {qid}",
                    f"codebook.csv row {row.line}: {self.file} has no question {qid}",
                )
            if made.get(qid) == "identifier" and row.type != "identifier":
                raise ImportProblem(
                    f"codebook.csv 第 {row.line} 行：题 {qid} 含个人信息，导入时已删除，"
                    "type 不能改为其他类型",
                    f"codebook.csv row {row.line}: question {qid} holds personal data and was "
                    "removed at import; its type cannot be changed",
                )
