"""`shequlab grade feedback`: HTML feedback per trainee, hidden tests kept hidden.

The course config plugs shequlab.course.feedback.HideHiddenTests into GenerateFeedback; this
checks the result as well, and refuses to leave a feedback file that quotes a hidden test.
"""

from __future__ import annotations

import html
import os
import re
import stat
from pathlib import Path

import nbformat

from shequlab.course.nbgrader import nbgrader_api, run

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


def generate_feedback(course_dir: Path, module: str, student: str | None = None) -> dict[str, Path]:
    """nbgrader generate_feedback, then a leak check; returns trainee id -> feedback file."""
    course_dir = Path(course_dir)
    api = nbgrader_api(course_dir)
    run(api.generate_feedback(module, student_id=student or "*", force=True), "generate_feedback")
    hidden = hidden_test_lines(course_dir / "source" / module / "exercises.ipynb")
    files = {}
    for page in sorted((course_dir / "feedback").glob(f"*/{module}/exercises.html")):
        found = leaks(page.read_text(encoding="utf-8"), hidden)
        if found:
            page.unlink()
            raise RuntimeError(
                f"feedback for {page.parts[-3]} quoted hidden tests; removed: {found[:2]}"
            )
        files[page.parts[-3]] = page
        _note_for_case_notebook(page.parent)
    return files


CASE_NOTE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>case.ipynb</title></head>
<body><p>案例笔记本（case.ipynb）供阅读与探索，不计分；成绩与评语见 exercises.html。</p>
<p>The case notebook (case.ipynb) is for reading and exploring and is not graded; your score
and comments are in exercises.html.</p></body></html>
"""


def _note_for_case_notebook(folder: Path) -> None:
    """nbgrader offers feedback only when every submitted notebook has a page; case.ipynb is
    released beside the exercises and never graded, so it gets a short note instead."""
    submitted = folder.parents[2] / "submitted" / folder.parent.name / folder.name
    if (submitted / "case.ipynb").exists():
        (folder / "case.html").write_text(CASE_NOTE, encoding="utf-8")


def release_feedback(course_dir: Path, module: str, student: str | None = None) -> None:
    """Put the feedback pages in the exchange, where trainees' Fetch Feedback finds them."""
    api = nbgrader_api(Path(course_dir))
    run(api.release_feedback(module, student_id=student or "*"), "release_feedback")
    # nbgrader copies the course's file mode, which is trainers-only on a cohort course; in the
    # exchange a page is found only by the hash of its private submission, and must be readable.
    released = Path(api.config.Exchange.root) / api.coursedir.course_id / "feedback"
    for page in released.glob("*.html"):
        st = page.stat()
        if st.st_uid == os.geteuid() and st.st_mode & 0o444 != 0o444:
            page.chmod(stat.S_IMODE(st.st_mode) | 0o444)
