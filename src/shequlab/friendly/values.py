"""Errors of working with values: conditions on columns, calling a non-function, types, lengths."""

from __future__ import annotations

import builtins
import re

from shequlab.friendly.advice import Advice, Context, cell_line

CONDITIONS: tuple[str, str] = (
    "每个条件都要用圆括号括起来，条件之间用 `&`（并且）、`|`（或者）、`~`（不是），"
    '不要用 `and`、`or`、`not`。例如：`df[(df["age"] >= 60) & (df["area"] == "A01")]`。',
    "Put each condition in brackets and join them with `&` (and), `|` (or), `~` (not) — not "
    'with `and`, `or`, `not`. For example: `df[(df["age"] >= 60) & (df["area"] == "A01")]`.',
)
CALLABLE = re.compile(r"'([\w.]+)' object is not callable")
BITWISE = re.compile(r"for [&|]:|'r?(and|or)_'|bitwise_(and|or)")


def explain_type(exc: TypeError, ctx: Context) -> Advice | None:
    """Brackets after a column or property; conditions without brackets; text and numbers mixed."""
    message = str(exc)
    called = CALLABLE.search(message)
    if called:
        return _not_callable(called.group(1).rsplit(".", 1)[-1], ctx, cell_line(exc))
    if BITWISE.search(message):
        return Advice(
            title=("条件少了括号", "A condition is missing its brackets"),
            hints=[
                (
                    "`&` 和 `|` 比 `>`、`==` 先算，所以 `df.a > 1 & df.b == 2` 的意思不对。",
                    "`&` and `|` are worked out before `>` and `==`, so `df.a > 1 & df.b == 2` "
                    "does not mean what it says.",
                ),
                CONDITIONS,
            ],
        )
    if "concatenate str" in message or re.search(
        r"'(int|float)' and 'str'|'str' and '(int|float)'", message
    ):
        return Advice(
            title=("文字和数字不能直接相加", "Text and numbers cannot be added together"),
            hints=[
                (
                    "`\"3\"` 是文字，`3` 是数字。数字变文字用 `str(x)`；一列文字变数字用 "
                    "`pd.to_numeric(df[\"列名\"])`。",
                    '`"3"` is text, `3` is a number. Turn a number into text with `str(x)`; a '
                    'column of text into numbers with `pd.to_numeric(df["col"])`.',
                )
            ],
        )  # fmt: skip
    if "for -: 'str' and 'str'" in message:
        return Advice(
            title=("两列文字不能相减", "Two columns of text cannot be subtracted"),
            hints=[
                (
                    '日期读进来时是文字。先转换成日期：`df["列名"] = pd.to_datetime(df["列名"])`，'
                    '或者读表时写 `pd.read_csv(..., parse_dates=["列名"])`。',
                    'Dates are read as text. Convert them first: `df["col"] = '
                    'pd.to_datetime(df["col"])`, or read with `pd.read_csv(..., '
                    'parse_dates=["col"])`.',
                )
            ],
        )
    return None


def _not_callable(kind: str, ctx: Context, line: str) -> Advice:
    advice = Advice(
        title=(
            f"`{kind}` 不是函数，后面不能加圆括号",
            f"A '{kind}' is not a function: no ( ) after it",
        )
    )
    shadowed = [
        n for n in ctx.user_names()
        if hasattr(builtins, n) and callable(getattr(builtins, n))
        and not callable(ctx.user_ns[n]) and re.search(rf"(?<![\w.]){n}\s*\(", line)
    ]  # fmt: skip  # a built-in's name the trainee gave a value to, and calls on this line
    if shadowed:
        name = shadowed[0]
        advice.hints.append(
            (f"你把内置函数的名字 `{name}` 用作了变量名，它不再是函数。"
             f"换一个变量名，并运行 `del {name}`。",
             f"You used the built-in function's name `{name}` for a variable, so it is no longer "
             f"a function. Choose another name and run `del {name}`.")
        )  # fmt: skip
    elif kind in ("Series", "DataFrame"):
        advice.hints.append(
            ("取一列要用方括号：`df[\"列名\"]`，不是 `df(\"列名\")`；"
             "方法名后面才加圆括号，例如 `.sum()`。",
             'Select a column with square brackets: `df["col"]`, not `df("col")`; round brackets '
             "follow a method's name, e.g. `.sum()`.")
        )  # fmt: skip
    else:
        advice.hints.append(
            ("`df.shape`、`df.columns`、`df.index`、`df.dtypes` 是属性，不是方法："
             "去掉后面的 `()`。",
             "`df.shape`, `df.columns`, `df.index` and `df.dtypes` are properties, not methods: "
             "drop the `()` after them.")
        )  # fmt: skip
    return advice


def explain_value(exc: ValueError, ctx: Context) -> Advice | None:
    """A column used as True/False; Series with different row labels; numbers written as text."""
    message = str(exc)
    if "truth value of a" in message and "is ambiguous" in message:
        line = cell_line(exc)
        advice = Advice(
            title=("一列数据不能直接当作“是/否”", "A column cannot be used as a single True/False")
        )
        if re.search(r"\b(and|or|not)\b", line):
            advice.hints.append(
                ("对一列做条件筛选时，`and`、`or`、`not` 要换成 `&`、`|`、`~`。",
                 "To filter on a column, replace `and`, `or`, `not` with `&`, `|`, `~`.")
            )  # fmt: skip
        elif re.match(r"\s*(if|while)\b", line):
            advice.hints.append(
                ("`if` 后面要一个“是/否”：想问“有没有一行满足”用 `.any()`，"
                 "“是不是每行都满足”用 `.all()`。",
                 "`if` needs one True/False: use `.any()` for 'does any row match' and `.all()` "
                 "for 'do all rows match'.")
            )  # fmt: skip
        advice.hints.append(CONDITIONS)
        return advice
    if "identically-labeled" in message:
        return Advice(
            title=("两列的行标签不一样，不能逐行比较", "The two sides have different row labels"),
            hints=[
                (
                    "逐行比较要求两边的行一一对应。先用 `merge` 把两张表按编号合并成一张，"
                    "再比较同一张表里的两列；"
                    "或者对两边都用 `.reset_index(drop=True)`。",
                    "Comparing row by row needs rows that match. Join the tables on their id "
                    "with `merge` first, then compare two columns of one table; or use "
                    "`.reset_index(drop=True)` on both sides.",
                )
            ],
        )
    if "could not convert string to float" in message:
        value = re.search(r": (.*)$", message)
        shown = value.group(1) if value else ""
        return Advice(
            title=(f"文字 {shown} 不能变成数字", f"The text {shown} is not a number"),
            hints=[
                (
                    "这一列里有不是数字的内容（单位、空格、汉字）。先看看这些值："
                    "`df[\"列名\"].unique()`；再用 `.str.replace(...)` 去掉多余的字，或用 "
                    "`pd.to_numeric(..., errors=\"coerce\")` 把它们变成空值。",
                    'The column holds values that are not numbers (units, spaces, Chinese). Look '
                    'at them with `df["col"].unique()`, then remove the extra text with '
                    '`.str.replace(...)` or turn such values into blanks with '
                    '`pd.to_numeric(..., errors="coerce")`.',
                )
            ],
        )  # fmt: skip
    length = re.search(
        r"Length of values \((\d+)\) does not match length of index \((\d+)\)", message
    )
    if length:
        got, rows = length.groups()
        return Advice(
            title=(f"给了 {got} 个值，但表格有 {rows} 行",
                   f"{got} values for a table of {rows} rows"),
            hints=[
                ("新的一列要和表格一样多行。通常应该从表格自己的列算出来，"
                 "例如 `df[\"新列\"] = df[\"a\"] / df[\"b\"]`。",
                 'A new column needs one value per row. Usually it is computed from the table\'s '
                 'own columns, e.g. `df["new"] = df["a"] / df["b"]`.')
            ],
        )  # fmt: skip
    return None


def explain_index(exc: IndexError, ctx: Context) -> Advice | None:
    """`df.iloc[n]` past the last row."""
    if "out-of-bounds" not in str(exc) and "out of bounds" not in str(exc):
        return None
    return Advice(
        title=("位置超出了范围", "Position out of range"),
        hints=[
            (
                "位置从 0 开始数：有 10 行的表格，位置是 0 到 9。用 `len(df)` 看看有几行。",
                "Positions count from 0: a table of 10 rows has positions 0 to 9. `len(df)` "
                "tells how many rows there are.",
            )
        ],
    )


def explain_decode(exc: UnicodeDecodeError, ctx: Context) -> Advice | None:
    """A CSV saved by Excel in GBK read as UTF-8."""
    if exc.encoding.replace("-", "").lower() != "utf8":
        return None
    return Advice(
        title=("文件的编码不是 UTF-8", "The file is not encoded in UTF-8"),
        hints=[
            (
                "从 Excel 另存的 CSV 常常是 GBK 编码：读表时加上 `encoding=\"gbk\"`，例如 "
                "`pd.read_csv(\"data/我的表.csv\", encoding=\"gbk\")`。",
                'A CSV saved by Excel is often in GBK: add `encoding="gbk"`, e.g. '
                '`pd.read_csv("data/my_table.csv", encoding="gbk")`.',
            )
        ],
    )  # fmt: skip
