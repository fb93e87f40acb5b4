"""The trainer's whole loop on a real PostgreSQL gradebook (the suite's own server), and two
grading machines autograding different modules into it at once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from typer.testing import CliRunner

from shequlab.cli import app
from shequlab.layout.course import Course
from shequlab.rehearsal.simulate import build_modules_root, write_cohort

pytestmark = pytest.mark.slow
MODULES = ["onb-01-neighbourhood", "onb-02-hotline"]


@pytest.fixture(scope="module")
def pg_root(postgres, tmp_path_factory) -> Path:
    """A project root with two modules built into a course whose gradebook is on PostgreSQL."""
    url = postgres.create_database("trainer_loop")
    base = tmp_path_factory.mktemp("pg")
    config = f'\nc.CourseDirectory.db_url = "{url}"\n'
    return build_modules_root(base / "root", MODULES, config=config)


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _scores(course: Course, module: str) -> dict[str, tuple[float, float]]:
    """trainee -> (autograded score, its maximum); reflections are graded by hand later."""
    with Gradebook(course.db_url, course.course_id) as gb:
        return {
            s.student.id: (s.code_score, s.max_code_score)
            for s in gb.find_assignment(module).submissions
        }


def test_the_trainer_loop_on_postgres(pg_root: Path, tmp_path: Path) -> None:
    course = Course.load(pg_root / "grading")
    assert course.db_url.startswith("postgresql+psycopg://") and course.sqlite_file is None
    module = MODULES[0]
    # Submissions as a trainer gets them offline: one zip, files named by trainee id.
    staging = tmp_path / "staging"
    shutil.copytree(course.root, staging, ignore=shutil.ignore_patterns("submitted"))
    plan = write_cohort(staging, module, pg_root, right=1, partly=1, blank=1)
    roster = tmp_path / "名单.csv"
    roster.write_text(
        "学号,姓名,期次,项目\n"
        + "".join(f"{s},学员{i},2026春,onboarding\n" for i, s in enumerate(plan)),
        encoding="utf-8",
    )
    archive = tmp_path / "作业.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for student in plan:
            zf.write(staging / "submitted" / student / module / "exercises.ipynb",
                     f"{student}_作业.ipynb")  # fmt: skip
    cd = ["--course-dir", str(course.root)]

    _invoke("grade", "roster", "import", str(roster), *cd)
    _invoke("grade", "collect", module, "--zip", str(archive), *cd)
    out = _invoke("grade", "autograde", module, "--workers", "2", *cd)
    assert "gradebook backed up" in out
    scores = _scores(course, module)
    right, partly, blank = (next(s for s, k in plan.items() if k == kind)
                            for kind in ("right", "partly", "blank"))  # fmt: skip
    assert scores[right][0] == scores[right][1] > 0
    assert 0 < scores[partly][0] < scores[partly][1]
    assert scores[blank][0] == 0
    out = _invoke("grade", "feedback", module, "--no-release", *cd)
    assert "feedback written for 3 trainees" in out
    _invoke("grade", "export", *cd)
    grades = (course.exports_dir / "grades.csv").read_text(encoding="utf-8")
    assert sum(line.startswith(f"{module},") for line in grades.splitlines()) == 3
    _invoke("grade", "report", *cd)
    assert "学员0" in course.report_file.read_text(encoding="utf-8")

    # Backup and restore on a server database: pg_dump before the run, pg_restore to go back.
    [backup] = course.backups_dir.glob("gradebook-*.dump")
    with Gradebook(course.db_url, course.course_id) as gb:
        gb.remove_student(blank)
    _invoke("grade", "restore", str(backup), *cd)
    with Gradebook(course.db_url, course.course_id) as gb:
        assert blank in {s.id for s in gb.students}  # the backup's state is back
    assert len(list(course.backups_dir.glob("gradebook-*.dump"))) == 2  # + before-restore


def test_two_machines_grade_different_modules_at_once(pg_root: Path) -> None:
    """Two `grade autograde` processes, one per module, sharing the PostgreSQL gradebook (and
    creating the same trainees in it at the same moment): no grade is lost."""
    course = Course.load(pg_root / "grading")
    plans = {m: write_cohort(course.root, m, pg_root, right=1, partly=1, blank=1, seed=3,
                             first=11)  # new trainees: both runs create them
             for m in MODULES}  # fmt: skip
    shequlab = Path(sys.executable).parent / "shequlab"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    runs = [subprocess.Popen([str(shequlab), "grade", "autograde", m, "--workers", "2",
                              "--course-dir", str(course.root)], env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for m in MODULES]  # fmt: skip
    outputs = [p.communicate(timeout=900)[0] for p in runs]
    assert [p.returncode for p in runs] == [0, 0], outputs
    for module, plan in plans.items():
        scores = _scores(course, module)
        for student, kind in plan.items():
            score, max_score = scores[student]
            assert max_score > 0
            deserved = {"right": score == max_score, "blank": score == 0,
                        "partly": 0 < score < max_score}  # fmt: skip
            assert deserved[kind], (module, student, kind, score)
