"""`shequlab grade autograde` on a simulated cohort: parity with nbgrader, hostile submissions."""

from __future__ import annotations

import sqlite3

import pytest
from nbgrader.api import Gradebook

from tests.grading.conftest import MODULE


def _grades(course_dir, student):
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook("exercises", MODULE, student)
        return {g.name: g.auto_score for g in nb.grades}


def test_scores_equal_plain_nbgrader(cohort) -> None:
    root, plan, plain, _ = cohort
    ordinary = [s for s, kind in plan.items() if kind in ("right", "partly", "blank")]
    for student in ordinary:
        assert _grades(root / "grading", student) == _grades(plain, student), student


def test_right_partly_blank_get_what_they_deserve(cohort) -> None:
    _, plan, _, run = cohort
    by = {r.student_id: r for r in run.results}
    for student, kind in plan.items():
        r = by[student]
        if kind == "right":
            assert (r.status, r.score) == ("graded", r.max_score)
        elif kind == "partly":
            assert r.status == "graded" and 0 < r.score < r.max_score
        elif kind == "blank":
            assert (r.status, r.score) == ("graded", 0)


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("infinite_loop", "timed_out"),
        ("memory_hog", "memory"),
        ("kernel_exit", "crashed"),
        ("huge_output", "output_limit"),
        ("edited_tests", "tampered"),
        ("retyped_cell", "tampered"),
        ("deleted_tests", "missing_cells"),
        ("malformed_json", "not_a_notebook"),
        ("empty_file", "not_a_notebook"),
        ("renamed", "no_notebook"),
    ],
)
def test_hostile_submission_gets_a_clear_status(cohort, kind, status) -> None:
    _, plan, _, run = cohort
    student = next(s for s, k in plan.items() if k == kind)
    result = next(r for r in run.results if r.student_id == student)
    assert result.status == status, result
    if kind == "renamed":
        assert "exercises-张三.ipynb" in result.notes[0]
    if kind in ("edited_tests", "deleted_tests"):
        # The real tests were put back and run: the unanswered exercise earns nothing.
        assert result.score < result.max_score


def test_duplicated_and_harness_tampering_are_reported(cohort) -> None:
    _, plan, _, run = cohort
    by = {plan[r.student_id]: r for r in run.results if r.student_id in plan}
    assert any("duplicated" in n for n in by["duplicated_cells"].notes)
    assert any("harness" in n for n in by["harness_tamper"].notes)


def test_trainee_code_cannot_touch_the_gradebook(cohort) -> None:
    root, plan, _, run = cohort
    db = root / "grading" / "gradebook.db"
    with sqlite3.connect(db) as con:  # still a valid database, not "pwned"
        assert con.execute("select count(*) from student").fetchone()[0] >= len(plan) - 1
    attacker = next(s for s, k in plan.items() if k == "gradebook_attack")
    assert next(r for r in run.results if r.student_id == attacker).status == "graded"


def test_backup_made_and_rerun_skips_graded(cohort) -> None:
    from shequlab.autograder.autograde import autograde_module

    root, _, _, run = cohort
    assert run.backup is not None and run.backup.exists()
    again = autograde_module(root / "grading", MODULE, workers=1)
    assert {r.status for r in again.results} <= {"skipped", "no_notebook"}
