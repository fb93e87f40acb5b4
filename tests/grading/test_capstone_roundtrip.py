"""The youth-forum capstone round-trips through nbgrader: its autograded figures are scored by
autograde, its rubric items are graded by hand in the gradebook, and the export shows both."""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from shequlab.autograder.autograde import autograde_module
from shequlab.curriculum import load_curriculum
from shequlab.grading.export import export_all
from shequlab.rehearsal.simulate import build_single_module_root, fill, solution_answers

MODULE, PROGRAM, TRAINEE = "yf-06-forum-brief", "youth-forum", "t001"


def answered(root: Path, release: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The release with the author's solution in every answer cell, the written brief included
    (nbgrader scores an unchanged manual answer 0 without asking the trainer)."""
    source = nbformat.read(root / "notebooks" / PROGRAM / MODULE / "exercises.ipynb", 4)
    solutions = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    nb = fill(release, solution_answers(root, MODULE, PROGRAM))
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade"):
            cell.source = "\n".join(
                line for line in solutions[meta["grade_id"]].splitlines() if "### " not in line
            )
    return nb


@pytest.mark.slow
def test_capstone_manual_and_auto_grades_reach_the_export(tmp_path: Path) -> None:
    root = build_single_module_root(tmp_path / "root", MODULE, PROGRAM)
    course = root / "grading"
    release = nbformat.read(course / "release" / MODULE / "exercises.ipynb", as_version=4)
    folder = course / "submitted" / TRAINEE / MODULE
    folder.mkdir(parents=True)
    nbformat.write(answered(root, release), folder / "exercises.ipynb")

    run = autograde_module(course, MODULE, workers=1)
    assert [r.status for r in run.results] == ["graded"]

    module = load_curriculum(root).modules(module=MODULE)[0]
    auto = {e.grade_id: e.points for e in module.exercises if e.kind == "auto"}
    manual = {e.grade_id: e.points for e in module.exercises if e.kind == "manual"}
    assert auto and manual, "the capstone has both autograded figures and rubric items"
    given = {grade_id: points - 1 for grade_id, points in manual.items()}  # a trainer's marks

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook("exercises", MODULE, TRAINEE)
        grades = {g.name: g for g in nb.grades}
        assert {g: grades[g].auto_score for g in auto} == auto, "solution figures score full"
        assert all(grades[g].needs_manual_grade for g in manual)
        for grade_id, score in given.items():
            grades[grade_id].manual_score = score
            grades[grade_id].needs_manual_grade = False  # what the formgrader does on save
        gb.db.commit()

    out = tmp_path / "exports"
    export_all(course, out, root)
    with (out / "grades.csv").open(encoding="utf-8") as f:
        [row] = [r for r in csv.DictReader(f) if r["assignment"] == MODULE]
    expected = sum(auto.values()) + sum(given.values())
    assert float(row["raw_score"]) == pytest.approx(expected)
    assert float(row["max_score"]) == pytest.approx(sum(auto.values()) + sum(manual.values()))

    with (out / "competencies.csv").open(encoding="utf-8-sig") as f:
        earned = sum(float(r["earned"]) for r in csv.DictReader(f) if r["module"] == MODULE)
    by_hand = sum(
        given[e.grade_id] * len(e.competencies) for e in module.exercises if e.kind == "manual"
    )
    full_auto = sum(e.points * len(e.competencies) for e in module.exercises if e.kind == "auto")
    assert earned == pytest.approx(full_auto + by_hand), "manual marks count per competency"
