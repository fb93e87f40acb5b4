"""Trainee code cannot turn a failing check into points (onb-02, whose tests call check()).

Hiding the error (set_custom_exc, a silenced showtraceback) is caught by nbgrader's own Execute
(on_cell_executed adds an error output when the kernel replies "error" without one), which our
sandboxed executor inherits; patching or redefining `check` is caught by the hidden tests, which
never use the helper.
"""

from __future__ import annotations

import nbformat
import pytest
from nbgrader.api import Gradebook

from shequlab.autograder.autograde import autograde_module
from shequlab.autograder.sandbox import Limits
from shequlab.curriculum import load_curriculum
from shequlab.rehearsal.simulate import build_single_module_root, fill, solution_answers
from shequlab.rehearsal.simulate import wrong_answers as recorded_wrong_answers

MODULE = "onb-02-hotline"
TAMPERING = {
    # IPython swallows the exception: no error output, but the kernel still replies "error".
    "custom_exc": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)",
    # The display of every traceback silenced.
    "showtraceback": "_ip = get_ipython()\n_ip.showtraceback = lambda *a, **k: None\n"
    "_ip._showtraceback = lambda *a, **k: None",
    # The visible helper replaced by one that always passes.
    "patched_check": "import shequlab.checks, shequlab.checks.core\n"
    "shequlab.checks.check = shequlab.checks.core.check = lambda *a, **k: None",
    # A check of their own defined after the import (the test cell re-imports the real one).
    "redefined_check": "def check(*a, **k):\n    return None",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> tuple[dict[str, dict[str, float]], dict[str, list[str]]]:
    """Every tampering submission, each answer cell holding a recorded wrong answer."""
    root = build_single_module_root(tmp_path_factory.mktemp("tamper") / "root", MODULE)
    release = nbformat.read(root / "grading" / "release" / MODULE / "exercises.ipynb", 4)
    good = solution_answers(root, MODULE)
    wrong = {}
    for entry in recorded_wrong_answers(root, MODULE):
        wrong.setdefault(f"{entry['grade_id']}_answer", entry["code"])
    first = next(iter(good))
    for student, code in TAMPERING.items():
        answers = {**good, **wrong}
        answers[first] = code + "\n" + answers[first]
        folder = root / "grading" / "submitted" / student / MODULE
        folder.mkdir(parents=True)
        nbformat.write(fill(release, answers), folder / "exercises.ipynb")
    run = autograde_module(root / "grading", MODULE, workers=1, limits=Limits(notebook_seconds=60))
    notes = {r.student_id: r.notes for r in run.results}
    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}") as gb:
        scores = {
            student: {
                g.name: g.auto_score
                for g in gb.find_submission_notebook("exercises", MODULE, student).grades
                if g.cell_type == "code"  # the autograded cells
            }
            for student in TAMPERING
        }
    return scores, notes


@pytest.mark.slow
@pytest.mark.parametrize("student", list(TAMPERING))
def test_tampering_cannot_score_wrong_answers(graded, student: str) -> None:
    scores, notes = graded[0][student], graded[1][student]
    module = load_curriculum().modules(module=MODULE)[0]
    auto = {e.grade_id for e in module.exercises if e.kind == "auto"}
    assert set(scores) == auto  # every autograded cell of the module was graded
    assert scores == dict.fromkeys(scores, 0), scores
    if student != "redefined_check":  # defining a function of one's own is no harness code
        assert any("test harness" in n for n in notes), notes
