"""curriculum/ loads into typed models; every kind of mistake names its file and path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from course.fixture_course import MODULE, PROGRAM, write_fixture_root

from shequlab.curriculum import CurriculumError, load_curriculum

REPO = Path(__file__).resolve().parents[1]
MODULE_FILE = f"curriculum/{PROGRAM}/{MODULE}.yml"
PROGRAM_FILE = f"curriculum/{PROGRAM}/program.yml"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_fixture_root(tmp_path / "project")


def edit(root: Path, relpath: str, change) -> None:
    path = root / relpath
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def problems(root: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(CurriculumError) as info:
        load_curriculum(root)
    return [(str(p.file), p.path, p.message) for p in info.value.problems]


def test_fixture_loads(root: Path) -> None:
    curriculum = load_curriculum(root)
    [module] = curriculum.modules()
    assert module.id == MODULE and module.program == PROGRAM
    assert module.total_points == 5 and module.auto_points == 3


def test_real_competencies_and_program_parse() -> None:
    """The committed competencies.yml and onboarding program.yml are valid on their own."""
    project = REPO
    text = (project / "curriculum/onboarding/program.yml").read_text(encoding="utf-8")
    from shequlab.curriculum import Competency, Program

    program = Program.model_validate(yaml.safe_load(text))
    assert program.modules[0] == "onb-01-neighbourhood" and len(program.modules) == 6
    competencies = yaml.safe_load((project / "curriculum/competencies.yml").read_text("utf-8"))
    assert all(Competency.model_validate(c) for c in competencies)


CASES = {
    "missing zh": (
        MODULE_FILE,
        lambda d: d["title"].pop("zh"),
        "title.zh",
        "both zh",
    ),
    "unknown competency": (
        MODULE_FILE,
        lambda d: d["exercises"][1]["competencies"].append("juggling"),
        "exercises[1].competencies[1]",
        "unknown competency 'juggling'",
    ),
    "duplicate grade_id": (
        MODULE_FILE,
        lambda d: d["exercises"][1].update(grade_id="total_households"),
        "exercises[1].grade_id",
        "duplicate grade_id",
    ),
    "manual without rubric": (
        MODULE_FILE,
        lambda d: d["exercises"][2].pop("rubric"),
        "exercises[2].rubric",
        "needs a rubric",
    ),
    "auto with rubric": (
        MODULE_FILE,
        lambda d: d["exercises"][0].update(rubric=[{"points": 2, "zh": "好", "en": "good"}]),
        "exercises[0].rubric",
        "remove `rubric`",
    ),
    "rubric top points differ": (
        MODULE_FILE,
        lambda d: d["exercises"][2]["rubric"][0].update(points=3),
        "exercises[2].rubric[0].points",
        "make them equal",
    ),
    "zero points": (
        MODULE_FILE,
        lambda d: d["exercises"][0].update(points=0),
        "exercises[0].points",
        "positive",
    ),
    "bad kind": (
        MODULE_FILE,
        lambda d: d["exercises"][0].update(kind="robot"),
        "exercises[0].kind",
        "allowed values",
    ),
    "camelCase grade_id": (
        MODULE_FILE,
        lambda d: d["exercises"][0].update(grade_id="totalHouseholds"),
        "exercises[0].grade_id",
        "pattern",
    ),
    "unknown dataset": (
        MODULE_FILE,
        lambda d: d["datasets"].append("unicorns"),
        "datasets[1]",
        "unknown dataset 'unicorns'",
    ),
    "unknown key": (
        MODULE_FILE,
        lambda d: d.update(minuets=3),
        "minuets",
        "remove this key",
    ),
    "listed module without file": (
        PROGRAM_FILE,
        lambda d: d["modules"].append("onb-98-missing"),
        "modules[1]",
        "onb-98-missing.yml does not exist",
    ),
    "bad module id": (
        PROGRAM_FILE,
        lambda d: d["modules"].append("module-two"),
        "modules[1]",
        "pattern",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_invalid_file_names_file_and_path(root: Path, case: str) -> None:
    relpath, change, path, words = CASES[case]
    edit(root, relpath, change)
    found = problems(root)
    assert any(f == relpath and p == path and words in m for f, p, m in found), found


def test_orphan_module_file(root: Path) -> None:
    shutil.copyfile(root / MODULE_FILE, root / f"curriculum/{PROGRAM}/onb-97-orphan.yml")
    found = problems(root)
    assert any(
        f == f"curriculum/{PROGRAM}/onb-97-orphan.yml" and "not listed" in m for f, _, m in found
    ), found


def test_error_message_says_where_and_how(root: Path) -> None:
    edit(root, MODULE_FILE, lambda d: d["exercises"][2].pop("rubric"))
    with pytest.raises(CurriculumError) as info:
        load_curriculum(root)
    text = str(info.value)
    assert f"{MODULE_FILE} at exercises[2].rubric" in text and "评分标准" in text


def test_selecting_an_unknown_module_says_which_exist(root: Path) -> None:
    with pytest.raises(CurriculumError, match=MODULE):
        load_curriculum(root).modules(module="onb-42-nothing")


def test_curriculum_error_survives_pickling_between_worker_processes() -> None:
    import pickle

    from shequlab.curriculum import CurriculumError, Problem

    err = CurriculumError([Problem(Path("onboarding/program.yml"), "modules[1]", "missing file")])
    again = pickle.loads(pickle.dumps(err))
    assert again.problems == err.problems
    assert "1 problems" in str(again) and "missing file" in str(again)
