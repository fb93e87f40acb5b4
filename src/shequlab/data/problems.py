"""Say what is wrong with a data file in words a social worker can act on, in Chinese and English.

Row numbers count records the way a spreadsheet shows them: the header is row 1, the first data row
is row 2. This is also the line number in a text editor unless a cell above contains a line break.
Problems about the whole file (encoding, empty file, not found) have no row; problems with the
header are on row 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from frictionless import Package, Resource

MAX_ENUM_SHOWN = 8  # allowed values listed in an enum message


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file, located as precisely as the check allows."""

    file: str  # file name as the user knows it, e.g. "hotline_orders.csv"
    row: int | None  # spreadsheet row (header = 1); None for whole-file problems
    column: str | None  # column name in the schema or header
    column_title: str | None  # Chinese title of the column from the schema
    code: str  # stable machine-readable kind, e.g. "type-error", "wrong-encoding"
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        where_zh, where_en = [], []
        if self.row is not None:
            where_zh.append(f"第 {self.row} 行")
            where_en.append(f"row {self.row}")
        if self.column is not None:
            title = f"（{self.column_title}）" if self.column_title else ""
            where_zh.append(f"列 {self.column}{title}")
            where_en.append(f"column {self.column}")
        zh = f"{self.file} {', '.join(where_zh)}: " if where_zh else f"{self.file}: "
        en = f"{', '.join(where_en)}: " if where_en else ""
        return f"{zh}{self.message_zh} / {en}{self.message_en}"


@dataclass
class ValidationReport:
    """What a validation run found: problems (any makes it fail) and notes (informational)."""

    tables: list[str] = field(default_factory=list)  # table names that were checked
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # bilingual, e.g. "BOM is fine here"

    @property
    def ok(self) -> bool:
        return not self.problems

    def extend(self, other: ValidationReport) -> None:
        self.tables += other.tables
        self.problems += other.problems
        self.notes += other.notes


def file_problem(file: str, code: str, zh: str, en: str) -> Problem:
    """A problem with the whole file: no row, no column."""
    return Problem(file, None, None, None, code, zh, en)


@dataclass
class TableContext:
    """What translating one table's errors needs: its schema as plain dicts and its header."""

    package: Package
    resource: Resource
    file: str
    labels: list[str]
    fields: dict[str, dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.fields = {f["name"]: f for f in self.resource.schema.to_descriptor()["fields"]}

    def title(self, column: str | None) -> str | None:
        return self.fields.get(column or "", {}).get("title")

    def problem(self, row: int | None, column: str | None, code: str, zh: str, en: str) -> Problem:
        return Problem(self.file, row, column, self.title(column), code, zh, en)


# --- Header -----------------------------------------------------------------------------------


def header_problems(ctx: TableContext) -> list[Problem]:
    """Explain how a header differs from the schema: missing, unknown, repeated, moved columns."""
    expected, labels, table, problems = list(ctx.fields), ctx.labels, ctx.resource.name, []
    extra = [label for label in labels if label not in ctx.fields]
    for name in (f for f in expected if f not in labels):
        near = [x for x in extra if x.strip().lower() == name.lower()]
        extra = [x for x in extra if x not in near]
        zh, en = f"表头缺少列 {name}", f"column {name} is missing from the header"
        if near:
            zh += f"；表头中有 “{near[0]}”，拼写/大小写/空格不同"
            en += f'; the header has "{near[0]}", spelled differently'
        problems.append(ctx.problem(1, name, "missing-column", zh, en))
    for label in extra:
        at = labels.index(label) + 1
        if label.strip():
            zh = f"表头中有未知列 “{label}”（第 {at} 列），表 {table} 没有这一列"
            en = f'unknown column "{label}" (position {at}) is not in table {table}'
            problems.append(ctx.problem(1, label, "extra-column", zh, en))
        else:
            zh, en = f"第 {at} 列的表头是空的", f"header cell {at} is empty"
            problems.append(ctx.problem(1, None, "blank-column-name", zh, en))
    for name in sorted({x for x in labels if labels.count(x) > 1 and x in ctx.fields}):
        n = labels.count(name)
        zh, en = (
            f"列 {name} 在表头中出现了 {n} 次",
            f"column {name} appears {n} times in the header",
        )
        problems.append(ctx.problem(1, name, "duplicate-column", zh, en))
    found = [label for label in dict.fromkeys(labels) if label in ctx.fields]
    wanted = [f for f in expected if f in labels]
    if found != wanted:
        i = next(i for i, (a, b) in enumerate(zip(found, wanted, strict=True)) if a != b)
        order = ", ".join(expected)
        zh = f"列的顺序与表结构不一致：{wanted[i]} 应排在 {found[i]} 之前；应为 {order}"
        en = (
            f"columns are out of order: {wanted[i]} should come before {found[i]}; expected {order}"
        )
        problems.append(ctx.problem(1, None, "wrong-column-order", zh, en))
    return problems


# --- Translating frictionless errors ------------------------------------------------------------

_TYPE_NAMES = {
    "integer": ("整数", "an integer"),
    "number": ("数字", "a number"),
    "string": ("文本", "text"),
    "year": ("年份", "a year"),
    "time": ("时间（hh:mm:ss）", "a time (hh:mm:ss)"),
}
_DATE_FORMATS = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%dT%H:%M:%S"}
_FORMAT_CODES = {"%Y": "YYYY", "%m": "MM", "%d": "DD", "%H": "hh", "%M": "mm", "%S": "ss"}


def _type_error(ctx: TableContext, e: Any) -> Problem:
    spec = ctx.fields.get(e.field_name, {})
    kind = spec.get("type", "string")
    if kind == "boolean":
        yes, no = spec.get("trueValues", ["true"])[0], spec.get("falseValues", ["false"])[0]
        zh, en = f"布尔值（{yes} 或 {no}）", f"a boolean ({yes} or {no})"
    elif kind in _DATE_FORMATS:
        fmt = spec.get("format", "default")
        fmt = _DATE_FORMATS[kind] if fmt in ("default", "any") else fmt
        shown = _human_format(fmt)
        zh, en = (
            f"{'日期' if kind == 'date' else '日期时间'}（格式 {shown}）",
            f"a {kind} ({shown})",
        )
        if "/" in e.cell and "/" not in fmt:
            zh += "；Excel 常把日期改写成 2016/1/2，请把该列设为文本后按上述格式填写"
            en += "; Excel often rewrites dates as 2016/1/2, format the column as text"
    else:
        zh, en = _TYPE_NAMES.get(kind, (kind, kind))
    return ctx.problem(
        e.row_number,
        e.field_name,
        "type-error",
        f'值 "{e.cell}" 不是{zh}',
        f'value "{e.cell}" is not {en}',
    )


def _human_format(fmt: str) -> str:
    for code, shown in _FORMAT_CODES.items():
        fmt = fmt.replace(code, shown)
    return fmt


def _constraint_error(ctx: TableContext, e: Any) -> Problem:
    spec = ctx.fields.get(e.field_name, {})
    limits = spec.get("constraints", {})
    match = re.match(r'constraint "(\w+)"', e.note)
    name = match.group(1) if match else "?"
    unit = f" {spec['unit']}" if spec.get("unit") else ""
    value = f'值 "{e.cell}"', f'value "{e.cell}"'
    if name == "required":
        zh, en = "必填值缺失", "required value is missing"
    elif name == "enum":
        allowed = [str(v) for v in limits.get("enum", [])]
        shown = allowed[:MAX_ENUM_SHOWN]
        more_zh = f" …（共 {len(allowed)} 个）" if len(allowed) > len(shown) else ""
        more_en = f" … ({len(allowed)} in total)" if len(allowed) > len(shown) else ""
        zh = f"{value[0]} 不是允许的取值；允许：{'、'.join(shown)}{more_zh}"
        en = f"{value[1]} is not one of the allowed values: {', '.join(shown)}{more_en}"
    elif name in ("minimum", "maximum") and {"minimum", "maximum"} <= limits.keys():
        span = f"{_num(limits['minimum'])}–{_num(limits['maximum'])}{unit}"
        name, zh, en = (
            "out-of-range",
            f"{value[0]} 超出范围 {span}",
            f"{value[1]} is outside {span}",
        )
    elif name in ("minimum", "maximum"):
        bound = f"{_num(limits[name])}{unit}"
        zh, en = (
            (f"{value[0]} 小于最小值 {bound}", f"{value[1]} is below the minimum {bound}")
            if name == "minimum"
            else (f"{value[0]} 大于最大值 {bound}", f"{value[1]} is above the maximum {bound}")
        )
    elif name in ("exclusiveMinimum", "exclusiveMaximum"):
        bound, word = f"{_num(limits[name])}{unit}", name == "exclusiveMinimum"
        zh = f"{value[0]} 应{'大于' if word else '小于'} {bound}"
        en = f"{value[1]} must be {'greater' if word else 'less'} than {bound}"
    elif name == "pattern":
        pattern = limits.get("pattern")
        zh, en = (
            f"{value[0]} 不符合格式 {pattern}",
            f"{value[1]} does not match the pattern {pattern}",
        )
    elif name in ("minLength", "maxLength"):
        word = ("至少", "at least") if name == "minLength" else ("至多", "at most")
        zh = f"{value[0]} 的长度应{word[0]} {limits[name]} 个字符"
        en = f"{value[1]} must be {word[1]} {limits[name]} characters long"
    else:
        zh, en = f"{value[0]} 不满足约束 {e.note}", f"{value[1]} violates {e.note}"
    return ctx.problem(e.row_number, e.field_name, name, zh, en)


def _num(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _key_values(ctx: TableContext, e: Any, columns: Sequence[str]) -> str:
    cells = [e.cells[ctx.labels.index(c)] if c in ctx.labels else "" for c in columns]
    names = ", ".join(columns)
    values = ", ".join(f'"{c}"' for c in cells)
    return f"{names} = {values}" if len(columns) == 1 else f"({names}) = ({values})"


def _primary_key_error(ctx: TableContext, e: Any) -> Problem:
    pk = ctx.resource.schema.primary_key
    column = ", ".join(pk)
    earlier = re.search(r"position (\d+)", e.note)
    if earlier is None:
        zh, en = f"主键 {column} 为空", f"primary key {column} is empty"
        return ctx.problem(e.row_number, column, "empty-primary-key", zh, en)
    key, other = _key_values(ctx, e, pk), earlier.group(1)
    zh, en = (
        f"主键 {key} 重复：与第 {other} 行相同",
        f"duplicate primary key {key}: same as row {other}",
    )
    return ctx.problem(e.row_number, column, "duplicate-primary-key", zh, en)


def _unique_error(ctx: TableContext, e: Any) -> Problem:
    other = re.search(r"position (\d+)", e.note)
    row = other.group(1) if other else "?"
    return ctx.problem(
        e.row_number,
        e.field_name,
        "unique",
        f'值 "{e.cell}" 重复（该列要求唯一）：与第 {row} 行相同',
        f'value "{e.cell}" is repeated (column must be unique): same as row {row}',
    )


def _foreign_key_error(ctx: TableContext, e: Any) -> Problem:
    ref_name = e.reference_name or ctx.resource.name
    ref = ctx.package.get_resource(ref_name)
    ref_fields = {f.name: f.title for f in ref.schema.fields}
    cols = ", ".join(e.reference_field_names)
    titles = "、".join(ref_fields.get(c) or c for c in e.reference_field_names)
    values = ", ".join(f'"{v}"' for v in e.field_cells)
    return ctx.problem(
        e.row_number,
        ", ".join(e.field_names),
        "foreign-key",
        f"值 {values} 在表 {ref_name}（{ref.title or ref_name}）的列 {cols}（{titles}）中找不到",
        f"value {values} not found in column {cols} of table {ref_name}",
    )


def _cell_count_error(ctx: TableContext, e: Any) -> Problem:
    if e.type == "extra-cell":
        zh = f'这一行多出一个单元格（第 {e.field_number} 个位置）："{e.cell}"'
        zh += f"；表头只有 {len(ctx.labels)} 列"
        en = f'the row has an extra cell at position {e.field_number}: "{e.cell}"'
        return ctx.problem(e.row_number, None, "extra-cell", zh, en)
    zh, en = (
        "这一行缺少这一列的单元格（逗号少了？）",
        "the row has no cell for this column (missing comma?)",
    )
    return ctx.problem(e.row_number, e.field_name, "missing-cell", zh, en)


def _fallback(ctx: TableContext, e: Any) -> Problem:
    msg = e.message
    return ctx.problem(
        getattr(e, "row_number", None),
        getattr(e, "field_name", None) or None,
        f"frictionless:{e.type}",
        f"校验错误：{msg}",
        msg,
    )


# One translator per frictionless error type; anything else is passed on in frictionless's words.
_TRANSLATORS: dict[str, Callable[[TableContext, Any], Problem]] = {
    "type-error": _type_error,
    "constraint-error": _constraint_error,
    "primary-key": _primary_key_error,
    "unique-error": _unique_error,
    "foreign-key": _foreign_key_error,
    "blank-row": lambda ctx, e: ctx.problem(
        e.row_number, None, "blank-row", "空行（请删除整行）", "blank row (delete it)"
    ),
    "extra-cell": _cell_count_error,
    "missing-cell": _cell_count_error,
}


def translate(ctx: TableContext, error: Any) -> Problem:
    """One frictionless error as a Problem located in `ctx`'s file."""
    return _TRANSLATORS.get(error.type, _fallback)(ctx, error)


def incomplete_check(file: str, warning: str) -> Problem:
    """A frictionless warning that it stopped checking (at 1000 errors a table), as a problem."""
    limit = re.search(r"error limit: (\d+)", warning)
    zh, en = (
        (
            f"问题超过 {limit[1]} 个，之后的行未检查",
            f"over {limit[1]} problems; later rows unchecked",
        )
        if limit
        else (f"检查未完成：{warning}", warning)
    )
    return file_problem(file, "incomplete", zh, en)


def drop_echoes(ctx: TableContext, problems: list[Problem]) -> list[Problem]:
    """Remove follow-on errors frictionless reports for a problem already explained once.

    An empty key on a blank row, on a row whose key cell is already flagged or in a file whose
    header lacks a key column, or a `unique` error on a one-column primary key next to the
    duplicate-key problem, says nothing new.
    """
    pk = ctx.resource.schema.primary_key
    blank_rows = {p.row for p in problems if p.code == "blank-row"}
    duplicate_rows = {p.row for p in problems if p.code == "duplicate-primary-key"}
    flagged = {(p.row, p.column) for p in problems if "primary-key" not in p.code}
    missing = {p.column for p in problems if p.code == "missing-column"}
    kept = []
    for p in problems:
        if p.code == "empty-primary-key" and (
            p.row in blank_rows or any((p.row, c) in flagged for c in pk) or missing & set(pk)
        ):
            continue
        if p.code == "unique" and [p.column] == pk and p.row in duplicate_rows:
            continue
        kept.append(p)
    return kept
