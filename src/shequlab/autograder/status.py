"""Submission statuses: what each means, how it is decided, and how the table shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports this module: keep nbformat off its start-up path
    from nbformat import NotebookNode

# status -> (Chinese label, English label). Order = precedence: the first that applies wins.
STATUSES: dict[str, tuple[str, str]] = {
    "no_notebook": ("未找到要评分的笔记本", "no notebook to grade"),
    "not_a_notebook": ("不是有效的笔记本", "not a notebook"),
    "error": ("评分环境出错", "grading error"),
    "crashed": ("内核崩溃", "crashed"),
    "timed_out": ("超时", "timed out"),
    "memory": ("内存超限", "memory limit"),
    "output_limit": ("输出过多", "output too large"),
    "tampered": ("改动了锁定单元格", "tampered"),
    "missing_cells": ("删除了评分单元格", "missing cells"),
    "duplicated": ("重复的评分单元格", "duplicated cells"),
    "graded": ("已评分", "graded"),
    "skipped": ("已评过，跳过", "already graded"),
}
STATUS_ORDER = list(STATUSES)
GRADED_STATUSES = {
    "graded",
    "tampered",
    "missing_cells",
    "duplicated",
    "timed_out",
    "memory",
    "output_limit",
}  # fmt: skip — these have grades in the gradebook


def label(status: str) -> str:
    zh, en = STATUSES.get(status, (status, status))
    return f"{zh} {en}"


def classify_outputs(nb: NotebookNode, events, findings) -> tuple[str, list[str]]:
    """Status of an executed notebook, from its outputs, the sandbox's events and the findings."""
    notes = list(findings.notes)
    enames = [
        o.get("ename", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    found = []
    if "CellTimeoutError" in enames:
        found.append("timed_out")
        notes.append(
            f"{enames.count('CellTimeoutError')} cell(s) hit the time limit and were stopped"
        )
    if "MemoryError" in enames:
        found.append("memory")
        notes.append("ran out of the memory allowed (MemoryError)")
    if events is not None and events.output_truncated:
        found.append("output_limit")
        notes.append(f"output of {len(events.truncated_cells)} cell(s) cut short")
    if events is not None and events.overruled:
        notes.append(
            "the kernel reported passing test cells whose answers the grader found wrong "
            "(scored 0; the kernel was tampered with, check by hand): "
            + ", ".join(events.overruled)
        )
    if findings.tampered:
        found.append("tampered")
    if findings.missing:
        found.append("missing_cells")
    if findings.duplicated:
        found.append("duplicated")
    for status in STATUSES:
        if status in found:
            return status, notes
    return "graded", notes
