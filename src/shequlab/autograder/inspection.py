"""Look at a submitted notebook before grading: is it one, and were graded cells kept intact?

nbgrader repairs most damage on its own (OverwriteCells restores locked cells and, with
add_missing_cells, deleted ones; DeduplicateIds drops copies) but says nothing about it. These
findings turn that silent repair into a status the trainer sees.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from shequlab.autograder.cells import grade_id

# Code that reaches for the test harness (exception handling, builtins, IPython's hooks).
HARNESS_PATTERNS = re.compile(
    r"set_custom_exc|sys\.excepthook|showtraceback|builtins|__builtins__|AssertionError\s*=|"
    r"def\s+assert|input_transformers|ast_transformers|events\.register|\.run_cell|"
    r"checks(\.core)?\.check\s*="
)


@dataclass
class Findings:
    """What inspection found; `fatal` is a status that stops grading (nothing to execute)."""

    fatal: str = ""
    tampered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    suspicious: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _grade_id(cell) -> str | None:
    return grade_id(cell)


def inspect_submission(path: Path, release: nbformat.NotebookNode | None) -> Findings:
    """Findings for one submitted exercises.ipynb, compared with the released notebook."""
    found = Findings()
    try:
        raw = path.read_bytes()
        if not raw.strip():
            raise ValueError("the file is empty")
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
        if not isinstance(nb.get("cells"), list):
            raise ValueError("no cells")
    except (OSError, UnicodeDecodeError, ValueError, json.JSONDecodeError, KeyError,
            AttributeError, TypeError) as exc:  # fmt: skip
        found.fatal = "not_a_notebook"
        found.notes.append(f"cannot read as a notebook: {type(exc).__name__}: {str(exc)[:200]}")
        return found
    ids = Counter(g for g in (_grade_id(c) for c in nb.cells) if g)
    found.duplicated = sorted(g for g, n in ids.items() if n > 1)
    if release is None:
        return found
    submitted = {}
    for cell in nb.cells:
        submitted.setdefault(_grade_id(cell), cell)
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if not grade_id or not (meta.get("grade") or meta.get("locked") or meta.get("solution")):
            continue
        mine = submitted.get(grade_id)
        if mine is None:
            if meta.get("grade") or meta.get("solution"):
                found.missing.append(grade_id)
            continue
        if mine.get("cell_type") != cell.cell_type:
            found.tampered.append(
                f"{grade_id} (cell type {cell.cell_type} → {mine.get('cell_type')})"
            )
        elif meta.get("locked") and _text(mine.get("source")) != _text(cell.source):
            found.tampered.append(f"{grade_id} (locked cell edited)")
        if (
            meta.get("solution")
            and not meta.get("grade")
            and HARNESS_PATTERNS.search(_text(mine.get("source")))
        ):
            found.suspicious.append(grade_id)
    if found.tampered:
        found.notes.append("locked cells restored from the source: " + ", ".join(found.tampered))
    if found.missing:
        found.notes.append("deleted cells put back: " + ", ".join(found.missing))
    if found.duplicated:
        found.notes.append("duplicated cells ignored: " + ", ".join(found.duplicated))
    if found.suspicious:
        found.notes.append(
            "answer touches the test harness (check by hand): " + ", ".join(found.suspicious)
        )
    return found


def _text(source) -> str:
    return ("".join(source) if isinstance(source, list) else str(source or "")).strip()
