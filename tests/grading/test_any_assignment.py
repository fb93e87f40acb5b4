"""Any nbgrader assignment grades as plain nbgrader grades it: nbgrader's own documentation
course (`ps1`: problem1.ipynb, problem2.ipynb, an image, manually graded answers; submissions of
bitdiddle and hacker), through `shequlab grade autograde|feedback|export`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbgrader
import pytest
from nbgrader.api import Gradebook
from typer.testing import CliRunner

from shequlab.autograder.autograde import autograde_module
from shequlab.autograder.sandbox import Limits
from shequlab.cli import app
from shequlab.grading.feedback import generate_feedback

DOCS = Path(nbgrader.__file__).parent / "docs" / "source" / "user_guide"
STUDENTS = ["bitdiddle", "hacker"]
CONFIG = 'c = get_config()\nc.CourseDirectory.course_id = "course101"\n'


def _nbgrader(*args: str, cwd: Path) -> None:
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    subprocess.run([str(bin_dir / "nbgrader"), *args], cwd=cwd, env=env, check=True,
                   capture_output=True, timeout=600)  # fmt: skip


def _docs_course(dest: Path) -> Path:
    (dest / "source").mkdir(parents=True)
    shutil.copytree(DOCS / "source" / "ps1", dest / "source" / "ps1")
    for student in STUDENTS:
        shutil.copytree(DOCS / "submitted" / student / "ps1", dest / "submitted" / student / "ps1")
    (dest / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    _nbgrader("generate_assignment", "ps1", "--force", cwd=dest)
    return dest


def _grades(course: Path) -> dict:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "course101") as gb:
        return {
            (s, nb.name, g.name): (g.auto_score, g.needs_manual_grade)
            for s in STUDENTS
            for nb in gb.find_submission("ps1", s).notebooks
            for g in nb.grades
        }


@pytest.fixture(scope="module")
def docs_course(tmp_path_factory):
    """(our course after `shequlab grade autograde ps1`, plain course after `nbgrader
    autograde ps1`, the CLI's output)."""
    base = tmp_path_factory.mktemp("docs-course")
    ours = _docs_course(base / "ours")
    plain = base / "plain"
    shutil.copytree(ours, plain)
    _nbgrader("autograde", "ps1", cwd=plain)
    result = CliRunner().invoke(
        app, ["grade", "autograde", "ps1", "--course-dir", str(ours), "--workers", "2"]
    )
    assert result.exit_code == 0, result.output
    return ours, plain, result.output


def test_scores_equal_plain_nbgrader(docs_course) -> None:
    ours, plain, _ = docs_course
    expected = _grades(plain)
    assert {nb for _, nb, _ in expected} == {"problem1", "problem2"}
    assert any(manual for _, manual in expected.values())  # manually graded cells are there
    assert _grades(ours) == expected


def test_every_notebook_is_graded_and_shown(docs_course) -> None:
    ours, _, output = docs_course
    for student in STUDENTS:
        folder = ours / "autograded" / student / "ps1"
        assert sorted(p.name for p in folder.iterdir()) == [
            "jupyter.png", "problem1.ipynb", "problem2.ipynb", "timestamp.txt"
        ]  # fmt: skip
    assert "no notebook" not in output
    assert output.count("└ problem1") == 2 and output.count("└ problem2") == 2


def test_feedback_and_export_for_every_notebook(docs_course, tmp_path: Path) -> None:
    ours, _, _ = docs_course
    course = tmp_path / "course"
    shutil.copytree(ours, course)
    result = generate_feedback(course, "ps1")
    assert not result.failed
    assert {s: sorted(p.name for p in pages) for s, pages in result.pages.items()} == {
        s: ["problem1.html", "problem2.html"] for s in STUDENTS
    }
    out = CliRunner().invoke(app, ["grade", "export", "--course-dir", str(course)])
    assert out.exit_code == 0, out.output
    rows = (course / "exports" / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert sum(r.startswith("ps1,") for r in rows) == 2
    out = CliRunner().invoke(app, ["grade", "report", "--course-dir", str(course)])
    assert out.exit_code == 0, out.output
    page = (course / "report.html").read_text(encoding="utf-8")
    assert "problem1 · " in page and "problem2 · " in page  # items named with their notebook


def test_one_trainees_feedback_failure_is_their_status(docs_course, tmp_path: Path) -> None:
    ours, _, _ = docs_course
    course = tmp_path / "course"
    shutil.copytree(ours, course)
    lost = course / "autograded" / "hacker" / "ps1" / "problem2.ipynb"
    lost.chmod(0o644)
    lost.unlink()
    out = CliRunner().invoke(
        app, ["grade", "feedback", "ps1", "--course-dir", str(course), "--no-release"]
    )
    assert out.exit_code == 1
    assert "hacker" in out.output and "Traceback" not in out.output
    assert "problem2.ipynb" in out.output and "grade autograde ps1 --student hacker" in out.output
    assert (course / "feedback" / "bitdiddle" / "ps1" / "problem2.html").is_file()
    assert not (course / "feedback" / "hacker" / "ps1" / "problem2.html").exists()


def test_resume_grades_again_what_lost_its_autograded_notebook(docs_course, tmp_path) -> None:
    ours, _, _ = docs_course
    course = tmp_path / "course"
    shutil.copytree(ours, course)
    folder = course / "autograded" / "hacker" / "ps1"
    for path in folder.iterdir():
        path.chmod(0o644)
    shutil.rmtree(folder)
    run = autograde_module(course, "ps1", workers=1, limits=Limits(notebook_seconds=60))
    by = {r.student_id: r for r in run.results}
    assert by["bitdiddle"].status == "skipped"
    assert by["hacker"].status == "graded"
    assert (folder / "problem1.ipynb").is_file() and (folder / "problem2.ipynb").is_file()


def test_an_unbuilt_assignment_is_a_message_not_a_traceback(docs_course) -> None:
    ours, _, _ = docs_course
    out = CliRunner().invoke(app, ["grade", "autograde", "ps2", "--course-dir", str(ours)])
    assert out.exit_code == 1
    assert "course build" in out.output and "尚未生成" in out.output
    assert "Traceback" not in out.output and isinstance(out.exception, SystemExit)
