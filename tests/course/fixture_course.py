"""A tiny project root (curriculum, a table, one module) for course tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parents[2]
PROGRAM, MODULE = "onboarding", "onb-99-fixture"

SOLUTION_TOTAL = 'total_households = int(areas["households"].sum())'
# The warning (stderr) must not zero the test below it (IgnorePattern in nbgrader_config.py).
SOLUTION_LARGEST = (
    'import warnings\nwarnings.warn("demo", FutureWarning)\n'
    'largest_area = areas.sort_values("households").iloc[-1]["name"]'
)
WRONG_ANSWERS = [
    {
        "grade_id": "total_households",
        "description": "counts rows instead of adding households / 数了行数",
        "code": "total_households = len(areas)",
    },
    {
        "grade_id": "largest_area",
        "description": "takes the smallest area / 取了最小的居民区",
        "code": 'largest_area = areas.sort_values("households").iloc[0]["name"]',
    },
]


def _nbgrader(cell, grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
    }
    if points is not None:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    return cell


# Visible parts that verify the value with shequlab.checks (see write_fixture_root(checks=...)).
CHECKS = {
    "total_households": "from shequlab.checks import check\n"
    'check("total_households", total_households, exercise=1, kind="integer")',
    "largest_area": "from shequlab.checks import check\n"
    'check("largest_area", largest_area, exercise=2, kind="text")',
}


def exercises_notebook(
    solution_total: str = SOLUTION_TOTAL, checks: dict[str, str] | None = None
) -> nbformat.NotebookNode:
    """The fixture's source exercises notebook (with solutions and hidden tests); `checks`
    replaces the visible assert of the named test cells."""
    cells = [
        new_markdown_cell("# 练习 Exercises"),
        new_code_cell('import pandas as pd\n\nareas = pd.read_csv("data/areas.csv")'),
        new_markdown_cell("**1.** 三个居民区共有多少户？ How many households in all?"),
        _nbgrader(
            new_code_cell(f"### BEGIN SOLUTION\n{solution_total}\n### END SOLUTION"),
            "total_households_answer",
            solution=True,
        ),
        _nbgrader(
            new_code_cell(
                'assert isinstance(total_households, int), "请给出整数 / give an integer"\n'
                "### BEGIN HIDDEN TESTS\n"
                'assert total_households == 600, "总户数不对 / the total is wrong"\n'
                "### END HIDDEN TESTS"
            ),
            "total_households",
            grade=True,
            locked=True,
            points=2,
        ),
        _nbgrader(
            new_code_cell(f"### BEGIN SOLUTION\n{SOLUTION_LARGEST}\n### END SOLUTION"),
            "largest_area_answer",
            solution=True,
        ),
        _nbgrader(
            new_code_cell(
                'assert isinstance(largest_area, str), "请给出名称 / give a name"\n'
                "### BEGIN HIDDEN TESTS\n"
                'assert largest_area == "东苑", "不是户数最多的 / not the largest"\n'
                "### END HIDDEN TESTS"
            ),
            "largest_area",
            grade=True,
            locked=True,
            points=1,
        ),
        new_markdown_cell(
            "**3.** 你第一次走访会先去哪里？为什么？ Where would you visit first, and why?"
        ),
        _nbgrader(
            new_markdown_cell("先去东苑，户数最多。"),
            "first_visit",
            grade=True,
            solution=True,
            points=2,
        ),
    ]
    for cell in cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if checks and grade_id in checks and cell.metadata["nbgrader"]["grade"]:
            rest = cell.source.split("\n", 1)[1]
            cell.source = checks[grade_id] + "\n" + rest
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def case_notebook() -> nbformat.NotebookNode:
    nb = new_notebook(
        cells=[
            new_markdown_cell("# 案例 Case"),
            new_code_cell('import pandas as pd\n\npd.read_csv("data/areas.csv").head()'),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def module_yaml() -> dict:
    return {
        "id": MODULE,
        "title": {"zh": "测试模块", "en": "Fixture module"},
        "summary": {"zh": "用于测试。", "en": "For tests."},
        "minutes": {"teaching": 5, "exercises": 10},
        "objectives": [{"zh": "求和", "en": "Add up a column"}],
        "datasets": ["areas"],
        "exercises": [
            {
                "grade_id": "total_households",
                "kind": "auto",
                "points": 2,
                "competencies": ["reading_data"],
            },
            {
                "grade_id": "largest_area",
                "kind": "auto",
                "points": 1,
                "competencies": ["describing_comparing"],
            },
            {
                "grade_id": "first_visit",
                "kind": "manual",
                "points": 2,
                "competencies": ["communicating"],
                "rubric": [
                    {"points": 2, "zh": "有理有据", "en": "Reasoned"},
                    {"points": 0, "zh": "未作答", "en": "No answer"},
                ],
            },
        ],
    }


def write_fixture_root(
    dest: Path,
    *,
    solution_total: str = SOLUTION_TOTAL,
    wrong_answers: list[dict] | None = None,
    checks: dict[str, str] | None = None,
) -> Path:
    """Write the fixture project under `dest`; return `dest`."""
    cur = dest / "curriculum"
    (cur / PROGRAM).mkdir(parents=True)
    competencies = [
        {"id": cid, "title": {"zh": cid, "en": cid}, "description": {"zh": cid, "en": cid}}
        for cid in ("reading_data", "describing_comparing", "communicating")
    ]
    _dump(cur / "competencies.yml", competencies)
    _dump(
        cur / PROGRAM / "program.yml",
        {
            "id": PROGRAM,
            "title": {"zh": "测试", "en": "Test"},
            "summary": {"zh": "测试。", "en": "Test."},
            "modules": [MODULE],
        },
    )
    _dump(cur / PROGRAM / f"{MODULE}.yml", module_yaml())

    data = dest / "datasets"
    data.mkdir()
    (data / "areas.csv").write_text(
        "area_id,name,households\nXH01,东苑,300\nXH02,西苑,200\nXH03,南苑,100\n", encoding="utf-8"
    )
    (data / "datapackage.json").write_text(
        json.dumps({"name": "fixture", "resources": [{"name": "areas", "path": "areas.csv"}]}),
        encoding="utf-8",
    )

    folder = dest / "notebooks" / PROGRAM / MODULE
    folder.mkdir(parents=True)
    nbformat.write(exercises_notebook(solution_total, checks), folder / "exercises.ipynb")
    nbformat.write(case_notebook(), folder / "case.ipynb")
    _dump(folder / "wrong_answers.yml", WRONG_ANSWERS if wrong_answers is None else wrong_answers)

    (dest / "grading").mkdir()
    shutil.copyfile(
        REPO / "grading" / "nbgrader_config.py", dest / "grading" / "nbgrader_config.py"
    )
    return dest


def _dump(path: Path, data) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
