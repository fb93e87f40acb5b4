"""Check CSV tables against datapackage.json and explain each problem in Chinese and English.

Every check on the data is made by frictionless (types, constraints, keys); this module only finds
the files, settles their text encoding first, and turns frictionless errors into messages a social
worker can act on.

Conventions
- Row numbers count records the way a spreadsheet shows them: the header is row 1, the first data
  row is row 2. This is also the line number in a text editor unless a cell above contains a line
  break. Problems about the whole file (encoding, empty file, not found) have no row; problems
  with the header are on row 1.
- Encoding is decided here, before frictionless sees the file: strict UTF-8, else GB18030 (a
  superset of GBK, which Excel's plain "CSV" export writes on Chinese Windows), else unknown.
- A UTF-8 byte-order mark (Excel's "CSV UTF-8" export) is fine in an external file and only gets a
  note; the package's own tables must be written without one, so there it is a problem.
- Validation never writes to the files it checks; a GBK file accepted with ``allow_gbk=True`` is
  converted into a temporary UTF-8 copy, and problems still name the original file.
- A header that differs from the schema is explained column by column, then the cells are checked
  again matching columns by name, so one moved column does not make every row fail.
- Exit codes of the command: 0 valid, 1 problems found, 2 the request cannot be carried out (no
  such package or table, a datapackage.json frictionless cannot load, a file of unknown table).
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from frictionless import FrictionlessException, Package, Resource, system
from frictionless.errors import HeaderError
from rich.console import Console
from rich.table import Table

from shequlab.paths import datasets_dir

MAX_SHOWN = 50  # rows of the problem table printed by the command
MAX_ENUM_SHOWN = 8  # allowed values listed in an enum message
SAVE_AS_UTF8_ZH = '请在 Excel 中“文件 → 另存为”，保存类型选 "CSV UTF-8（逗号分隔）(*.csv)"'
SAVE_AS_UTF8_EN = 'in Excel use File → Save As, type "CSV UTF-8 (Comma delimited) (*.csv)"'


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


class ValidationUsageError(Exception):
    """The request itself is wrong (no such package or table): exit code 2, nothing validated."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh, self.message_en = message_zh, message_en


class TableEncodingError(ValueError):
    """A CSV file whose bytes are not text we accept; carries a bilingual explanation."""

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.code, self.message_zh, self.message_en = code, message_zh, message_en


@dataclass(frozen=True)
class DecodedText:
    """A CSV file's text and the encoding it was read with: utf-8, utf-8-sig or gb18030."""

    text: str
    encoding: str


# --- Reading text ---------------------------------------------------------------------------


def read_table_text(path: Path, *, allow_gbk: bool = False) -> DecodedText:
    """Decode a CSV file strictly: UTF-8 (with or without BOM), or GBK/GB18030 if allowed.

    Raises FileNotFoundError, or TableEncodingError with a message saying how to re-save the file.
    """
    data = Path(path).read_bytes()
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise TableEncodingError(
            "excel-workbook",
            f"这是 Excel 工作簿（.xlsx/.xls），不是 CSV 文本文件；{SAVE_AS_UTF8_ZH}",
            f"this is an Excel workbook (.xlsx/.xls), not a CSV text file; {SAVE_AS_UTF8_EN}",
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableEncodingError(
            "utf16-encoding",
            f"文件是 UTF-16 编码（Excel 的“Unicode 文本”），不是 UTF-8；{SAVE_AS_UTF8_ZH}",
            f'file is UTF-16 (Excel "Unicode Text"), not UTF-8; {SAVE_AS_UTF8_EN}',
        )
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return DecodedText(data.decode("utf-8-sig"), "utf-8-sig")
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as utf8_error:
        bad = utf8_error.start
        line = data.count(b"\n", 0, bad) + 1
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = None
    if text is not None and re.search(r"[\u4e00-\u9fff]", text):
        if allow_gbk:
            return DecodedText(text, "gb18030")
        raise TableEncodingError(
            "wrong-encoding",
            "文件不是 UTF-8 编码，看起来是 GBK/GB18030（Excel 直接“另存为 CSV”时的默认编码）；"
            + SAVE_AS_UTF8_ZH
            + " 后重新保存",
            "file is not UTF-8; it looks like GBK/GB18030 (what Excel's plain CSV export writes "
            f"on Chinese Windows); {SAVE_AS_UTF8_EN} and save again",
        )
    raise TableEncodingError(
        "unknown-encoding",
        f"文件不是 UTF-8 编码（第 {line} 行有无法识别的字节 0x{data[bad]:02X}）；{SAVE_AS_UTF8_ZH}",
        f"file is not UTF-8 (undecodable byte 0x{data[bad]:02X} on line {line}); {SAVE_AS_UTF8_EN}",
    )


# --- Public entry points --------------------------------------------------------------------


def load_package(path: Path | None = None) -> Package:
    """Open datapackage.json (default: the project's datasets/); usage error if it is missing."""
    path = Path(path) if path is not None else datasets_dir() / "datapackage.json"
    if not path.is_file():
        raise ValidationUsageError(
            f"找不到数据包描述文件 {path}（先运行 shequlab data generate，或用 --package 指定）",
            f"package descriptor {path} not found (run shequlab data generate, or pass --package)",
        )
    try:
        return Package(str(path.resolve()))
    except FrictionlessException as error:
        why = "; ".join(e.message for e in error.reasons) or error.error.message
        raise ValidationUsageError(
            f"数据包描述文件 {path.name} 无效：{why}", f"invalid package descriptor {path}: {why}"
        ) from error


def validate_package(
    path: Path | None = None, *, tables: Sequence[str] | None = None
) -> ValidationReport:
    """Validate every table of the package (or only `tables`) against its own Table Schema."""
    package = load_package(path)
    report = ValidationReport()
    resources = [_get_resource(package, name) for name in tables] if tables else package.resources
    unreadable: dict[str, str | None] = {}
    texts = {res.name: _read_own_table(res, report, unreadable) for res in resources}
    for res in resources:
        report.tables.append(res.name)
        text = texts[res.name]
        if text is not None:
            file = Path(res.normpath or "").name
            report.problems += _check_resource(package, res, file, text.text, unreadable)
    if not tables:
        report.problems += _undescribed_files(package)
    return report


def validate_file(
    path: Path, table: str, package: Path | None = None, *, allow_gbk: bool = False
) -> ValidationReport:
    """Validate an external CSV file (e.g. a trainee's hotline export) against table `table`.

    Foreign keys are checked against the package's own tables. With allow_gbk=True a GBK/GB18030
    file is accepted: it is decoded into a temporary UTF-8 copy, and that copy is validated.
    """
    pkg = load_package(package)
    resource = _get_resource(pkg, table)
    path = Path(path)
    report = ValidationReport(tables=[table])
    decoded = _decode(path, allow_gbk=allow_gbk)
    if isinstance(decoded, Problem):
        report.problems.append(decoded)
        return report
    if decoded.encoding == "utf-8-sig":
        report.notes.append(
            f"{path.name} 带有 UTF-8 BOM（Excel 的“CSV UTF-8”格式），可以正常读取 / "
            "has a UTF-8 byte-order mark (Excel's CSV UTF-8), which is fine"
        )
    with tempfile.TemporaryDirectory(prefix="shequlab-validate-") as tmp:
        data_path = path
        if decoded.encoding == "gb18030":
            report.notes.append(
                f"{path.name} 按 GBK/GB18030 读取并转换为 UTF-8 后校验（原文件未改动） / "
                "read as GBK/GB18030 and checked as UTF-8 (the file itself is unchanged)"
            )
            data_path = Path(tmp) / path.name
            data_path.write_bytes(decoded.text.encode("utf-8"))
        resource.path = str(data_path.resolve())
        resource.encoding = "utf-8-sig" if decoded.encoding == "utf-8-sig" else "utf-8"
        # The file lives outside the package folder, which frictionless refuses unless trusted.
        with system.use_context(trusted=True):
            report.problems += _check_resource(pkg, resource, path.name, decoded.text, {})
    return report


def run_validate_command(files: list[Path], table: str | None, package: Path | None) -> int:
    """`shequlab data validate`: print problems to stderr, a summary to stdout; return exit code."""
    err = Console(stderr=True)
    try:
        if not files:
            report = validate_package(package, tables=[table] if table else None)
        else:
            pkg = load_package(package)
            names = {res.name for res in pkg.resources}
            targets = [(f, table or _table_for_file(f, names)) for f in files]
            report = ValidationReport()
            for file, name in targets:
                report.extend(validate_file(file, name, package))
    except ValidationUsageError as error:
        err.print(f"[red]✘ {error.message_zh}[/red]\n  {error.message_en}", highlight=False)
        return 2
    for note in report.notes:
        err.print(f"[dim]ℹ {note}[/dim]", highlight=False)
    if report.ok:
        n = len(report.tables)
        print(f"✔ 全部 {n} 张表通过校验 / all {n} tables valid")
        return 0
    err.print(_problem_table(report.problems))
    n = len(report.problems)
    print(f"✘ 发现 {n} 个问题 / {n} problems found")
    return 1


# --- One table --------------------------------------------------------------------------------


def _check_resource(
    package: Package,
    resource: Resource,
    file: str,
    text: str,
    unreadable: dict[str, str | None],
) -> list[Problem]:
    """Run frictionless on one resource; if the header is off, re-run matching columns by name.

    `unreadable` caches, per table name, why that table's file cannot be read (None if it can).
    """
    ctx = _TableContext(package, resource, file, _header(text))
    problems = _unchecked_foreign_keys(ctx, unreadable)
    report = resource.validate()
    task = report.tasks[0] if report.tasks else report
    errors = task.errors
    if any(isinstance(e, HeaderError) for e in errors):
        problems += _header_problems(ctx) or [
            _translate(ctx, e) for e in errors if isinstance(e, HeaderError)
        ]
        # Positional checks would blame every row for a moved column, so check the cells again
        # matching columns by name; with a repeated column name that match is ambiguous.
        errors = (
            _errors_matching_by_name(resource) if len(set(ctx.labels)) == len(ctx.labels) else []
        )
    problems += [_translate(ctx, e) for e in errors]
    for warning in getattr(task, "warnings", []):  # frictionless stops at 1000 errors a table
        limit = re.search(r"error limit: (\d+)", warning)
        zh, en = (
            (
                f"问题超过 {limit[1]} 个，之后的行未检查",
                f"over {limit[1]} problems; later rows unchecked",
            )
            if limit
            else (f"检查未完成：{warning}", warning)
        )
        problems.append(_file_problem(file, "incomplete", zh, en))
    return _drop_echoes(ctx, problems)


def _errors_matching_by_name(resource: Resource) -> list[Any]:
    resource.schema.fields_match = "partial"  # Table Schema v2: pair labels and fields by name
    try:
        report = resource.validate()
    finally:
        resource.schema.fields_match = "exact"
    errors = report.tasks[0].errors if report.tasks else report.errors
    return [e for e in errors if not isinstance(e, HeaderError)]


@dataclass
class _TableContext:
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


def _header(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text)), [])


def _read_own_table(
    resource: Resource, report: ValidationReport, unreadable: dict[str, str | None]
) -> DecodedText | None:
    """Decode one of the package's own tables; record why it cannot be checked, if it cannot."""
    path = Path(resource.normpath or "")
    decoded = _decode(path)
    if isinstance(decoded, Problem):
        unreadable[resource.name] = decoded.code
        if decoded.code == "file-not-found":
            decoded = replace(
                decoded,
                message_zh=decoded.message_zh + "（运行 shequlab data generate 重新生成）",
                message_en=decoded.message_en + " (run shequlab data generate)",
            )
        report.problems.append(decoded)
        return None
    unreadable[resource.name] = None
    if decoded.encoding == "utf-8-sig":
        report.problems.append(
            _file_problem(
                path.name,
                "bom",
                "文件以 UTF-8 BOM 开头；数据集的表必须写成不带 BOM 的 UTF-8"
                "（运行 shequlab data generate）",
                "file starts with a UTF-8 byte-order mark; dataset tables must be UTF-8 without "
                "BOM (run shequlab data generate)",
            )
        )
    return decoded


def _decode(path: Path, *, allow_gbk: bool = False) -> DecodedText | Problem:
    """A table's text, or the whole-file problem that stops it from being read."""
    try:
        decoded = read_table_text(path, allow_gbk=allow_gbk)
    except (FileNotFoundError, IsADirectoryError):
        return _file_problem(path.name, "file-not-found", f"找不到文件 {path}", f"{path} not found")
    except TableEncodingError as error:
        return _file_problem(path.name, error.code, error.message_zh, error.message_en)
    if not decoded.text.strip():
        return _file_problem(
            path.name,
            "empty-file",
            "文件是空的（连表头都没有）",
            "file is empty (not even a header)",
        )
    return decoded


def _unchecked_foreign_keys(ctx: _TableContext, unreadable: dict[str, str | None]) -> list[Problem]:
    """Drop foreign keys whose referenced file cannot be read, saying so, so the rest is checked."""
    problems, kept = [], []
    for fk in ctx.resource.schema.foreign_keys:
        ref_name = fk["reference"]["resource"] or ctx.resource.name
        ref = ctx.package.get_resource(ref_name) if ctx.package.has_resource(ref_name) else None
        if ref is not None and ref_name not in unreadable:
            decoded = _decode(Path(ref.normpath or ""))
            unreadable[ref_name] = decoded.code if isinstance(decoded, Problem) else None
        reason = "no such table" if ref is None else unreadable[ref_name]
        if reason is None or ref_name == ctx.resource.name:
            kept.append(fk)
            continue
        cols, ref_cols = ", ".join(fk["fields"]), ", ".join(fk["reference"]["fields"])
        problems.append(
            ctx.problem(
                None,
                cols,
                "foreign-key-unchecked",
                f"无法检查外键 {cols} → {ref_name}.{ref_cols}："
                f"被引用的表 {ref_name} 无法读取（{reason}）",
                f"foreign key {cols} → {ref_name}.{ref_cols} not checked: table {ref_name} "
                f"cannot be read ({reason})",
            )
        )
    ctx.resource.schema.foreign_keys = kept
    return problems


def _undescribed_files(package: Package) -> list[Problem]:
    known = {Path(res.path).name for res in package.resources if isinstance(res.path, str)}
    folder = Path(package.basepath or ".")
    return [
        _file_problem(
            p.name,
            "undescribed-file",
            "数据文件夹中有此 CSV，但 datapackage.json 没有描述它",
            "CSV in the datasets folder that datapackage.json does not describe",
        )
        for p in sorted(folder.glob("*.csv"))
        if p.name not in known
    ]


def _get_resource(package: Package, name: str) -> Resource:
    if package.has_resource(name):
        return package.get_resource(name)
    names = ", ".join(res.name for res in package.resources)
    raise ValidationUsageError(
        f"数据包中没有表 {name}；可选的表：{names}",
        f"no table {name} in the package; tables are: {names}",
    )


def _table_for_file(path: Path, names: set[str]) -> str:
    if path.stem in names:
        return path.stem
    raise ValidationUsageError(
        f"无法从文件名判断 {path.name} 对应哪张表，请用 --table 指定（如 --table hotline_orders）",
        f"cannot tell which table {path.name} is from its name; pass --table (e.g. --table "
        "hotline_orders)",
    )


def _file_problem(file: str, code: str, zh: str, en: str) -> Problem:
    return Problem(file, None, None, None, code, zh, en)


# --- Header -----------------------------------------------------------------------------------


def _header_problems(ctx: _TableContext) -> list[Problem]:
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


def _type_error(ctx: _TableContext, e: Any) -> Problem:
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


def _constraint_error(ctx: _TableContext, e: Any) -> Problem:
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


def _key_values(ctx: _TableContext, e: Any, columns: Sequence[str]) -> str:
    cells = [e.cells[ctx.labels.index(c)] if c in ctx.labels else "" for c in columns]
    names = ", ".join(columns)
    values = ", ".join(f'"{c}"' for c in cells)
    return f"{names} = {values}" if len(columns) == 1 else f"({names}) = ({values})"


def _primary_key_error(ctx: _TableContext, e: Any) -> Problem:
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


def _unique_error(ctx: _TableContext, e: Any) -> Problem:
    other = re.search(r"position (\d+)", e.note)
    row = other.group(1) if other else "?"
    return ctx.problem(
        e.row_number,
        e.field_name,
        "unique",
        f'值 "{e.cell}" 重复（该列要求唯一）：与第 {row} 行相同',
        f'value "{e.cell}" is repeated (column must be unique): same as row {row}',
    )


def _foreign_key_error(ctx: _TableContext, e: Any) -> Problem:
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


def _cell_count_error(ctx: _TableContext, e: Any) -> Problem:
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


def _source_error(ctx: _TableContext, e: Any) -> Problem:
    if "empty" in (e.note or ""):
        return _file_problem(ctx.file, "empty-file", "文件是空的", "file is empty")
    return _fallback(ctx, e)


def _fallback(ctx: _TableContext, e: Any) -> Problem:
    msg = e.message
    return ctx.problem(
        getattr(e, "row_number", None),
        getattr(e, "field_name", None) or None,
        f"frictionless:{e.type}",
        f"校验错误：{msg}",
        msg,
    )


# One translator per frictionless error type; anything else is passed on in frictionless's words.
_TRANSLATORS: dict[str, Callable[[_TableContext, Any], Problem]] = {
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
    "source-error": _source_error,
}


def _translate(ctx: _TableContext, error: Any) -> Problem:
    return _TRANSLATORS.get(error.type, _fallback)(ctx, error)


def _drop_echoes(ctx: _TableContext, problems: list[Problem]) -> list[Problem]:
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


# --- Printing ---------------------------------------------------------------------------------


def _problem_table(problems: list[Problem]) -> Table:
    table = Table("文件 File", "行 Row", "列 Column", "问题 Problem", show_lines=True)
    for p in problems[:MAX_SHOWN]:
        column = f"{p.column}\n{p.column_title}" if p.column_title else (p.column or "")
        row = "" if p.row is None else str(p.row)
        table.add_row(p.file, row, column, f"{p.message_zh}\n{p.message_en}")
    hidden = len(problems) - MAX_SHOWN
    if hidden > 0:
        table.add_row("…", "", "", f"另有 {hidden} 个问题未显示\n… and {hidden} more")
    return table
