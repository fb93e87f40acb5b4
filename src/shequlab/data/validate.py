"""Check CSV tables against datapackage.json and explain each problem in Chinese and English.

Every check on the data is made by frictionless (types, constraints, keys); this module only finds
the files, has `encoding` settle their text first, and has `problems` turn frictionless errors into
messages a social worker can act on.

Conventions
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
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from frictionless import FrictionlessException, Package, Resource, system
from frictionless.errors import HeaderError
from rich.console import Console
from rich.table import Table

from shequlab.data.encoding import DecodedText, TableEncodingError, read_table_text
from shequlab.data.problems import (
    Problem,
    TableContext,
    ValidationReport,
    drop_echoes,
    file_problem,
    header_problems,
    incomplete_check,
    translate,
)
from shequlab.layout.project import datasets_dir

# Re-exported so callers keep importing the whole validation API from here.
__all__ = [
    "DecodedText",
    "Problem",
    "TableEncodingError",
    "ValidationReport",
    "ValidationUsageError",
    "load_package",
    "read_table_text",
    "run_validate_command",
    "validate_file",
    "validate_package",
]

MAX_SHOWN = 50  # rows of the problem table printed by the command


class ValidationUsageError(Exception):
    """The request itself is wrong (no such package or table): exit code 2, nothing validated."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh, self.message_en = message_zh, message_en


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
    path: Path | None = None, *, tables: Sequence[str] | None = None, progress: bool = False
) -> ValidationReport:
    """Validate every table of the package (or only `tables`) against its own Table Schema."""
    from rich.console import Console
    from rich.progress import track

    package = load_package(path)
    report = ValidationReport()
    resources = [_get_resource(package, name) for name in tables] if tables else package.resources
    unreadable: dict[str, str | None] = {}
    texts = {res.name: _read_own_table(res, report, unreadable) for res in resources}
    steps = track(resources, description="校验 validating", transient=True,
                  console=Console(stderr=True), disable=not progress)  # fmt: skip
    for res in steps:
        report.tables.append(res.name)
        text = texts[res.name]
        if text is not None:
            file = Path(res.normpath or "").name
            report.problems += _check_resource(package, res, file, text.text, unreadable)
    if not tables:
        report.problems += _undescribed_files(package)
    return report


def validate_file(
    path: Path,
    table: str,
    package: Path | None = None,
    *,
    allow_gbk: bool = False,
    partial: bool = False,
) -> ValidationReport:
    """Validate an external CSV file (e.g. a trainee's hotline export) against table `table`.

    Foreign keys are checked against the package's own tables. With allow_gbk=True a GBK/GB18030
    file is accepted: it is decoded into a temporary UTF-8 copy, and that copy is validated.
    With partial=True the file may hold only some of the table's columns (in schema order): the
    schema is cut down to the columns in its header, and keys that need a missing column are not
    checked.
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
        if partial:
            _keep_fields(resource, _header(decoded.text))
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
            report = validate_package(package, tables=[table] if table else None, progress=True)
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
    ctx = TableContext(package, resource, file, _header(text))
    problems = _unchecked_foreign_keys(ctx, unreadable)
    task = resource.validate().tasks[0]  # one resource validated: always exactly one task
    errors = task.errors
    if any(isinstance(e, HeaderError) for e in errors):
        problems += header_problems(ctx) or [
            translate(ctx, e) for e in errors if isinstance(e, HeaderError)
        ]
        # Positional checks would blame every row for a moved column, so check the cells again
        # matching columns by name; with a repeated column name that match is ambiguous.
        errors = (
            _errors_matching_by_name(resource) if len(set(ctx.labels)) == len(ctx.labels) else []
        )
    problems += [translate(ctx, e) for e in errors]
    problems += [incomplete_check(file, warning) for warning in task.warnings]
    return drop_echoes(ctx, problems)


def _keep_fields(resource: Resource, labels: list[str]) -> None:
    """Cut the schema down to the fields named in the file's header (a partial table)."""
    present = set(labels)
    schema = resource.schema
    for name in [f.name for f in schema.fields if f.name not in present]:
        schema.remove_field(name)
    if not set(schema.primary_key) <= present:
        schema.primary_key = []
    schema.foreign_keys = [fk for fk in schema.foreign_keys if set(fk["fields"]) <= present]


def _errors_matching_by_name(resource: Resource) -> list[Any]:
    resource.schema.fields_match = "partial"  # Table Schema v2: pair labels and fields by name
    try:
        errors = resource.validate().tasks[0].errors
    finally:
        resource.schema.fields_match = "exact"
    return [e for e in errors if not isinstance(e, HeaderError)]


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
            file_problem(
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
        return file_problem(path.name, "file-not-found", f"找不到文件 {path}", f"{path} not found")
    except TableEncodingError as error:
        return file_problem(path.name, error.code, error.message_zh, error.message_en)
    if not decoded.text.strip():
        return file_problem(
            path.name,
            "empty-file",
            "文件是空的（连表头都没有）",
            "file is empty (not even a header)",
        )
    return decoded


def _unchecked_foreign_keys(ctx: TableContext, unreadable: dict[str, str | None]) -> list[Problem]:
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
        file_problem(
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
