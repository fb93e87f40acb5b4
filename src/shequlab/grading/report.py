"""`shequlab grade report`: a self-contained HTML page on the cohort, in the trainer's words.

Sections: score distribution per module (whole-point bins), item analysis per exercise (full
marks, discrimination, most frequent failing messages, flags), competency heat map per trainee
(the curriculum's Chinese names; 未评 where reflections are not graded yet), and who has not
submitted. Trainees appear by roster name beside their id.
"""

from __future__ import annotations

from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory

from shequlab.curriculum import Curriculum, CurriculumError, load_curriculum
from shequlab.errors import ExpectedError
from shequlab.grading.export import competency_scores
from shequlab.grading.items import ItemStats, analyse_module, course_directory
from shequlab.grading.report_html import (
    HELP,
    ITEM_HEADER,
    STYLE,
    e,
    heat_cell,
    histogram_svg,
    item_row,
)
from shequlab.grading.roster import load_roster
from shequlab.layout.course import CONFIG_FILE, Course, sqlite_file


def _item_label(item: ItemStats, notebooks: int) -> str:
    where = f"{e(item.notebook)} · " if notebooks > 1 else ""
    number = f"练习 {item.number} · " if item.number else ""
    return f"{where}{number}<code>{e(item.grade_id)}</code>"


def _module_section(gb: Gradebook, module: str, title: str, items: list[ItemStats],
                    students: list[str]) -> tuple[str, str, list[str]]:  # fmt: skip
    """(score histogram, item-analysis table, trainees without a submission) of one module."""
    scores, max_score, missing = [], 0.0, []
    for sid in students:
        try:
            sub = gb.find_submission(module, sid)
        except MissingEntry:
            missing.append(sid)
            continue
        scores.append(sub.score)
        max_score = sub.max_score
    waiting = {s for i in items if i.manual and i.ungraded for s in students
               if s not in missing and s not in i.scores}  # fmt: skip
    note = ""
    if waiting:
        note = (f"{len(waiting)} 人有人工评分题未评，暂按 0 分计 · "
                f"{len(waiting)} trainees have items not graded yet, counted as 0")  # fmt: skip
    chart = histogram_svg(title, scores, max_score, note) if scores else ""
    notebooks = len({i.notebook for i in items})
    rows = [item_row(i, _item_label(i, notebooks)) for i in items]
    table = "".join([f"<h3>{e(title)}</h3>", ITEM_HEADER, *rows, "</table>"])
    return chart, table if scores else "", missing


def _heat_map(course_dir: Path, root: Path | None, curriculum: Curriculum | None,
              names: dict[str, str]) -> str:  # fmt: skip
    comp = [r for r in competency_scores(course_dir, root) if r.student_id in names]
    titles = {c.id: c.title for c in curriculum.competencies} if curriculum else {}
    order = [c for c in titles if any(r.competency == c for r in comp)]
    order += sorted({r.competency for r in comp} - set(order))
    totals: dict[tuple[str, str], list[float]] = {}
    for r in comp:
        acc = totals.setdefault((r.student_id, r.competency), [0.0, 0.0, 0.0])
        acc[0], acc[1], acc[2] = acc[0] + r.earned, acc[1] + r.possible, acc[2] + r.ungraded
    head = "".join(
        f"<th title='{e(c)}'>{e(titles[c].zh)}<br><span class='en'>{e(titles[c].en)}</span></th>"
        if c in titles else f"<th>{e(c)}</th>"
        for c in order
    )  # fmt: skip
    rows = [f"<table class='heat'><tr><th>学员 trainee</th>{head}</tr>"]
    for sid in sorted({r.student_id for r in comp}):
        cells = []
        for c in order:
            earned, possible, ungraded = totals.get((sid, c), (0.0, 0.0, 0.0))
            graded = possible - ungraded
            cells.append(heat_cell(100 * earned / graded if graded else None, ungraded > 0)
                         if possible else "<td></td>")  # fmt: skip
        rows.append(f"<tr><td>{e(sid)} {e(names.get(sid, ''))}</td>{''.join(cells)}</tr>")
    legend = ("<p class='en'>* 部分人工评分题未评，按已评部分计 · "
              "partly not graded: % of the graded part</p>")  # fmt: skip
    return "".join(rows) + "</table>" + legend


class ReportError(ExpectedError, ValueError):
    """The report cannot be written yet; the message says what to do, in Chinese and English."""


def _course(course_dir: Path) -> CourseDirectory:
    if not (course_dir / CONFIG_FILE).is_file():
        raise ReportError(f"找不到课程配置 / no {CONFIG_FILE} in {course_dir}: 用 --course-dir "
                          "指向课程目录 / point --course-dir at the course root")  # fmt: skip
    coursedir = course_directory(course_dir)
    db = sqlite_file(coursedir.db_url)
    if db is not None and not db.is_file():
        raise ReportError(f"还没有成绩簿 / no gradebook yet ({db}): 先导入名单并自动评分 / "
                          "import the roster and autograde first")  # fmt: skip
    return coursedir


def write_report(
    course_dir: Course | Path,
    out: Path | None = None,
    program: str | None = None,
    root: Path | None = None,
) -> Path:
    """Write the cohort report of the course at `course_dir` to `out` (default: the course's
    report.html); return `out`."""
    course_dir = course_dir.root if isinstance(course_dir, Course) else Path(course_dir)
    coursedir = _course(course_dir)
    roster = load_roster(course_dir)
    try:
        curriculum: Curriculum | None = load_curriculum(root)
        modules = curriculum.modules(program)
    except CurriculumError:
        curriculum, modules = None, []
    titles = {m.id: f"{m.id} {m.title.zh} {m.title.en}" for m in modules}
    charts, tables, missing = [], [], {}
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        names = {s: t.name for s, t in roster.items() if program is None or t.program == program}
        if not roster:
            names = {s.id: f"{s.last_name or ''}{s.first_name or ''}" for s in gb.students}
        known = [a.name for a in gb.assignments]
        order = [m.id for m in modules if m.id in known]
        order += sorted(set(known) - set(order)) if program is None else []
        for mid in order:
            items = analyse_module(gb, coursedir, mid, list(names))
            title = titles.get(mid, mid)
            chart, table, absent = _module_section(gb, mid, title, items, list(names))
            charts.append(chart)
            tables.append(table)
            if absent:
                missing[mid] = absent
    body = [f"<h1>学员成绩报告 Cohort report{' — ' + e(program) if program else ''}</h1>",
            "<h2>各模块得分分布 Score distribution per module</h2>", *charts,
            "<h2>练习分析 Item analysis</h2>", HELP, *tables,
            "<h2>能力热力图 Competency heat map <span class='en'>(% of graded points)</span></h2>",
            _heat_map(course_dir, root, curriculum, names),
            "<h2>未提交 Not submitted</h2>"]  # fmt: skip
    if not missing:
        body.append("<p>全部已提交 everyone has submitted.</p>")
    for mid, sids in missing.items():
        who = ", ".join(f"{s} {names.get(s, '')}".strip() for s in sids)
        body.append(f"<p><b>{e(titles.get(mid, mid))}</b>: {e(who)}</p>")
    page = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>学员成绩报告 Cohort report</title><style>{STYLE}</style></head>"
            f"<body>{''.join(body)}</body></html>")  # fmt: skip
    out = Path(out) if out is not None else Course.load(course_dir).report_file
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out
