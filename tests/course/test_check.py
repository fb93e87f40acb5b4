"""shequlab.course.check: every real module is proven, and broken modules are caught."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from course.fixture_course import CHECKS, MODULE, PROGRAM, WRONG_ANSWERS, write_fixture_root
from shequlab.course.check import ModuleCheck, check_course
from shequlab.curriculum import CurriculumError

REPO = Path(__file__).resolve().parents[2]


def listed_modules() -> list[str]:
    """Module ids as program.yml files list them (plainly, so a broken one still gets a test)."""
    return [
        module_id
        for program in sorted((REPO / "curriculum").glob("*/program.yml"))
        for module_id in yaml.safe_load(program.read_text(encoding="utf-8"))["modules"]
    ]


@pytest.fixture(scope="session")
def real_checks() -> dict[str, ModuleCheck] | CurriculumError:
    """`course check` over the whole curriculum once, two modules at a time."""
    try:
        return {c.module_id: c for c in check_course(root=REPO, workers=2)}
    except CurriculumError as exc:
        return exc


# The first module's test also pays for the fixture: `course check` of all 12 modules (about
# 10-11 min on 2 cores; each grades its solution, release and every recorded wrong answer).
@pytest.mark.slow
@pytest.mark.timeout(1500)
@pytest.mark.parametrize("module_id", listed_modules())
def test_real_module_passes_check(real_checks, module_id: str) -> None:
    if isinstance(real_checks, CurriculumError):
        pytest.fail(f"curriculum does not load, so {module_id} cannot be checked:\n{real_checks}")
    result = real_checks[module_id]
    failed = [f"{r.check}: {r.detail}" for r in result.results if not r.ok]
    assert result.ok, f"{module_id} fails `shequlab course check`:\n" + "\n".join(failed)


def by_check(result: ModuleCheck) -> dict[str, bool]:
    return {r.check: r.ok for r in result.results}


def test_fixture_module_passes(tmp_path: Path) -> None:
    # With visible checks that verify values: plain asserts fail the visible share (test_seal.py).
    [result] = check_course(root=write_fixture_root(tmp_path / "project", checks=CHECKS))
    assert result.ok, result.results
    assert by_check(result)["wrong answer fails: total_households"]


def test_wrong_solution_fails_check(tmp_path: Path) -> None:
    root = write_fixture_root(tmp_path, solution_total="total_households = 599")
    [result] = check_course(root=root)
    assert not result.ok
    assert by_check(result)["solution scores full marks"] is False
    detail = next(r.detail for r in result.results if r.check == "solution scores full marks")
    assert "total_households: 0.0/2" in detail


def test_wrong_answer_that_passes_hidden_tests_fails_check(tmp_path: Path) -> None:
    sneaky = {
        "grade_id": "total_households",
        "description": "correct after all",
        "code": "total_households = 600",
    }
    root = write_fixture_root(tmp_path, wrong_answers=[*WRONG_ANSWERS, sneaky])
    [result] = check_course(root=root)
    assert not result.ok
    outcomes = [r.ok for r in result.results if r.check == "wrong answer fails: total_households"]
    assert outcomes == [True, False]


def test_metadata_disagreement_fails_check(tmp_path: Path) -> None:
    root = write_fixture_root(tmp_path)
    path = root / "curriculum" / PROGRAM / f"{MODULE}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["exercises"][0]["points"] = 3
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    [result] = check_course(root=root)
    detail = next(r.detail for r in result.results if r.check == "metadata agrees with module file")
    assert "'total_households' is worth 2 in the notebook, 3 in YAML" in detail
