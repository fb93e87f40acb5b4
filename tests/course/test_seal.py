"""shequlab.course.seal: the build seals check() calls; course check measures visible shares."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from course.fixture_course import CHECKS, MODULE, PROGRAM, WRONG_ANSWERS, write_fixture_root
from shequlab.course.build import BuildError, build_course
from shequlab.course.check import check_course
from shequlab.course.seal import SealError, compute_seals, split_test, write_seals


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def test_write_seals_adds_a_literal_before_the_closing_bracket() -> None:
    source = 'check("a", a, exercise=1,\n      kind="text",\n)\ncheck("b", b, exercise=1)\n'
    sealed = write_seals(source, {"a": {"ok": "1", "wrong": {}}, "b": {"ok": "2", "wrong": {}}})
    assert 'kind="text", seal={"ok": "1", "wrong": {}})' in sealed
    assert 'check("b", b, exercise=1, seal={"ok": "2", "wrong": {}})' in sealed


def test_split_test_separates_hidden_block() -> None:
    visible, hidden = split_test("a = 1\n### BEGIN HIDDEN TESTS\nassert a\n### END HIDDEN TESTS\n")
    assert (visible, hidden.strip()) == ("a = 1\n", "assert a")


def test_a_check_that_did_not_run_cannot_be_sealed() -> None:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                'check("x", x, exercise=1)',
                metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "x"}},
            )
        ]
    )
    with pytest.raises(SealError, match="did not run"):
        compute_seals(nb, [], {"x": {"right": {"fingerprints": {}}, "wrong": []}})


@pytest.mark.slow
def test_build_seals_source_and_release_not_the_authored_notebook(tmp_path: Path) -> None:
    root = write_fixture_root(tmp_path / "p", checks=CHECKS)
    build_course(root=root)
    authored = nbformat.read(root / "notebooks" / PROGRAM / MODULE / "exercises.ipynb", 4)
    assert "seal=" not in _cell(authored, "total_households").source
    for folder in ("source", "release"):
        nb = nbformat.read(root / "grading" / folder / MODULE / "exercises.ipynb", 4)
        sealed = _cell(nb, "total_households").source
        assert 'seal={"ok": "' in sealed, folder
        assert "数了行数" in sealed  # the known wrong value (len(areas)) is recognised
    caches = list((root / "build" / "seals" / MODULE).glob("*.json"))
    assert len(caches) == 1
    build_course(root=root)  # the second build reuses the cache
    assert list((root / "build" / "seals" / MODULE).glob("*.json")) == caches


@pytest.mark.slow
def test_unsealable_check_fails_the_build(tmp_path: Path) -> None:
    never_runs = {"total_households": "if False:\n    check('total_households', 1, exercise=1)"}
    root = write_fixture_root(tmp_path / "p", checks=never_runs)
    with pytest.raises(BuildError, match="did not run"):
        build_course(root=root)


@pytest.mark.slow
def test_course_check_measures_visible_share(tmp_path: Path) -> None:
    good = check_course(root=write_fixture_root(tmp_path / "good", checks=CHECKS))[0]
    ok = {r.check: (r.ok, r.detail) for r in good.results}
    assert good.ok, good.results
    assert ok["visible tests catch wrong answers"][1].startswith("2/2 (100%")
    weak = {
        **CHECKS,
        "total_households": "from shequlab.checks import check\n"
        "check('total_households', total_households > 0, exercise=1)",
    }
    result = check_course(root=write_fixture_root(tmp_path / "weak", checks=weak))[0]
    by = {r.check: (r.ok, r.detail) for r in result.results}
    assert by["visible tests catch wrong answers"][0] is False
    assert "1/2 (50%" in by["visible tests catch wrong answers"][1]
    assert "数了行数" in by["visible tests catch wrong answers"][1]  # names what it missed


@pytest.mark.slow
def test_unconverted_module_reports_share_without_enforcing(tmp_path: Path) -> None:
    assert len(WRONG_ANSWERS) == 2
    result = check_course(root=write_fixture_root(tmp_path / "p"))[0]
    by = {r.check: (r.ok, r.detail) for r in result.results}
    assert by["visible tests catch wrong answers"][0] is True
    assert "not enforced" in by["visible tests catch wrong answers"][1]
