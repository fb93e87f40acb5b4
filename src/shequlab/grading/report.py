"""`shequlab grade report`: a self-contained HTML page on the cohort (inline SVG, no JS or URLs).

Sections: score distribution per module, competency heat map per trainee, exercises most often
failed (with the failing message), and who has not submitted. Chinese text is rendered by the
browser with the reader's CJK fonts, so nothing has to be embedded.
"""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from shequlab.curriculum import CurriculumError, load_curriculum
from shequlab.grading.export import competency_scores
from shequlab.grading.roster import load_roster

FONT = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
STYLE = f"""body{{font-family:{FONT};margin:2em;color:#222}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 6px;font-size:13px}} h2{{margin-top:1.6em}}"""


def _e(text: object) -> str:
    return html.escape(str(text))


def histogram_svg(title: str, scores: list[float], max_score: float, bins: int = 10) -> str:
    """Bars of how many trainees scored in each tenth of the maximum."""
    counts = [0] * bins
    for s in scores:
        counts[min(bins - 1, int(bins * s / max_score)) if max_score else 0] += 1
    top = max(counts) or 1
    w, h, bar = 420, 180, 36
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h + 40}" '
             f'font-family="{FONT}" font-size="11">',
             f'<text x="0" y="14" font-size="13">{_e(title)}</text>']  # fmt: skip
    for i, c in enumerate(counts):
        bh = (h - 40) * c / top
        x, y = 10 + i * (bar + 4), h - bh
        parts.append(f'<rect x="{x}" y="{y:.0f}" width="{bar}" height="{bh:.0f}" fill="#3b7dd8"/>')
        parts.append(
            f'<text x="{x + bar / 2}" y="{y - 3:.0f}" text-anchor="middle">{c or ""}</text>'
        )
        parts.append(f'<text x="{x + bar / 2}" y="{h + 14}" text-anchor="middle">'
                     f'{max_score * i / bins:g}</text>')  # fmt: skip
    parts.append(
        f'<text x="0" y="{h + 34}">得分 score (满分 max {max_score:g}) → 人数 trainees</text>'
    )
    return "".join(parts) + "</svg>"


def _heat(percent: float) -> str:
    # red (0 %) → yellow → green (100 %)
    hue = int(120 * max(0.0, min(1.0, percent / 100)))
    return f"hsl({hue},70%,75%)"


def failed_exercises(course_dir: Path, module: str) -> list[tuple[str, int, str]]:
    """(grade_id, trainees failing it, most common message) from the autograded notebooks."""
    fails: Counter[str] = Counter()
    messages: dict[str, Counter[str]] = {}
    for path in sorted(Path(course_dir).glob(f"autograded/*/{module}/exercises.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if not (meta.get("grade") and cell.cell_type == "code"):
                continue
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            if errors:
                fails[meta["grade_id"]] += 1
                msg = f"{errors[0].get('ename', '')}: {errors[0].get('evalue', '')}"[:200]
                messages.setdefault(meta["grade_id"], Counter())[msg] += 1
    return [(g, n, messages[g].most_common(1)[0][0]) for g, n in fails.most_common(10)]


def write_report(
    course_dir: Path, out: Path, program: str | None = None, root: Path | None = None
) -> Path:
    course_dir = Path(course_dir)
    roster = load_roster(course_dir)
    try:
        modules = load_curriculum(root).modules(program)
    except CurriculumError:
        modules = []
    module_ids = [m.id for m in modules]
    students = {s: t for s, t in roster.items() if program is None or t.program == program}
    body = [f"<h1>学员成绩报告 Cohort report{' — ' + _e(program) if program else ''}</h1>"]
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        if not roster:
            students = {s.id: None for s in gb.students}
        known = {a.name for a in gb.assignments}
        body.append("<h2>各模块得分分布 Score distribution per module</h2>")
        missing: dict[str, list[str]] = {}
        for mid in [m for m in module_ids if m in known]:
            scores, max_score = [], 0.0
            for sid in students:
                try:
                    sub = gb.find_submission(mid, sid)
                except MissingEntry:
                    missing.setdefault(mid, []).append(sid)
                    continue
                scores.append(sub.score)
                max_score = sub.max_score
            if scores:
                body.append(histogram_svg(mid, scores, max_score))
    comp = [r for r in competency_scores(course_dir, root) if r.student_id in students]
    body.append("<h2>能力热力图 Competency heat map (% of points)</h2>")
    comps = sorted({r.competency for r in comp})
    totals: dict[tuple[str, str], list[float]] = {}
    for r in comp:
        acc = totals.setdefault((r.student_id, r.competency), [0.0, 0.0])
        acc[0] += r.earned
        acc[1] += r.possible
    rows = [
        "<table><tr><th>学员 trainee</th>" + "".join(f"<th>{_e(c)}</th>" for c in comps) + "</tr>"
    ]
    for sid in sorted({r.student_id for r in comp}):
        name = students.get(sid).name if students.get(sid) else ""
        cells = []
        for c in comps:
            earned, possible = totals.get((sid, c), (0.0, 0.0))
            pct = 100 * earned / possible if possible else 0
            cells.append(
                f'<td style="background:{_heat(pct)}">{pct:.0f}</td>' if possible else "<td></td>"
            )
        rows.append(f"<tr><td>{_e(sid)} {_e(name)}</td>{''.join(cells)}</tr>")
    body.append("".join(rows) + "</table>")
    body.append("<h2>最常失败的练习 Exercises most often failed</h2>")
    for mid in module_ids:
        failed = failed_exercises(course_dir, mid)
        if failed:
            body.append(f"<h3>{_e(mid)}</h3><table><tr><th>练习 exercise</th><th>人数 trainees</th>"
                        "<th>最常见的错误 most common message</th></tr>")  # fmt: skip
            body += [f"<tr><td>{_e(g)}</td><td>{n}</td><td>{_e(m)}</td></tr>" for g, n, m in failed]
            body.append("</table>")
    body.append("<h2>未提交 Not submitted</h2>")
    if not missing:
        body.append("<p>全部已提交 everyone has submitted.</p>")
    for mid, sids in missing.items():
        names = ", ".join(f"{s} {students[s].name if students.get(s) else ''}" for s in sids)
        body.append(f"<p><b>{_e(mid)}</b>: {_e(names)}</p>")
    page = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>学员成绩报告 Cohort report</title><style>{STYLE}</style></head>"
            f"<body>{''.join(body)}</body></html>")  # fmt: skip
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out
