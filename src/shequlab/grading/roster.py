"""`shequlab grade roster import`: trainees from CSV or Excel into the gradebook, all or nothing.

nbgrader's Student has no cohort or program, so those live in grading/roster.csv beside the
gradebook (the report and export read them from there); the name goes into nbgrader's last_name.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, Student

from shequlab.course.nbgrader import put_venv_on_path
from shequlab.data.encoding import TableEncodingError, read_table_text

ROSTER_FILE = "roster.csv"
COLUMNS = {  # our field -> accepted headers
    "id": ("id", "student_id", "学号", "编号", "学员编号"),
    "name": ("name", "姓名", "名字"),
    "cohort": ("cohort", "期次", "班级", "批次"),
    "program": ("program", "项目", "培训项目"),
    "email": ("email", "邮箱", "电子邮件"),
}
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class RosterError(ValueError):
    """The roster file has problems; nothing was imported. `problems` are (line, message)."""

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = problems
        lines = "\n".join(f"  第 {n} 行 line {n}: {m}" if n else f"  {m}" for n, m in problems)
        super().__init__(
            f"名单有误，未导入任何学员 / roster has problems, nothing imported:\n{lines}"
        )


@dataclass(frozen=True)
class Trainee:
    id: str
    name: str
    cohort: str
    program: str
    email: str = ""


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number as a spreadsheet shows it, row) for a CSV (UTF-8/BOM/GBK) or Excel file."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        rows = [
            ["" if v is None else str(v).strip() for v in r]
            for r in sheet.iter_rows(values_only=True)
        ]
    else:
        try:
            text = read_table_text(path, allow_gbk=True).text
        except TableEncodingError as exc:
            raise RosterError([(0, str(exc))]) from exc
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    if not rows:
        raise RosterError([(0, "文件是空的 / the file is empty")])
    header = [h.strip().lower() for h in rows[0]]
    index = {}
    for field, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h in names:
                index[field] = i
    missing = [f for f in ("id", "name", "cohort", "program") if f not in index]
    if missing:
        raise RosterError(
            [(1, f"缺少列 missing columns: {', '.join(missing)} (表头 header: {rows[0]})")]
        )
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        out.append((n, {f: (row[i] if i < len(row) else "") for f, i in index.items()}))
    return out


def parse_roster(path: Path, programs: set[str] | None = None) -> list[Trainee]:
    """Every trainee in the file, or RosterError listing every bad or duplicate row by line."""
    problems, seen, trainees = [], {}, []
    for n, row in read_rows(path):
        t = Trainee(row["id"], row["name"], row["cohort"], row["program"], row.get("email", ""))
        if not ID_PATTERN.match(t.id):
            problems.append((n, f"学号无效 invalid id {t.id!r} (letters, digits, _ . - only)"))
        elif t.id in seen:
            problems.append((n, f"学号重复 duplicate id {t.id!r} (first on line {seen[t.id]})"))
        else:
            seen[t.id] = n
        for field in ("name", "cohort", "program"):
            if not getattr(t, field):
                problems.append((n, f"{field} 为空 is empty"))
        if programs and t.program and t.program not in programs:
            problems.append(
                (
                    n,
                    f"未知项目 unknown program {t.program!r} "
                    f"(known: {', '.join(sorted(programs))})",
                )
            )
        trainees.append(t)
    if problems:
        raise RosterError(problems)
    if not trainees:
        raise RosterError([(0, "没有学员 / no trainees in the file")])
    return trainees


def import_roster(course_dir: Path, path: Path, programs: set[str] | None = None) -> list[Trainee]:
    """Validate the whole file, then add or update every trainee in one gradebook transaction."""
    trainees = parse_roster(path, programs)
    course_dir = Path(course_dir)
    put_venv_on_path()  # a new gradebook is created with the `alembic` command
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
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
    roster = load_roster(course_dir)
    roster.update({t.id: t for t in trainees})
    tmp = course_dir / f"{ROSTER_FILE}.tmp"
    with tmp.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "name", "cohort", "program", "email"])
        for t in sorted(roster.values(), key=lambda t: t.id):
            writer.writerow([t.id, t.name, t.cohort, t.program, t.email])
    os.replace(tmp, course_dir / ROSTER_FILE)
    return trainees


def load_roster(course_dir: Path) -> dict[str, Trainee]:
    path = Path(course_dir) / ROSTER_FILE
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        return {r["id"]: Trainee(**r) for r in csv.DictReader(f)}
