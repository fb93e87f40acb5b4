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
    """`course check --probe-wrong` over the whole curriculum once, two modules at a time: the
    solution, release and right answers graded, the wrong answers judged by the probe (grading
    every one of them, about 200 submissions, took 10-11 min on 2 cores)."""
    try:
        return {c.module_id: c for c in check_course(root=REPO, workers=2, grade_wrong=False)}
    except CurriculumError as exc:
        return exc


# The first module's test also pays for the fixture (a few minutes on 2 cores).
@pytest.mark.slow
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("module_id", listed_modules())
def test_real_module_passes_check(real_checks, module_id: str) -> None:
    if isinstance(real_checks, CurriculumError):
        pytest.fail(f"curriculum does not load, so {module_id} cannot be checked:\n{real_checks}")
    result = real_checks[module_id]
    failed = [f"{r.check}: {r.detail}" for r in result.results if not r.ok]
    assert result.ok, f"{module_id} fails `shequlab course check`:\n" + "\n".join(failed)


def _wrong_verdicts(result: ModuleCheck) -> list[tuple[str, bool]]:
    return [(r.check, r.ok) for r in result.results if r.check.startswith("wrong answer fails")]


@pytest.mark.slow
def test_probe_and_grading_judge_every_wrong_answer_alike(real_checks) -> None:
    """onb-02's wrong answers, each graded as a submission by the real grader, get the verdicts
    the probe gave them in the fixture's run (and the probe did not grade them)."""
    if isinstance(real_checks, CurriculumError):
        pytest.fail(f"curriculum does not load:\n{real_checks}")
    probed = real_checks["onb-02-hotline"]
    [graded] = check_course(module="onb-02-hotline", root=REPO, workers=1)
    assert graded.ok, [f"{r.check}: {r.detail}" for r in graded.results if not r.ok]
    assert _wrong_verdicts(graded) == _wrong_verdicts(probed)
    assert len(_wrong_verdicts(graded)) >= 12
    by_probe = [r.detail for r in probed.results if r.check.startswith("wrong answer fails")]
    by_grade = [r.detail for r in graded.results if r.check.startswith("wrong answer fails")]
    assert all(d.endswith("→ test cell fails (probe)") for d in by_probe), by_probe
    assert all("→ 0/" in d for d in by_grade), by_grade


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
    for grade_wrong in (True, False):  # graded as a submission, and judged by the probe
        [result] = check_course(root=root, grade_wrong=grade_wrong)
        assert not result.ok
        verdicts = [r for r in result.results if r.check == "wrong answer fails: total_households"]
        assert [r.ok for r in verdicts] == [True, False], grade_wrong
        assert verdicts[1].detail.endswith(
            "→ 2/2" if grade_wrong else "→ test cell passes (probe)"
        ), verdicts[1].detail


def test_metadata_disagreement_fails_check(tmp_path: Path) -> None:
    root = write_fixture_root(tmp_path)
    path = root / "curriculum" / PROGRAM / f"{MODULE}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["exercises"][0]["points"] = 3
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    [result] = check_course(root=root)
    detail = next(r.detail for r in result.results if r.check == "metadata agrees with module file")
    assert "'total_households' is worth 2 in the notebook, 3 in YAML" in detail
