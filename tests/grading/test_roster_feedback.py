"""Roster import in three encodings and with bad rows; feedback that keeps hidden tests hidden;
export and report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from shequlab.grading.export import export_all
from shequlab.grading.feedback import generate_feedback, hidden_test_lines, leaks
from shequlab.grading.report import write_report
from shequlab.grading.roster import import_roster
from shequlab.trainees import RosterError
from tests.grading.conftest import MODULE


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    """An empty nbgrader course: its config only (gradebook.db by default)."""
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n", encoding="utf-8")
    return tmp_path


ROSTER = "学号,姓名,期次,项目\ns001,张三,2026春,onboarding\ns002,李四,2026春,onboarding\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_roster_imports_in_every_encoding(course_dir: Path, encoding: str) -> None:
    tmp_path = course_dir
    (tmp_path / "trainees.csv").write_bytes(ROSTER.encode(encoding))
    trainees = import_roster(tmp_path, tmp_path / "trainees.csv")
    assert [t.name for t in trainees] == ["张三", "李四"]
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        assert gb.find_student("s001").last_name == "张三"


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(course_dir: Path) -> None:
    tmp_path = course_dir
    bad = ROSTER + "s001,王五,2026春,onboarding\n张 三,赵六,2026春,onboarding\ns004,,2026春,x\n"
    (tmp_path / "trainees.csv").write_text(bad, encoding="utf-8")
    with pytest.raises(RosterError) as info:
        import_roster(tmp_path, tmp_path / "trainees.csv", {"onboarding"})
    lines = {n for n, _ in info.value.problems}
    assert lines == {4, 5, 6}
    assert (
        not (tmp_path / "gradebook.db").exists()
        or not Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}").students
    )


def test_roster_from_excel(course_dir: Path) -> None:
    tmp_path = course_dir
    from openpyxl import Workbook

    wb = Workbook()
    for row in [r.split(",") for r in ROSTER.strip().splitlines()]:
        wb.active.append(row)
    wb.save(tmp_path / "roster.xlsx")
    assert len(import_roster(tmp_path, tmp_path / "roster.xlsx")) == 2


def test_feedback_never_shows_hidden_tests(cohort, tmp_path: Path) -> None:
    root, plan, _, _ = cohort
    course = root / "grading"
    files = generate_feedback(course, MODULE).pages
    partly = [s for s, k in plan.items() if k == "partly"]
    assert set(partly) <= set(files)
    hidden = hidden_test_lines(course / "source" / MODULE / "exercises.ipynb")
    assert hidden
    for pages in files.values():
        for page in pages:
            assert not leaks(page.read_text(encoding="utf-8"), hidden)


def test_export_and_report(cohort, tmp_path: Path) -> None:
    root, _, _, _ = cohort
    course = tmp_path / "grading"
    shutil.copytree(root / "grading", course)
    grades, comps = export_all(course, tmp_path / "out", root=root)
    assert (
        "assignment,duedate" in grades.read_text(encoding="utf-8").splitlines()[0]
        or grades.exists()
    )
    assert "competency" in comps.read_text(encoding="utf-8-sig").splitlines()[0]
    page = write_report(course, tmp_path / "report.html", root=root).read_text(encoding="utf-8")
    assert "<svg" in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "能力热力图" in page
