"""`shequlab grade roster import`: trainees from CSV or Excel into the gradebook, all or nothing.

The file is read and checked by shequlab.trainees (shared with `hub users`).

nbgrader's Student has no cohort or program, so those live in roster.csv in the course
root (the report and export read them from there); the name goes into nbgrader's last_name.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from nbgrader.api import Gradebook, Student

from shequlab.autograder.nbgrader import put_venv_on_path
from shequlab.layout.course import Course, as_course
from shequlab.trainees import Trainee, parse_roster


def import_roster(
    course_dir: Course | Path, path: Path, programs: set[str] | None = None
) -> list[Trainee]:
    """Validate the whole file, then add or update every trainee in one gradebook transaction."""
    trainees = parse_roster(path, programs)
    course = as_course(course_dir)
    put_venv_on_path()  # a new gradebook is created with the `alembic` command
    with Gradebook(course.db_url, course.course_id) as gb:
        try:
            for t in trainees:
                student = gb.db.get(Student, t.id) or Student(id=t.id)
                student.first_name, student.last_name = "", t.name
                student.email = t.email or None
                gb.db.add(student)
            gb.db.commit()
        except Exception:
            gb.db.rollback()
            raise
    roster = load_roster(course)
    roster.update({t.id: t for t in trainees})
    tmp = course.roster_file.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "name", "cohort", "program", "email"])
        for t in sorted(roster.values(), key=lambda t: t.id):
            writer.writerow([t.id, t.name, t.cohort, t.program, t.email])
    os.replace(tmp, course.roster_file)
    return trainees


def load_roster(course_dir: Course | Path) -> dict[str, Trainee]:
    """The trainees imported so far (the course's roster.csv), by id."""
    path = as_course(course_dir).roster_file
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        return {r["id"]: Trainee(**r) for r in csv.DictReader(f)}
