"""Hold exercises.ipynb against its module file: graded cells, grade_ids, points, no outputs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import nbformat
import yaml
from nbgrader.nbgraderformat import MetadataValidator, ValidationError

from shequlab.autograder import cells
from shequlab.curriculum import Module


def graded_cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, float]]:
    """(grade_id, kind, points) of every graded cell, in notebook order."""
    return cells.graded_cells(nb.cells)


def answer_cell_ids(nb: nbformat.NotebookNode) -> set[str]:
    """grade_ids of the cells a trainee writes code in (solution, not graded)."""
    return set(cells.answer_cells(nb.cells))


def metadata_problems(module: Module, exercises: Path, case: Path) -> list[str]:
    """Everything in the notebooks that disagrees with the module file or our conventions."""
    nb = nbformat.read(exercises, as_version=4)
    problems = []
    try:
        MetadataValidator().validate_nb(nb)
    except ValidationError as exc:
        problems.append(f"nbgrader metadata invalid: {exc}")
    ids = [c.metadata["nbgrader"].get("grade_id") for c in nb.cells if "nbgrader" in c.metadata]
    problems += [f"grade_id {g!r} used by {n} cells" for g, n in Counter(ids).items() if n > 1]

    in_notebook = {g: (kind, pts) for g, kind, pts in graded_cells(nb)}
    in_yaml = {e.grade_id: (e.kind, e.points) for e in module.exercises}
    for grade_id in in_notebook.keys() - in_yaml.keys():
        problems.append(f"graded cell {grade_id!r} is not in the module file; add it to exercises:")
    for grade_id in in_yaml.keys() - in_notebook.keys():
        problems.append(f"exercise {grade_id!r} has no graded cell in exercises.ipynb")
    for grade_id in in_notebook.keys() & in_yaml.keys():
        (nb_kind, nb_pts), (y_kind, y_pts) = in_notebook[grade_id], in_yaml[grade_id]
        if nb_kind != y_kind:
            problems.append(f"{grade_id!r} is {nb_kind} in the notebook but {y_kind} in the file")
        if nb_pts != y_pts:
            problems.append(f"{grade_id!r} is worth {nb_pts:g} in the notebook, {y_pts:g} in YAML")
    order_nb = [g for g, _, _ in graded_cells(nb) if g in in_yaml]
    order_yaml = [e.grade_id for e in module.exercises if e.grade_id in in_notebook]
    if order_nb != order_yaml:
        problems.append(f"exercises are listed in another order than the notebook's: {order_nb}")

    answers = answer_cell_ids(nb)
    for e in module.exercises:
        if e.kind == "auto" and f"{e.grade_id}_answer" not in answers:
            problems.append(f"auto exercise {e.grade_id!r} has no answer cell {e.grade_id}_answer")

    for path in (exercises, case):
        problems += _output_problems(path)
    return problems


def _output_problems(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    if dirty:
        return [f"{path.name} has outputs in cells {dirty}; strip them (nbstripout) and commit"]
    return []


REQUIRED = {"grade_id", "description", "code"}


def load_wrong_answers(path: Path, module: Module, nb: nbformat.NotebookNode) -> list[dict]:
    """Read wrong_answers.yml and check each entry targets an auto exercise with an answer cell.

    An entry with `right: true` is another right answer (e.g. the figures of another question
    the exercise lets the trainee choose): sealed as accepted, proven to score full points."""
    if not path.exists():
        raise ValueError(f"{path.name} is missing; record the typical wrong answers (README)")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list) or not data:
        raise ValueError(f"{path.name} must be a non-empty list of {{grade_id, description, code}}")
    return validate_wrong_answers(data, path.name, module, nb)


def validate_wrong_answers(
    data: list, name: str, module: Module, nb: nbformat.NotebookNode, extra: frozenset = frozenset()
) -> list[dict]:
    """Check each entry (wrong_answers.yml format; `extra` keys also allowed) targets an auto
    exercise of `module` with an answer cell in `nb`; `name` says where the entries came from."""
    auto = {e.grade_id for e in module.exercises if e.kind == "auto"}
    answers = answer_cell_ids(nb)
    allowed = REQUIRED | {"right"} | extra
    for i, entry in enumerate(data):
        if not isinstance(entry, dict) or not REQUIRED <= set(entry) <= allowed:
            raise ValueError(
                f"{name}[{i}]: give exactly grade_id, description and code "
                "(and optionally right: true)"
            )
        if entry.get("right", True) is not True:
            raise ValueError(
                f"{name}[{i}].right: write `right: true` (another right answer) or omit it"
            )
        if entry["grade_id"] not in auto:
            raise ValueError(f"{name}[{i}].grade_id: {entry['grade_id']!r} is no auto exercise")
        if f"{entry['grade_id']}_answer" not in answers:
            raise ValueError(f"{name}[{i}]: no answer cell {entry['grade_id']}_answer")
    return data
