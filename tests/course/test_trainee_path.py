"""A trainee's path through real nbgrader: release → fetch → answer → validate → submit → grade."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course.fixture_course import MODULE, SOLUTION_LARGEST, SOLUTION_TOTAL
from shequlab.autograder.nbgrader import nbgrader_api, quiet_gradebook, run
from shequlab.course.build import build_course
from shequlab.grading.feedback import generate_feedback, release_feedback
from shequlab.layout.course import course_root

NBGRADER = str(Path(sys.executable).parent / "nbgrader")
ANSWERS = {
    "total_households_answer": SOLUTION_TOTAL,
    "largest_area_answer": SOLUTION_LARGEST,
    "first_visit": "先去东苑：户数最多，需求最集中。",
}


def trainee(args: list[str], cwd: Path, home: Path, exchange: Path) -> str:
    """Run an nbgrader command as the trainee would, in their own HOME and folder."""
    env = {
        **os.environ,
        "HOME": str(home),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    env.pop("JUPYTER_CONFIG_DIR", None)
    done = subprocess.run(
        [NBGRADER, *args, "--course=shequlab", f"--Exchange.root={exchange}"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.mark.slow
def test_trainee_path(fixture_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exchange = tmp_path / "exchange"
    exchange.mkdir(mode=0o777)
    exchange.chmod(0o777)
    monkeypatch.setenv("SHEQULAB_EXCHANGE", str(exchange))
    build_course(root=fixture_root)
    api = nbgrader_api(course_root(fixture_root))
    run(api.release_assignment(MODULE), "release_assignment")

    home = tmp_path / "home"
    work = home / "work"
    work.mkdir(parents=True)
    trainee(["fetch_assignment", MODULE], work, home, exchange)
    folder = work / MODULE
    assert {"exercises.ipynb", "case.ipynb"} <= {p.name for p in folder.iterdir()}
    assert (folder / "data" / "areas.csv").exists()

    nb = nbformat.read(folder / "exercises.ipynb", as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in ANSWERS:
            cell.source = ANSWERS[grade_id]
    nbformat.write(nb, folder / "exercises.ipynb")
    validated = subprocess.run(
        [NBGRADER, "validate", "exercises.ipynb"],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(home)},
        timeout=300,
    )
    assert "Success! Your notebook passes all the tests." in validated.stdout, validated.stdout
    trainee(["submit", MODULE], work, home, exchange)

    run(api.collect(MODULE), "collect")
    [student] = [p.name for p in (course_root(fixture_root) / "submitted").iterdir()]
    with quiet_gradebook():
        run(api.autograde(MODULE, student), "autograde")
    generate_feedback(course_root(fixture_root), MODULE, student)
    release_feedback(course_root(fixture_root), MODULE, [student])

    with Gradebook(api.coursedir.db_url, "shequlab") as gb:
        submission = gb.find_submission(MODULE, student)
        assert submission.code_score == 3 == submission.max_code_score
    html = (course_root(fixture_root) / "feedback" / student / MODULE / "exercises.html").read_text(
        encoding="utf-8"
    )
    assert "请给出整数" in html  # visible tests are shown
    assert (
        "HIDDEN TESTS" not in html and "== 600" not in html and "东苑&quot;, &quot;不是" not in html
    )

    # the trainee fetches it; nbgrader offers feedback only when every submitted notebook
    # (case.ipynb included) has a page, which is what makes "view feedback" appear in the UI
    trainee(["fetch_feedback", MODULE], work, home, exchange)
    [fetched] = list((folder / "feedback").iterdir())
    assert {"exercises.html", "case.html"} <= {p.name for p in fetched.iterdir()}
    listed = trainee(["list", "--cached"], work, home, exchange)
    assert "(feedback already fetched)" in listed, listed
