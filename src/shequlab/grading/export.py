"""`shequlab grade export`: nbgrader's grades CSV, and scores per competency per trainee."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import CsvExportPlugin

from shequlab.curriculum import load_curriculum
from shequlab.grading.roster import load_roster
from shequlab.layout.course import Course, as_course
from shequlab.layout.project import project_root


@dataclass(frozen=True)
class CompetencyScore:
    student_id: str
    module: str
    competency: str
    earned: float
    possible: float
    ungraded: float = 0.0  # of `possible`: manually graded points nobody has graded yet

    @property
    def percent(self) -> float | None:
        """Share of the graded points earned (None: nothing graded yet)."""
        graded = self.possible - self.ungraded
        return 100 * self.earned / graded if graded else None


def export_grades_csv(course_dir: Course | Path, out: Path) -> Path:
    """nbgrader's own CSV export (same columns as `nbgrader export`)."""
    course = as_course(course_dir)
    with Gradebook(course.db_url, course.course_id) as gb:
        CsvExportPlugin(to=str(out)).export(gb)
    return Path(out)


def competency_scores(course_dir: Course | Path, root: Path | None = None) -> list[CompetencyScore]:
    """Per trainee, module and competency: points earned and possible (manual score over auto).

    An exercise that assesses several competencies counts fully towards each of them. A manually
    graded cell without a score yet counts as `ungraded`, not as zero earned.
    """
    course = as_course(course_dir)
    modules = {m.id: m for m in load_curriculum(root or project_root()).modules()}
    rows = []
    with Gradebook(course.db_url, course.course_id) as gb:
        for assignment in gb.assignments:
            module = modules.get(assignment.name)
            if module is None:
                continue
            for student in gb.students:
                try:
                    submission = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    continue
                earned: dict[str, float] = {}
                possible: dict[str, float] = {}
                ungraded: dict[str, float] = {}
                grades = {g.name: g for nb in submission.notebooks for g in nb.grades}
                for ex in module.exercises:
                    g = grades.get(ex.grade_id)
                    pending = ex.kind == "manual" and (
                        g is None or (g.manual_score is None and g.auto_score is None)
                    )
                    for comp in ex.competencies:
                        possible[comp] = possible.get(comp, 0) + ex.points
                        ungraded[comp] = ungraded.get(comp, 0) + (ex.points if pending else 0)
                        earned[comp] = earned.get(comp, 0) + float(g.score if g else 0)
                rows += [CompetencyScore(student.id, module.id, c, earned[c], possible[c],
                                         ungraded[c]) for c in sorted(possible)]  # fmt: skip
    return rows


def export_all(
    course_dir: Course | Path, out_dir: Path | None = None, root: Path | None = None
) -> list[Path]:
    """grades.csv and competencies.csv in `out_dir` (default: the course's exports/)."""
    course = as_course(course_dir)
    out_dir = Path(out_dir) if out_dir is not None else course.exports_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    grades = export_grades_csv(course, out_dir / "grades.csv")
    roster = load_roster(course)
    comp = out_dir / "competencies.csv"
    with comp.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens it right
        writer = csv.writer(f)
        writer.writerow(["student_id", "name", "cohort", "program", "module", "competency",
                         "earned", "possible", "ungraded", "percent"])  # fmt: skip
        for r in competency_scores(course, root):
            t = roster.get(r.student_id)
            writer.writerow([r.student_id, t.name if t else "", t.cohort if t else "",
                             t.program if t else "", r.module, r.competency, f"{r.earned:g}",
                             f"{r.possible:g}", f"{r.ungraded:g}",
                             "" if r.percent is None else f"{r.percent:.0f}"])  # fmt: skip
    return [grades, comp]
