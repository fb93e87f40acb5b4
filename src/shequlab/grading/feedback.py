"""`shequlab grade feedback`: HTML feedback per trainee, hidden tests kept hidden.

The course config plugs shequlab.autograder.hidden_tests.HideHiddenTests into GenerateFeedback; this
checks the result as well, and refuses to leave a feedback page that quotes a hidden test.
Each trainee is a step of its own: one trainee's failure is that trainee's status, and the
others' feedback is still written and checked.
"""

from __future__ import annotations

import html
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from shequlab.autograder.nbgrader import NbGraderError, nbgrader_api, run
from shequlab.layout.course import Course, as_course

BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def hidden_test_lines(source_notebook: Path) -> list[str]:
    """Every non-trivial line between the hidden-test markers of the source notebook."""
    nb = nbformat.read(source_notebook, as_version=4)
    lines = []
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            if BEGIN in line:
                inside = True
            elif END in line:
                inside = False
            elif inside and len(line.strip()) > 8:
                lines.append(line.strip())
    return lines


def leaks(html_text: str, hidden: list[str]) -> list[str]:
    """Hidden-test lines (their code, not their message) that appear in a feedback page."""
    text = html.unescape(re.sub(r"<[^>]+>", "", html_text))
    return [line for line in hidden if line in text]


@dataclass
class FeedbackRun:
    """Feedback pages written per trainee, and the trainees it failed for (with why)."""

    pages: dict[str, list[Path]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def generate_feedback(
    course_dir: Course | Path, module: str, student: str | None = None
) -> FeedbackRun:
    """nbgrader generate_feedback for each autograded trainee (or `student`), then a leak check
    on every page written."""
    course = as_course(course_dir)
    notebooks = course.graded_notebooks(module)
    hidden = [line for nb in notebooks
              for line in hidden_test_lines(course.source(module) / f"{nb}.ipynb")]  # fmt: skip
    submitted = course.submissions(module)
    students = sorted({*submitted, *course.student_folders("autograded", module)})
    if student is not None:
        students = [student]
    api = nbgrader_api(course.root)
    result = FeedbackRun()
    for sid in students:
        graded = course.autograded(sid, module)
        lost = [f"{nb}.ipynb" for nb in notebooks
                if (course.submitted(sid, module) / f"{nb}.ipynb").is_file()
                and not (graded / f"{nb}.ipynb").is_file()]  # fmt: skip
        if lost:  # feedback from what is left would be incomplete, and misleading
            result.failed[sid] = (
                f"{', '.join(lost)} 未评分 not autograded; 请先运行 run `shequlab grade "
                f"autograde {module} --student {sid}`"
            )
            continue
        try:
            run(api.generate_feedback(module, student_id=sid, force=True), "generate_feedback")
        except NbGraderError as exc:
            result.failed[sid] = _last_error(str(exc))
            continue
        folder = course.feedback(sid, module)
        pages = []
        for nb in notebooks:
            page = folder / f"{nb}.html"
            if not page.exists():
                continue
            found = leaks(page.read_text(encoding="utf-8"), hidden)
            if found:
                page.unlink()
                result.failed[sid] = f"feedback quoted hidden tests; page removed: {found[:2]}"
                break
            pages.append(page)
        else:
            result.pages[sid] = pages
            _notes_for_ungraded_notebooks(course, module, sid, notebooks)
    return result


def _last_error(log: str) -> str:
    """The line of nbgrader's log that says what went wrong."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    errors = [line for line in lines if "[ERROR]" in line or "Error" in line]
    return (errors or lines or ["nbgrader failed"])[-1][:300]


NOTE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{name}</title></head>
<body><p>{name} 供阅读与探索，不计分；成绩与评语见 {graded}。</p>
<p>{name} is for reading and exploring and is not graded; your score and comments are in
{graded}.</p></body></html>
"""


def _notes_for_ungraded_notebooks(
    course: Course, module: str, student: str, notebooks: list[str]
) -> None:
    """nbgrader offers feedback only when every submitted notebook has a page; a notebook
    released beside the graded ones (our case.ipynb) gets a short note instead."""
    submitted = course.submitted(student, module)
    folder = course.feedback(student, module)
    graded = ", ".join(f"{nb}.html" for nb in notebooks)
    for path in submitted.glob("*.ipynb"):
        if path.stem not in notebooks:
            page = folder / f"{path.stem}.html"
            page.write_text(NOTE.format(name=path.name, graded=graded), encoding="utf-8")


def release_feedback(
    course_dir: Course | Path, module: str, students: list[str] | None = None
) -> None:
    """Put the feedback pages in the exchange, where trainees' Fetch Feedback finds them."""
    api = nbgrader_api(as_course(course_dir).root)
    for sid in students if students is not None else ["*"]:
        run(api.release_feedback(module, student_id=sid), "release_feedback")
    # nbgrader copies the course's file mode, which is trainers-only on a cohort course; in the
    # exchange a page is found only by the hash of its private submission, and must be readable.
    released = Path(api.config.Exchange.root) / api.coursedir.course_id / "feedback"
    for page in released.glob("*.html"):
        st = page.stat()
        if st.st_uid == os.geteuid() and st.st_mode & 0o444 != 0o444:
            page.chmod(stat.S_IMODE(st.st_mode) | 0o444)
