"""shequlab.course.build: a module's release has stubs, no hidden tests, the case and its data."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course.fixture_course import MODULE, PROGRAM
from shequlab.course.build import BuildError, build_course

GOLDENS = Path(__file__).parent / "goldens"
STUB = "# 在此作答 YOUR CODE HERE\nraise NotImplementedError()"


def release(root: Path) -> Path:
    return root / "grading" / "release" / MODULE


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def cells_by_id(nb) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


@pytest.fixture
def built(fixture_root: Path) -> Path:
    build_course(root=fixture_root)
    return fixture_root


def test_release_has_stubs_and_no_hidden_tests(built: Path) -> None:
    nb = nbformat.read(release(built) / "exercises.ipynb", as_version=4)
    cells = cells_by_id(nb)
    assert cells["total_households_answer"].source == STUB
    assert cells["first_visit"].source == "在此作答 YOUR ANSWER HERE"
    text = json.dumps(nb)
    assert "BEGIN SOLUTION" not in text and 'areas[\\"households\\"].sum()' not in text
    assert "HIDDEN" not in text and "== 600" not in text
    assert "请给出整数 / give an integer" in cells["total_households"].source  # visible test kept


def test_release_ships_case_and_data(built: Path) -> None:
    case = nbformat.read(release(built) / "case.ipynb", as_version=4)
    authored = nbformat.read(built / "notebooks" / PROGRAM / MODULE / "case.ipynb", as_version=4)
    assert [c.source for c in case.cells] == [c.source for c in authored.cells]
    assert all(c.metadata["editable"] is False for c in case.cells)  # read-only in JupyterLab
    assert (release(built) / "data" / "areas.csv").read_text(encoding="utf-8").startswith("area_id")
    assert (built / "notebooks" / PROGRAM / MODULE / "data" / "areas.csv").exists()
    assert (built / "grading" / "source" / MODULE / "data" / "areas.csv").exists()


def test_gradebook_knows_the_assignment(built: Path) -> None:
    with Gradebook(f"sqlite:///{built / 'grading' / 'gradebook.db'}", "shequlab") as gb:
        assignment = gb.find_assignment(MODULE)
        assert [n.name for n in assignment.notebooks] == ["exercises"]  # case.ipynb is not graded
        assert assignment.max_score == 5


def test_second_build_is_identical(built: Path) -> None:
    first = digest(release(built))
    build_course(root=built)
    assert digest(release(built)) == first


def test_missing_notebook_is_a_clear_error(fixture_root: Path) -> None:
    (fixture_root / "notebooks" / PROGRAM / MODULE / "case.ipynb").unlink()
    with pytest.raises(BuildError, match=r"case.ipynb missing in .*onb-99-fixture"):
        build_course(root=fixture_root)


def normalised(nb: nbformat.NotebookNode) -> str:
    """The release notebook without volatile metadata (cell ids, kernel and language details)."""
    data = json.loads(nbformat.writes(nb))
    data["metadata"] = {}
    for cell in data["cells"]:
        cell.pop("id", None)
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def test_release_matches_golden(built: Path, request: pytest.FixtureRequest) -> None:
    golden = GOLDENS / f"{MODULE}.exercises.ipynb.json"
    actual = normalised(nbformat.read(release(built) / "exercises.ipynb", as_version=4))
    if request.config.getoption("--update-goldens"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), "no golden yet: run pytest tests/course --update-goldens"
    assert actual == golden.read_text(encoding="utf-8"), (
        "the release changed; if that is intended, run pytest tests/course --update-goldens"
    )
