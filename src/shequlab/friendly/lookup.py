"""Errors of looking something up by name: a variable, a column, a method, a file, a module."""

from __future__ import annotations

import ast
import builtins
import os
import re
import sys
from pathlib import Path
from typing import Any

from shequlab.friendly.advice import Advice, Context, closest, listing, pandas_owner

RUN_ABOVE: tuple[str, str] = (
    "先运行上面的单元格：点这个单元格，用菜单 运行 → 运行选中单元格上方的所有单元格；"
    "从上到下依次运行，后面的单元格要用前面的结果。",
    "Run the cells above first (Run → Run All Above Selected Cell): cells run from top to "
    "bottom, and later cells use what earlier ones defined.",
)
IMPORTS = {
    "pd": "import pandas as pd",
    "np": "import numpy as np",
    "plt": "import matplotlib.pyplot as plt",
}


def explain_name(exc: NameError, ctx: Context) -> Advice:
    """A name that is not defined: a cell that failed, a cell not run, a typo, a missing quote."""
    name = getattr(exc, "name", None) or _quoted(str(exc)) or "?"
    advice = Advice(title=(f"变量 `{name}` 还没有定义", f"`{name}` is not defined"))
    failed = ctx.failed_cells.get(name)
    if failed is not None:
        advice.hints.append(
            (
                f"`{name}` 应该由编号为 [{failed}] 的单元格定义，但那个单元格出错了，所以 `{name}` "
                "不存在。先改好那个单元格并运行它，再运行这个单元格。",
                f"`{name}` was to be defined by the cell numbered [{failed}], but that cell "
                f"failed, so `{name}` does not exist. Fix and run that cell first, then this one.",
            )
        )
    elif name in IMPORTS:
        advice.hints.append(
            (f"先运行 `{IMPORTS[name]}` 所在的单元格（通常在笔记本最上面）。",
             f"Run the cell with `{IMPORTS[name]}` first (usually at the top of the notebook).")
        )  # fmt: skip
    else:
        advice.hints.append(RUN_ABOVE)
    similar = closest(name, [*ctx.user_names(), *dir(builtins)])
    if similar and failed is None:
        advice.hints.append((f"你是不是想写 `{similar[0]}`？", f"Did you mean `{similar[0]}`?"))
    columns = [c for df in ctx.dataframes() for c in df.columns]
    column = closest(name, columns) if name not in columns else [name]
    if column:
        advice.hints.append(
            (
                f'如果你指的是列 `"{column[0]}"`，列名要加英文引号：`df["{column[0]}"]`。',
                f'If you mean the column `"{column[0]}"`, put the name in quotes: '
                f'`df["{column[0]}"]`.',
            )
        )
    return advice


def _quoted(message: str) -> str | None:
    found = re.search(r"'([^']+)'", message)
    return found.group(1) if found else None


def assigned_names(source: str) -> set[str]:
    """Names a cell defines (assignments, imports, def, for …); a regex when it does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        found = re.findall(r"^\s*([A-Za-z_]\w*)\s*(?:,\s*\w+\s*)*=[^=]", source, re.M)
        found += re.findall(r"^\s*(?:from\s+\S+\s+)?import\s+.*?\bas\s+(\w+)", source, re.M)
        return set(found)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
    return names


def explain_key(exc: KeyError, ctx: Context) -> Advice | None:
    """A column (or row label) that does not exist: the closest existing name."""
    key = exc.args[0] if exc.args else None
    owner = pandas_owner(exc)
    if owner is None and not isinstance(key, str):
        return None
    missing = _missing_keys(key)
    candidates = _labels(owner) if owner is not None else []
    if owner is None:  # a dict or a table we could not find: the trainee's tables' columns
        candidates = [c for df in ctx.dataframes() for c in df.columns]
    shown = ", ".join(f"`{k!r}`" for k in missing)
    if owner is not None:
        advice = Advice(title=(f"表格里没有 {shown}", f"{shown} is not in the table"))
    else:
        advice = Advice(title=(f"没有 {shown} 这个键", f"There is no key {shown}"))
    if isinstance(key, tuple) and owner is not None:
        advice.hints.append(
            (
                '要选几列时，列名要放在一个列表里，也就是两层方括号：`df[["列1", "列2"]]`。',
                "To select several columns, put their names in a list, i.e. two pairs of "
                'square brackets: `df[["col1", "col2"]]`.',
            )
        )
        return advice
    for k in missing:
        near = closest(str(k), candidates) if isinstance(k, str) else []
        if near:
            advice.hints.append(
                (f"没有 `{k!r}`，你是不是想写 `{near[0]!r}`？"
                 "（名字要一字不差，包括大小写和下划线）",
                 f"There is no `{k!r}`: did you mean `{near[0]!r}`? (Names must match exactly, "
                 "including case and underscores.)")
            )  # fmt: skip
    if not advice.hints and owner is not None and candidates:
        columns = list(getattr(owner, "columns", candidates))
        advice.hints.append(
            (f"现有的列名：{listing(columns)}。可以用 `df.columns` 查看全部列名。",
             f"The columns are: {listing(columns)}. `df.columns` lists them all.")
        )  # fmt: skip
    if not advice.hints:
        return None
    return advice


def _missing_keys(key: Any) -> list[Any]:
    """The labels a KeyError names: pandas writes "['a', 'b'] not in index" for a list."""
    if isinstance(key, str):
        listed = re.match(r"^\s*(\[.*?\]) not in index", key) or re.search(
            r"None of \[Index\((\[.*?\])", key
        )
        if listed:
            try:
                return list(ast.literal_eval(listed.group(1)))
            except (ValueError, SyntaxError):
                pass
    return [key]


def _labels(owner: Any) -> list[Any]:
    """Column names, then string row labels, of a DataFrame; labels of a Series or Index."""
    columns = getattr(owner, "columns", None)
    if columns is not None:
        labels = list(columns)
        if len(owner.index) <= 5000 and owner.index.dtype.kind in "OUT":
            labels += list(owner.index)
        return labels
    index = getattr(owner, "index", owner)
    return list(index[:5000])


def explain_attribute(exc: AttributeError, ctx: Context) -> Advice | None:
    """A misspelled method or property: the closest one, and pandas' usual confusions."""
    name = getattr(exc, "name", None)
    obj = getattr(exc, "obj", None)
    if not name:
        return None
    kind = type(obj).__name__
    advice = Advice(
        title=(f"`{kind}` 没有 `{name}` 这个方法或属性", f"'{kind}' has no attribute '{name}'")
    )
    if obj is None:
        advice.hints.append(
            (
                "前一步得到的是 `None`（空值）。常见原因："
                "`df.sort_values(..., inplace=True)` 这类写法"
                "不返回表格。去掉 `inplace=True`，写成 `df = df.sort_values(...)`。",
                "The step before gave `None`. A common cause: calls like "
                "`df.sort_values(..., inplace=True)` return nothing. Drop `inplace=True` and write "
                "`df = df.sort_values(...)`.",
            )
        )
        return advice
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(obj, pandas.Series):
        for accessor in ("str", "dt"):
            if name in _accessor_methods(pandas, accessor):
                advice.hints.append(
                    (f"对一列文字或日期用 `.{accessor}.{name}`，"
                     f"例如 `df[\"列名\"].{accessor}.{name}(...)`。",
                     f"On a column of text or dates, write `.{accessor}.{name}`, e.g. "
                     f'`df["col"].{accessor}.{name}(...)`.')
                )  # fmt: skip
                return advice
    if name == "append" and pandas is not None and isinstance(obj, pandas.DataFrame):
        advice.hints.append(
            ("pandas 2 起没有 `append` 了：用 `pd.concat([df1, df2])` 把两张表接起来。",
             "pandas 2 removed `append`: join two tables with `pd.concat([df1, df2])`.")
        )  # fmt: skip
        return advice
    public = [a for a in dir(obj) if not a.startswith("_")]
    near = closest(name, public)
    if near:
        advice.hints.append((f"你是不是想写 `.{near[0]}`？", f"Did you mean `.{near[0]}`?"))
    column = closest(name, list(getattr(obj, "columns", [])))
    if column:
        advice.hints.append(
            (f"如果你指的是列 `{column[0]!r}`，写成 `df[{column[0]!r}]`。",
             f"If you mean the column `{column[0]!r}`, write `df[{column[0]!r}]`.")
        )  # fmt: skip
    return advice if advice.hints else None


def _accessor_methods(pandas: Any, accessor: str) -> set[str]:
    cls = {"str": pandas.Series.str, "dt": pandas.Series.dt}[accessor]
    return {m for m in dir(cls) if not m.startswith("_")}


def explain_file(exc: FileNotFoundError, ctx: Context) -> Advice | None:
    """A data file that is not where the notebook looks: the closest file, the data/ folder."""
    filename = exc.filename
    if not isinstance(filename, str):
        return None
    path = Path(filename)
    advice = Advice(title=(f"找不到文件 `{filename}`", f"File `{filename}` not found"))
    folder = path.parent if str(path.parent) not in ("", ".") else Path(".")
    here = Path.cwd()
    in_data = Path("data") / path.name
    if not path.is_absolute() and folder == Path(".") and in_data.exists():
        advice.hints.append(
            (f"数据文件在 `data/` 文件夹里：写成 `\"data/{path.name}\"`。",
             f'The data files are in the `data/` folder: write `"data/{path.name}"`.')
        )  # fmt: skip
        return advice
    if folder.is_dir():
        files = sorted(os.listdir(folder))
        near = closest(path.name, files)
        if near:
            fixed = str(folder / near[0]) if folder != Path(".") else near[0]
            advice.hints.append((f'你是不是想写 `"{fixed}"`？', f'Did you mean `"{fixed}"`?'))
        elif files:
            advice.hints.append(
                (f"`{folder}` 里的文件：{listing(files)}。",
                 f"Files in `{folder}`: {listing(files)}.")
            )  # fmt: skip
    advice.hints.append(
        (f"路径是从笔记本所在的文件夹算起的（现在是 `{here}`）。",
         f"Paths start from the notebook's folder (now `{here}`).")
    )  # fmt: skip
    return advice


def explain_module(exc: ModuleNotFoundError, ctx: Context) -> Advice | None:
    """`import panda`: the closest module that is installed."""
    name = (exc.name or "").split(".")[0]
    if not name:
        return None
    advice = Advice(title=(f"没有名为 `{name}` 的模块", f"No module named `{name}`"))
    known = ["pandas", "numpy", "matplotlib", "ipywidgets", *sys.modules]
    near = closest(name, [m.split(".")[0] for m in known])
    if near:
        advice.hints.append(
            (f"你是不是想写 `import {near[0]}`？", f"Did you mean `import {near[0]}`?")
        )
    else:
        advice.hints.append(
            ("培训环境只装了课程用到的模块（pandas、numpy、matplotlib 等），请检查拼写。",
             "The training environment has the modules the course uses (pandas, numpy, "
             "matplotlib …): check the spelling.")
        )  # fmt: skip
    return advice
