"""`shequlab grade feedback`: HTML feedback per trainee, hidden tests kept hidden.

The course config plugs shequlab.course.feedback.HideHiddenTests into GenerateFeedback; this
checks the result as well, and refuses to leave a feedback file that quotes a hidden test.
"""

from __future__ import annotations

import html
import re
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
    return files
