"""shequlab.course.seal: the build seals check() calls; course check measures visible shares."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml

from course.fixture_course import CHECKS, MODULE, PROGRAM, WRONG_ANSWERS, write_fixture_root
from shequlab.course.build import BuildError, build_course
from shequlab.course.check import check_course
from shequlab.course.metadata import load_wrong_answers
from shequlab.course.seal import SealError, compute_seals, split_test, write_seals
from shequlab.curriculum import load_curriculum


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


def _one_check_nb() -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                'check("x", x, exercise=1)',
                metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "x"}},
            )
        ]
    )


def _entry(description: str, right: bool = False) -> dict:
    return {"grade_id": "x", "description": description, "code": "x = 0"} | (
        {"right": True} if right else {}
    )


def test_right_entries_are_sealed_as_also_right_and_wrong_ones_named() -> None:
    entries = [_entry("question A", right=True), _entry("means / 平均数"), _entry("same", True)]
    prints = [{"fingerprints": {"x": fp}} for fp in ("fpA", "fpWrong", "fpOk")]
    results = {"x": {"right": {"fingerprints": {"x": "fpOk"}}, "wrong": prints}}
    seal = compute_seals(_one_check_nb(), entries, results)["x"]["x"]
    assert seal == {"ok": "fpOk", "wrong": {"fpWrong": ["means / 平均数", "means / 平均数"]},
                    "also": ["fpA"]}  # fmt: skip


def test_a_wrong_answer_equal_to_a_right_one_or_a_failing_right_one_cannot_be_sealed() -> None:
    entries = [_entry("question A", right=True), _entry("a mistake")]
    same = [{"fingerprints": {"x": "fpA"}}, {"fingerprints": {"x": "fpA"}}]
    results = {"x": {"right": {"fingerprints": {"x": "fpOk"}}, "wrong": same}}
    with pytest.raises(SealError, match="same 'x' as a `right: true` answer"):
        compute_seals(_one_check_nb(), entries, results)
    results["x"]["wrong"] = [{"answer_error": True}, {"fingerprints": {"x": "fpW"}}]
    with pytest.raises(SealError, match="raises an error"):
        compute_seals(_one_check_nb(), entries, results)


def test_wrong_answers_loader_accepts_right_true_only(tmp_path: Path) -> None:
    root = write_fixture_root(tmp_path / "p")
    folder = root / "notebooks" / PROGRAM / MODULE
    module = load_curriculum(root).modules(module=MODULE)[0]
    nb = nbformat.read(folder / "exercises.ipynb", 4)
    right = {**WRONG_ANSWERS[0], "right": True}
    for entry, error in (
        (right, None),
        ({**right, "right": "yes"}, "write `right: true`"),
        ({**WRONG_ANSWERS[0], "points": 1}, "give exactly grade_id, description and code"),
    ):
        (folder / "wrong_answers.yml").write_text(yaml.safe_dump([entry]), encoding="utf-8")
        if error is None:
            assert load_wrong_answers(folder / "wrong_answers.yml", module, nb) == [entry]
        else:
            with pytest.raises(ValueError, match=re.escape(error)):
                load_wrong_answers(folder / "wrong_answers.yml", module, nb)


@pytest.mark.slow
def test_course_check_proves_right_entries_score_full(tmp_path: Path) -> None:
    entries = [
        *WRONG_ANSWERS,
        {
            "grade_id": "largest_area",
            "right": True,
            "description": "idxmax / 另一种写法",
            "code": 'largest_area = areas.loc[areas["households"].idxmax(), "name"]',
        },
        {
            "grade_id": "total_households",
            "right": True,
            "description": "not right at all / 其实是错的",
            "code": "total_households = 599",
        },
    ]
    root = write_fixture_root(tmp_path / "p", checks=CHECKS, wrong_answers=entries)
    result = check_course(root=root)[0]
    by = {r.check: (r.ok, r.detail) for r in result.results}
    assert by["right answer scores full: largest_area"] == (True, "idxmax / 另一种写法 → 1/1")
    assert by["right answer scores full: total_households"][0] is False
    assert "0/2" in by["right answer scores full: total_households"][1]
    assert by["visible tests catch wrong answers"][1].startswith("2/2 (100%")  # right ones left out
    assert not result.ok


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
def test_a_module_whose_tests_do_not_call_check_fails_the_visible_share(tmp_path: Path) -> None:
    assert len(WRONG_ANSWERS) == 2
    result = check_course(root=write_fixture_root(tmp_path / "p"))[0]
    by = {r.check: (r.ok, r.detail) for r in result.results}
    assert by["visible tests catch wrong answers"][0] is False  # plain asserts catch too little
    assert "need ≥ 90%" in by["visible tests catch wrong answers"][1]
