"""Who the trainees are: the one trainee-id rule and the roster file reader, shared by
`grade roster import`, `hub users` and deploy/hub/jupyterhub_config.py.

A trainee id is at once an nbgrader student id, a JupyterHub user name and (in the hub's system
mode) a Linux account, so it must be valid as all three: JupyterHub lower-cases user names and
Linux account names start with a letter, hence lower-case letters, digits, - and _, starting
with a letter.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from shequlab.data.encoding import TableEncodingError, read_table_text
from shequlab.errors import ExpectedError

ID_RULE = r"^[a-z][a-z0-9_-]{1,31}$"
ID_PATTERN = re.compile(ID_RULE)
ID_HELP = (
    "学号须为 2–32 个小写字母、数字、- 或 _，以字母开头（纯数字学号请加前缀，如 t2024001）/ "
    "2-32 lower-case letters, digits, - or _, starting with a letter "
    "(prefix numeric ids, e.g. t2024001)"
)
COLUMNS = {  # our field -> accepted headers
    "id": ("id", "student_id", "学号", "编号", "学员编号"),
    "name": ("name", "姓名", "名字"),
    "cohort": ("cohort", "期次", "班级", "批次"),
    "program": ("program", "项目", "培训项目"),
    "email": ("email", "邮箱", "电子邮件"),
}
REQUIRED = ("id", "name", "cohort", "program")


def id_problem(trainee_id: str) -> str | None:
    """None for a valid trainee id, else a bilingual sentence saying what is wrong."""
    if ID_PATTERN.match(trainee_id):
        return None
    return f"学号无效 invalid id {trainee_id!r}: {ID_HELP}"


class RosterError(ExpectedError, ValueError):
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


def read_rows(path: Path, required: tuple[str, ...] = REQUIRED) -> list[tuple[int, dict[str, str]]]:
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
        except OSError as exc:
            raise RosterError([(0, f"无法读取 cannot read {path}: {exc.strerror}")]) from exc
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    if not rows:
        raise RosterError([(0, "文件是空的 / the file is empty")])
    header = [h.strip().lower() for h in rows[0]]
    index = {}
    for field, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h in names:
                index[field] = i
    missing = [f for f in required if f not in index]
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


def parse_roster(
    path: Path, programs: set[str] | None = None, required: tuple[str, ...] = REQUIRED
) -> list[Trainee]:
    """Every trainee in the file, or RosterError listing every bad or duplicate row by line.

    `required`: the columns that must be present and filled (`hub users` needs only the id)."""
    problems, seen, trainees = [], {}, []
    for n, row in read_rows(path, required):
        t = Trainee(
            row["id"], row.get("name", ""), row.get("cohort", ""), row.get("program", ""),
            row.get("email", ""),
        )  # fmt: skip
        problem = id_problem(t.id)
        if problem:
            problems.append((n, problem))
        elif t.id in seen:
            problems.append((n, f"学号重复 duplicate id {t.id!r} (first on line {seen[t.id]})"))
        else:
            seen[t.id] = n
        for field in required:
            if field != "id" and not getattr(t, field):
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
