"""Every grading verb uses the gradebook the course config names (CourseDirectory.db_url)."""

from __future__ import annotations

from pathlib import Path

from nbgrader.api import Gradebook

from shequlab.grading.export import export_all
from shequlab.grading.report import write_report
from shequlab.grading.roster import import_roster, load_roster
from shequlab.layout.course import Course

ROSTER = "学号,姓名,期次,项目\ns001,张三,2026春,onboarding\ns002,李四,2026春,onboarding\n"


def _course_with_db_url(tmp_path: Path) -> tuple[Path, str]:
    course_dir = tmp_path / "course"
    course_dir.mkdir()
    other = tmp_path / "elsewhere" / "shared-gradebook.db"
    other.parent.mkdir()
    url = f"sqlite:///{other}"
    (course_dir / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        'c.CourseDirectory.course_id = "demo"\n'
        f'c.CourseDirectory.db_url = "{url}"\n',
        encoding="utf-8",
    )
    return course_dir, url


def test_roster_export_and_report_follow_the_configured_db_url(tmp_path: Path) -> None:
    course_dir, url = _course_with_db_url(tmp_path)
    assert Course.load(course_dir).db_url == url
    (tmp_path / "trainees.csv").write_text(ROSTER, encoding="utf-8")
    import_roster(course_dir, tmp_path / "trainees.csv")
    assert not (course_dir / "gradebook.db").exists()  # no second, private gradebook
    with Gradebook(url, "demo") as gb:
        assert [s.id for s in gb.students] == ["s001", "s002"]
        gb.add_assignment("ps1")
        gb.add_submission("ps1", "s001")
    assert set(load_roster(course_dir)) == {"s001", "s002"}

    grades, _ = export_all(course_dir)  # default: the course's exports/, not the cwd
    assert grades == course_dir / "exports" / "grades.csv"
    rows = grades.read_text(encoding="utf-8").splitlines()
    assert any(r.startswith("ps1,") and ",s001," in r for r in rows), rows
    assert not (course_dir / "gradebook.db").exists()

    page = write_report(course_dir).read_text(encoding="utf-8")  # default: <course>/report.html
    assert (course_dir / "report.html").is_file()
    assert "s002" in page  # the roster's trainee shown; the report opened the configured gradebook
    assert not (course_dir / "gradebook.db").exists()
