"""The imported survey: analysis table, codebook and the record of removed identifiers, together."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from shequlab.errors import ExpectedError

REMOVED_COLUMNS = ("header", "kind", "reason", "cells")


class ImportProblem(ExpectedError):
    """A file that cannot be imported as it is; the message says where and what to do."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh, self.message_en = message_zh, message_en


@dataclass(frozen=True)
class Survey:
    """One imported export: ``data`` (identifiers removed), ``codebook``, what was ``removed``."""

    data: pd.DataFrame
    codebook: pd.DataFrame
    removed: pd.DataFrame
    source: Path
    encoding: str
    n_rows: int

    def columns_for(self, question: str) -> list[str]:
        """The data columns of one codebook question, or of every item of a matrix question."""
        question = str(question)
        rows = self.codebook[self.codebook["question"] == question]
        if len(rows):
            return list(rows.iloc[0]["columns"])
        items = self.codebook[
            self.codebook["question"].str.fullmatch(rf"{re.escape(question)}\.\d+")
        ]
        if not len(items):
            known = ", ".join(self.codebook["question"])
            raise KeyError(f"没有题号 {question!r} / no question {question!r}; known: {known}")
        return [c for cols in items["columns"] for c in cols]

    def label(self, column: str) -> str:
        """A readable label of one data column, e.g. "Q4 需要的服务：为老助餐"."""
        for row in self.codebook.itertuples(index=False):
            if column in row.columns:
                if row.type == "multi":
                    return f"{column} {row.text}：{row.options[row.columns.index(column)]}"
                return f"{column} {row.text}" if column != row.text else column
        raise KeyError(f"没有列 {column!r} / no column {column!r}")
