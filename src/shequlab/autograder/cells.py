"""What nbgrader's cell metadata means, stated once: graded cells, test cells, answer cells.

nbgrader marks cells with metadata.nbgrader: `grade` (has points), `solution` (the trainee
writes in it), `locked`, `grade_id`, `points`. An autograded test is graded and not a solution;
a manually graded answer (a reflection) is both; an answer cell for code is a solution only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def nbgrader_meta(cell: Mapping[str, Any]) -> Mapping[str, Any]:
    """The cell's nbgrader metadata ({} for an ordinary cell); works on dicts and NotebookNodes."""
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell: Mapping[str, Any]) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def is_graded(cell: Mapping[str, Any]) -> bool:
    """Earns points (an autograded test, or a manually graded answer)."""
    return bool(nbgrader_meta(cell).get("grade"))


def is_test(cell: Mapping[str, Any]) -> bool:
    """An autograded test: a graded code cell the trainee does not write in."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell.get("cell_type") == "code"


def is_answer(cell: Mapping[str, Any]) -> bool:
    """A cell the trainee writes code in, graded by the tests after it (solution, not graded)."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("solution")) and not meta.get("grade")


def grading_kind(cell: Mapping[str, Any]) -> str:
    """'auto' for an autograded test, 'manual' for a graded answer (either: is_graded)."""
    return "manual" if nbgrader_meta(cell).get("solution") else "auto"


def graded_cells(cells: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, float]]:
    """(grade_id, 'auto' or 'manual', points) of every graded cell, in notebook order."""
    return [
        (grade_id(c) or "", grading_kind(c), float(nbgrader_meta(c).get("points", 0)))
        for c in cells
        if is_graded(c)
    ]


def answer_cells(cells: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """grade_id -> answer cell (see is_answer), in notebook order."""
    return {grade_id(c) or "": c for c in cells if is_answer(c)}
