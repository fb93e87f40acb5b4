"""`shequlab research new`: a workspace folder from a template — imported data, codebook, notebook.

The folder is assembled beside its destination and renamed into place at the end, so a failed
import never leaves a half-made workspace. Identifiers never reach it: the reader removes them,
and the pre/post matching key is replaced by pseudonyms (R0001 …) before anything is written.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from shequlab.research import read_survey, write_codebook
from shequlab.research.workspace import CODEBOOK, DATA, MANIFEST, REMOVED, WorkspaceProblem

NOTEBOOK = "analysis.ipynb"


@dataclass(frozen=True)
class Template:
    name: str
    title: str  # "中文 English"
    description: str
    tables: tuple[str, ...]  # one --data file per table, in this order


TEMPLATES = {
    t.name: t
    for t in (
        Template(
            "survey",
            "问卷调查 Survey",
            "任意问卷：逐题频数、多选、量表、开放题关键词和交叉表 / "
            "any questionnaire: each question, a crosstab",
            ("survey",),
        ),
        Template(
            "pre-post",
            "前后测评估 Pre/post evaluation",
            "项目前后两次测量，按受访者编号配对"
            "比较 / two waves matched by a respondent key (--key)",
            ("pre", "post"),
        ),
        Template(
            "hotline",
            "12345 热线工单 Hotline export",
            "诉求类别、居民区、月度趋势、按时办结"
            "与满意度 / categories, areas, months, on-time and satisfaction",
            ("orders",),
        ),
    )
}


def template_notebook(name: str) -> str:
    return (resources.files("shequlab.research") / "templates" / f"{name}.ipynb").read_text(
        encoding="utf-8"
    )


def _check(template: str, data: list[Path], out: Path, key: str | None) -> Template:
    if template not in TEMPLATES:
        raise WorkspaceProblem(
            f"没有模板 {template}，可选：{'、'.join(TEMPLATES)}",
            f"no template {template}; choose one of {', '.join(TEMPLATES)}",
        )
    spec = TEMPLATES[template]
    if len(data) != len(spec.tables):
        raise WorkspaceProblem(
            f"模板 {template} 需要 {len(spec.tables)} 个 --data 文件（{'、'.join(spec.tables)}），"
            f"收到 {len(data)} 个",
            f"template {template} needs {len(spec.tables)} --data files "
            f"({', '.join(spec.tables)}), got {len(data)}",
        )
    if template == "pre-post" and not key:
        raise WorkspaceProblem(
            "前后测模板需要 --key：两次问卷中标识同一受访者的列（如“1、您的编号”）",
            "the pre-post template needs --key: the column naming the same respondent in both "
            "waves (e.g. '1、您的编号')",
        )
    if out.exists() and any(out.iterdir()):
        raise WorkspaceProblem(
            f"{out} 已存在且不是空文件夹；请换一个 --out，以免覆盖已有工作",
            f"{out} exists and is not empty; choose another --out so no work is overwritten",
        )
    return spec


def raw_column(path: Path, key: str) -> pd.Series:
    """One column of an export as text, by its header or its question number ("1" → "1、…")."""
    from shequlab.data.encoding import read_table_text

    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame = pd.read_excel(path, dtype=str, engine="calamine")
    else:
        text = read_table_text(path, allow_gbk=True).text
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    headers = [str(h).strip() for h in frame.columns]
    wanted = [i for i, h in enumerate(headers) if h == key or h.split("、")[0] == key]
    if len(wanted) != 1:
        raise WorkspaceProblem(
            f"{path.name} 中找不到唯一的配对列“{key}”",
            f"{path.name} has no single column '{key}' to match respondents by",
        )
    return frame.iloc[:, wanted[0]].str.strip()


def _pseudonymise(surveys: list, keys: list[pd.Series], key: str) -> list[pd.DataFrame]:
    """Each wave's data indexed by a pseudonym (R0001 …) instead of the matching key."""
    codes: dict[str, str] = {}
    for values in keys:
        for value in values.dropna():
            codes.setdefault(value, f"R{len(codes) + 1:04d}")
    out = []
    for survey, values in zip(surveys, keys, strict=True):
        if len(values) != len(survey.data):
            raise WorkspaceProblem(
                f"{survey.source.name}：配对列的行数与问卷行数不同",
                f"{survey.source.name}: the key column and the answers have different lengths",
            )
        duplicated = values[values.duplicated() & values.notna()]
        if len(duplicated):
            raise WorkspaceProblem(
                f"{survey.source.name}：配对列“{key}”在第 {duplicated.index[0] + 2} 行重复",
                f"{survey.source.name}: key '{key}' repeats on row {duplicated.index[0] + 2}",
            )
        frame = survey.data.copy()
        frame.insert(0, "respondent", values.map(codes).to_numpy())
        out.append(frame[frame["respondent"].notna()])
    return out


def _drop_key(codebook: pd.DataFrame, key: str) -> pd.DataFrame:
    """The key's own question becomes an identifier row (its column is not kept)."""
    book = codebook.copy()
    hit = book["question"] == key
    book.loc[hit, "type"] = "identifier"
    book.loc[hit, "columns"] = pd.Series([[] for _ in range(int(hit.sum()))], index=book[hit].index)
    return book


def new_workspace(template: str, data: list[Path], out: Path, key: str | None = None) -> Path:
    """Create the workspace `out` from `template` and the export file(s) `data`."""
    out = Path(out)
    spec = _check(template, [Path(d) for d in data], out, key)
    surveys = [read_survey(d) for d in data]
    # One codebook for all waves: the first wave's, plus the questions a later wave added.
    codebook = surveys[0].codebook
    for later in surveys[1:]:
        added = later.codebook[~later.codebook["question"].isin(codebook["question"])]
        codebook = pd.concat([codebook, added], ignore_index=True)
    tables = [s.data for s in surveys]
    removed = pd.concat([s.removed for s in surveys]).drop_duplicates(["header", "kind"])
    if template == "pre-post":
        qid = key.split("、")[0].strip()
        keys = [raw_column(Path(d), key) for d in data]
        tables = _pseudonymise(surveys, keys, key)
        key_rows = codebook.loc[codebook["question"] == qid, "columns"]
        key_columns = [c for cols in key_rows for c in cols]
        tables = [t.drop(columns=[c for c in key_columns if c in t]) for t in tables]
        codebook = _drop_key(codebook, qid)
        note = {
            "header": key,
            "kind": "key",
            "cells": int(sum(k.notna().sum() for k in keys)),
            "reason": "配对键，已换成编号 R0001… / matching key, replaced by pseudonyms",
        }
        removed = pd.concat([removed, pd.DataFrame([note])], ignore_index=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (staging / DATA).mkdir()
        for name, frame in zip(spec.tables, tables, strict=True):
            frame.to_csv(staging / DATA / f"{name}.csv", index=False, encoding="utf-8-sig")
        write_codebook(codebook, staging / CODEBOOK)
        removed.to_csv(staging / REMOVED, index=False, encoding="utf-8-sig")
        manifest = {
            "template": template,
            "tables": list(spec.tables),
            "sources": [Path(d).name for d in data],
            "encodings": [s.encoding for s in surveys],
            "rows": [s.n_rows for s in surveys],
            "key": key,
        }
        (staging / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        (staging / NOTEBOOK).write_text(template_notebook(template), encoding="utf-8")
        if out.exists():
            out.rmdir()  # empty (checked above)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out
