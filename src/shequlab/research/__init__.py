"""Research workspace: a social worker's own data (survey, hotline, register exports) analysed.

Import contract (the analysis and report side builds on exactly this; everything else is private)
=================================================================================================

``read_survey(path, *, codebook=None) -> Survey``
    Reads a questionnaire export: ``.xlsx``/``.xlsm`` (first sheet) or ``.csv`` in UTF-8,
    UTF-8-BOM or GBK/GB18030, with the conventions of Chinese survey platforms (问卷星-style):
    metadata columns (序号, 提交答卷时间, 所用时间, 来源 …), numbered questions
    ("3、您居住的居民区："),
    multi-select either split into one column per option ("4、…？(为老助餐)", cells 1/0) or joined
    in one cell ("为老助餐┋助浴"), rating matrices ("5、…(楼道环境)", 1–5), the markers "(跳过)"
    and "(空)" (missing), "其他〖…〗" (an "other" option with its open text), open text.
    ``codebook`` (a DataFrame or the path of a ``codebook.csv`` the worker edited) overrides the
    detected question texts, types and option order; it must describe the same file.
    Bad input raises ``ImportProblem`` (an ``ExpectedError``) with a bilingual message that names
    the file, row and column; nothing is written anywhere.

``Survey`` (frozen dataclass)
    ``data``     pandas DataFrame, one row per respondent in file order, identifiers removed.
                 Column names (stable, ASCII for questions):
                   ``Q3``            a single-choice / numeric / likert / text / date question 3
                   ``Q4_1 … Q4_k``   multi-select question 4: one column per option, in the order of
                                     the codebook's ``options`` (Int64 1 = chosen, 0 = not chosen,
                                     NA = question skipped or not answered)
                   ``Q4_other``      the open text typed after "其他〖…〗" of question 4 (type text,
                                     codebook question ``4.other``)
                   ``Q5_1 … Q5_m``   rating-matrix question 5, item j (codebook question ``5.j``)
                   unnumbered columns (metadata, a register's fields) keep their header, stripped.
                 dtypes: single → pandas Categorical with the options as categories, in order;
                 likert → Int64 values 1..k; numeric → Float64; multi → Int64 0/1; text → string;
                 date → datetime64; meta → as parsed (提交答卷时间 datetime, 所用时间
                 seconds Float64, others string). Missing is always NA: "(跳过)", "(空)",
                 "", "-" never reach ``data``.
    ``codebook`` DataFrame, one row per variable, columns ``CODEBOOK_COLUMNS``:
                   ``question`` "3"; matrix items "5.1", "5.2" …; other-text "4.other"; an
                                unnumbered column: its header (e.g. "序号"). Unique.
                   ``columns``  list[str] of ``data`` columns (multi: one per option; [] for an
                                identifier, which is not in ``data``)
                   ``text``     question text without number, punctuation or option suffix;
                                matrix item: "对以下方面是否满意：楼道环境"
                   ``type``     one of ``TYPES``: single, multi, likert, numeric, text, date,
                                identifier, meta
                   ``options``  list[str]: single — the categories in order; multi — the option
                                labels, ``options[i]`` ↔ ``columns[i]``; likert — the labels of
                                values 1..k (``options[v-1]``, "1".."5" when the export had bare
                                numbers); [] for other types
                   ``valid_n``  respondents with an answer (multi: who answered the question at all)
                   ``missing``  ``n_rows - valid_n``
    ``removed``  DataFrame, columns ``REMOVED_COLUMNS``: ``header`` (as in the export), ``kind``
                 (name, mobile, phone, id_number, address, ip, email, contact), ``reason``
                 ("中文 / English", for the report's methods section), ``cells`` (non-empty cells
                 removed, or cells of a kept column in which numbers were replaced by
                 "〔已删除〕" — open text, options of single/multi questions, "other" texts; such
                 a column stays in ``data`` and is listed with its kind).
    ``source``   Path of the file read; ``encoding`` "utf-8" / "utf-8-sig" / "gb18030" / "xlsx";
    ``n_rows``   respondents (rows) read.
    ``columns_for(question) -> list[str]``  columns of one codebook row; for a matrix question
                 ("5") with no row of its own, the columns of all its items "5.1", "5.2" … in order.
    ``label(column) -> str``  a readable label of a data column, e.g. "Q4_1 需要的服务：为老助餐".

``write_codebook(codebook, path)`` / ``read_codebook(path) -> DataFrame``
    ``codebook.csv`` for Excel: UTF-8 with BOM, lists joined with "|" (``LIST_SEPARATOR``).
    ``read_codebook`` validates what the worker edited (columns, known types, counts are integers,
    multi options match its columns) and raises ``CodebookProblem`` (an ``ExpectedError``)
    naming the row (as Excel numbers it) and column.

Privacy: ``shequlab.research.privacy`` is applied by every reader: ``classify`` finds identifier
columns (names, mobile and ID numbers, addresses, IPs, e-mail and contact fields; by header and by
value), and ``redact`` replaces such numbers inside the answers of every other column before its
type is detected.
"""

from __future__ import annotations

import importlib

# Imported on first use, so `shequlab --help` (which loads `shequlab.research.cli`) does not load
# pandas and the reader; `from shequlab.research import read_survey` works as before.
_HOMES = {
    "CODEBOOK_COLUMNS": "codebook",
    "LIST_SEPARATOR": "codebook",
    "TYPES": "codebook",
    "CodebookProblem": "codebook",
    "read_codebook": "codebook",
    "write_codebook": "codebook",
    "read_survey": "reader",
    "REMOVED_COLUMNS": "survey",
    "ImportProblem": "survey",
    "Survey": "survey",
}


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CODEBOOK_COLUMNS",
    "LIST_SEPARATOR",
    "REMOVED_COLUMNS",
    "TYPES",
    "CodebookProblem",
    "ImportProblem",
    "Survey",
    "read_codebook",
    "read_survey",
    "write_codebook",
]
