"""Upload your own table (CSV in UTF-8, UTF-8-BOM or GBK, or Excel): checked, then shown or refused.

The bytes stay in the kernel: they are written to a private temporary file, conformed to the
table (shequlab.data.conform: Chinese headers such as 工单编号 and 受理时间, only some of the
columns, 2017/3/6-style dates), checked against the table's schema with shequlab.data.validate,
and the file is deleted again. Columns the table does not have are dropped, never shown.
"""

from __future__ import annotations

import html
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from shequlab.data.conform import Conformed, conform
from shequlab.data.load import resource
from shequlab.data.validate import TableEncodingError, read_table_text, validate_file
from shequlab.widgets.tables import table_html

MAX_PROBLEMS_SHOWN = 20
MAX_BYTES = 20 * 2**20


@dataclass
class UploadResult:
    """What became of one upload: the table when it fits, else the problems in both languages."""

    ok: bool
    frame: pd.DataFrame | None = None
    problems: list[str] = field(default_factory=list)  # "中文 / English" lines
    notes: list[str] = field(default_factory=list)


def check_upload(name: str, content: bytes, table: str) -> UploadResult:
    """Check uploaded bytes against `table`'s schema; never raises for bad input."""
    if len(content) > MAX_BYTES:
        return UploadResult(
            False, problems=[f"{name}: 文件太大（上限 20 MB） / file too large (20 MB at most)"]
        )
    suffix = Path(name).suffix.lower()
    shown_name = Path(name).name
    with tempfile.TemporaryDirectory(prefix="shequlab-upload-") as tmp:  # mode 0700
        path = Path(tmp) / (Path(name).stem + ".csv")
        notes: list[str] = []
        if suffix in (".xlsx", ".xlsm"):
            try:
                sheet = pd.read_excel(io.BytesIO(content), dtype=str, engine="openpyxl")
            except Exception as exc:  # a corrupt workbook must not reach the participant as a trace
                return UploadResult(
                    False,
                    problems=[
                        f"{name}: 无法读取 Excel 文件（{exc}） / cannot read the Excel file ({exc})"
                    ],
                )
        elif suffix in (".csv", ".txt"):
            path.write_bytes(content)
            try:
                decoded = read_table_text(path, allow_gbk=True)
                sheet = pd.read_csv(io.StringIO(decoded.text), dtype=str, keep_default_na=False)
            except TableEncodingError as exc:
                return UploadResult(False, problems=[f"{shown_name}: {exc}"])
            except (pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
                return UploadResult(
                    False,
                    problems=[
                        f"{shown_name}: 无法按 CSV 读取（{exc}） / not a readable CSV ({exc})"
                    ],
                )
            notes += _encoding_notes(shown_name, decoded.encoding)
        else:
            return UploadResult(
                False, problems=[f"{name}: 请上传 .csv 或 .xlsx 文件 / upload a .csv or .xlsx file"]
            )
        conformed = conform(sheet, resource(table))
        if conformed.problems:
            return UploadResult(False, problems=[f"{shown_name}: {p}" for p in conformed.problems])
        notes += _conform_notes(conformed)
        path.write_text(conformed.frame.to_csv(index=False), encoding="utf-8")
        report = validate_file(path, table, allow_gbk=True, partial=True)
        problems = [str(p).replace(path.name, shown_name, 1) for p in report.problems]
        if not report.ok:
            return UploadResult(False, problems=problems, notes=notes)
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    return UploadResult(True, frame=frame, notes=notes)


def _encoding_notes(name: str, encoding: str) -> list[str]:
    if encoding == "gb18030":
        return [
            f"{name} 按 GBK/GB18030 读取（原文件未改动） / read as GBK/GB18030 (file unchanged)"
        ]
    if encoding == "utf-8-sig":
        return [
            f"{name} 带有 UTF-8 BOM（Excel 的“CSV UTF-8”格式），可以正常读取 / "
            "has a UTF-8 byte-order mark (Excel's CSV UTF-8), which is fine"
        ]
    return []


def _conform_notes(conformed: Conformed) -> list[str]:
    """What the participant should know: renamed, dropped and missing columns."""
    notes = []
    renamed = {k: v for k, v in conformed.renamed.items() if k != v}
    if renamed:
        pairs = "，".join(f"{k} → {v}" for k, v in renamed.items())
        notes.append(f"按表头对应的列 / columns matched by header: {pairs}")
    if conformed.dropped:
        notes.append(
            f"本表没有、未使用的列（未显示） / columns this table does not have, not used "
            f"(not shown): {'、'.join(conformed.dropped)}"
        )
    if conformed.missing:
        notes.append(
            f"文件中没有的列，依赖它们的分析不可用 / columns missing from the file, analyses "
            f"needing them are unavailable: {', '.join(conformed.missing)}"
        )
    return notes


def result_html(result: UploadResult, table: str) -> str:
    """The message shown under the upload button."""
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
    if result.ok:
        assert result.frame is not None
        return (
            f'<div class="shequlab-upload-ok" style="color:#1b5e20">✔ 文件符合 {table} 表的格式，'
            f"共 {len(result.frame)} 行 / the file fits table {table}: "
            f"{len(result.frame)} rows</div><ul>{notes}</ul>"
            + table_html(result.frame, max_rows=20)
        )
    shown = result.problems[:MAX_PROBLEMS_SHOWN]
    items = "".join(f"<li>{html.escape(p)}</li>" for p in shown)
    more = len(result.problems) - len(shown)
    tail = f"<li>……另有 {more} 处问题 / {more} more problems</li>" if more > 0 else ""
    return (
        f'<div class="shequlab-upload-error" style="color:#b71c1c">✘ 文件未通过检查，未使用 / '
        f"the file was refused (table {table}):</div><ul>{items}{tail}{notes}</ul>"
    )


def upload(table: str) -> widgets.VBox:
    """An upload button for a table the app knows; shows the table or why it was refused.

    The accepted table is available as `panel.frame` (None until a file fits).
    """
    button = widgets.FileUpload(
        accept=".csv,.xlsx",
        multiple=False,
        description="上传 Upload",
        layout=widgets.Layout(width="auto"),
    )
    button.add_class("shequlab-upload-button")
    message = widgets.HTML(
        f"上传你自己的 <code>{table}</code> 表（CSV：UTF-8 或 GBK；或 Excel .xlsx）。"
        "文件只在本页的内核中处理。"
        f"<br>Upload your own <code>{table}</code> table (CSV in UTF-8 or GBK, or Excel .xlsx); "
        "it is processed only in this page's kernel."
    )
    panel = widgets.VBox([button, message], layout=widgets.Layout(width="100%"))
    panel.add_class("shequlab-upload")
    panel.frame = None

    def on_upload(change: dict) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0]
        result = check_upload(item["name"], bytes(item["content"]), table)
        panel.frame = result.frame
        message.value = result_html(result, table)

    button.observe(on_upload, names="value")
    return panel
