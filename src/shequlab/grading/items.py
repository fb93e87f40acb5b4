"""Item analysis for the cohort report: per graded cell, who got full points, whether it separates
stronger from weaker trainees, and which failing messages recur — what a trainer revisits in class.

The discrimination index is the item–rest correlation: Pearson's r between the item's score and the
trainee's score on the module's other graded cells (for an all-or-nothing item this is the
point-biserial correlation). It uses every trainee, not only the upper and lower 27 %, which matters
in cohorts of 20–40, and leaves the item out of the total so it does not correlate with itself.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory

HARD_FULL_SHARE = 0.30  # fewer than 30 % of trainees with full points: 太难 / too hard
LOW_DISCRIMINATION = 0.20  # item–rest r below 0.20: 区分度低 (Ebel's "poor item" band)
MIN_TRAINEES = 10  # fewer graded trainees: too few to judge an item, no flags
TOP_MESSAGES = 3
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class FailingMessage:
    """One normalised failing message of a test cell and how many trainees met it."""

    text: str
    count: int


@dataclass(frozen=True)
class ItemStats:
    """One graded cell of a module over the trainees analysed."""

    module: str
    notebook: str
    grade_id: str
    number: int  # 1-based place among the notebook's graded cells ("练习 3"); 0 when unknown
    manual: bool
    max_score: float
    scores: dict[str, float]  # trainee -> score, graded trainees only
    ungraded: int  # trainees whose manually graded cell has no score yet
    discrimination: float | None  # item–rest r; None: too few trainees or no spread
    messages: list[FailingMessage] = field(default_factory=list)

    @property
    def graded(self) -> int:
        return len(self.scores)

    @property
    def full(self) -> int:
        return sum(1 for s in self.scores.values() if s >= self.max_score)

    @property
    def full_share(self) -> float | None:
        return self.full / self.graded if self.graded else None

    @property
    def too_hard(self) -> bool:
        return self.graded >= MIN_TRAINEES and self.full_share < HARD_FULL_SHARE

    @property
    def low_discrimination(self) -> bool:
        return (
            self.graded >= MIN_TRAINEES
            and self.discrimination is not None
            and self.discrimination < LOW_DISCRIMINATION
        )


def course_directory(course_dir: Path) -> CourseDirectory:
    """nbgrader's CourseDirectory of the course, from its nbgrader_config.py (db_url, paths)."""
    from shequlab.layout.course import load_course_config

    return CourseDirectory(config=load_course_config(course_dir))


def _clean(text: str) -> str:
    """Colours and repeated spaces removed; one line per non-empty line of `text`."""
    lines = (" ".join(line.split()) for line in _ANSI.sub("", text or "").splitlines())
    return "\n".join(line for line in lines if line)


def _cut(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def normalise_message(ename: str, evalue: str) -> str:
    """The error's name and value, colours and whitespace removed, long values cut."""
    text = " ".join(_clean(evalue).split())
    if not text:
        return f"{ename}（无说明 / no message）"
    return _cut(f"{ename}: {text}" if ename else text)


def cell_failure(outputs: list[dict]) -> str | None:
    """The failing message of a test cell's outputs (None: the cell did not fail).

    It is the first error's name and value — or, when an earlier display output of the cell
    starts with that very value, the rest of that output's plain text: a check helper's box that
    expands its one-line error with what is wrong and a hint (e.g. the misconception's name).
    Tracebacks are never read: they quote the hidden tests.
    """
    errors = [o for o in outputs if o.get("output_type") == "error"]
    if not errors:
        return None
    error = errors[0]
    ename, evalue = error.get("ename", ""), " ".join(_clean(error.get("evalue", "")).split())
    for output in outputs:
        if output is error:
            break
        if output.get("output_type") not in ("display_data", "execute_result"):
            continue
        text = _clean(output.get("data", {}).get("text/plain", ""))
        if evalue and text.startswith(evalue):  # the row names the exercise: keep what is wrong
            return _cut(text.removeprefix(evalue).strip() or text)
    return normalise_message(ename, evalue)


def failing_messages(
    coursedir: CourseDirectory, module: str, students: list[str]
) -> dict[tuple[str, str], Counter[str]]:
    """(notebook, grade_id) -> how many trainees' autograded test cell ended in each message."""
    counts: dict[tuple[str, str], Counter[str]] = {}
    for sid in students:
        folder = Path(coursedir.format_path(coursedir.autograded_directory, sid, module))
        for path in sorted(folder.glob("*.ipynb")):
            try:
                nb = nbformat.read(path, as_version=4)
            except (OSError, ValueError):
                continue
            seen: set[str] = set()
            for cell in nb.cells:
                meta = cell.get("metadata", {}).get("nbgrader", {})
                grade_id = meta.get("grade_id")
                if cell.cell_type != "code" or not meta.get("grade") or grade_id in seen:
                    continue
                seen.add(grade_id)
                text = cell_failure(cell.get("outputs", []))
                if text:
                    counts.setdefault((path.stem, grade_id), Counter())[text] += 1
    return counts


def graded_cell_order(coursedir: CourseDirectory, module: str, notebook: str) -> list[str]:
    """grade_ids of the source notebook's graded cells in reading order ([] if unreadable)."""
    folder = Path(coursedir.format_path(coursedir.source_directory, ".", module))
    path = folder / f"{notebook}.ipynb"
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return []
    ids = [c.metadata.get("nbgrader", {}) for c in nb.cells]
    return [m["grade_id"] for m in ids if (m.get("grade") or m.get("task")) and "grade_id" in m]


def item_rest_correlation(item: list[float], rest: list[float]) -> float | None:
    """Pearson's r of item and rest scores; None with fewer than 3 pairs or a constant side."""
    if len(item) < 3 or len(set(item)) < 2 or len(set(rest)) < 2:
        return None
    return statistics.correlation(item, rest)


def analyse_module(
    gb: Gradebook, coursedir: CourseDirectory, module: str, students: list[str]
) -> list[ItemStats]:
    """Item statistics of every graded cell of `module`, over `students` who submitted it."""
    assignment = gb.find_assignment(module)
    cells: list[tuple[str, str, float, bool]] = []  # notebook, grade_id, max score, manual
    order: dict[tuple[str, str], int] = {}
    for nb in sorted(assignment.notebooks, key=lambda n: n.name):
        solutions = {c.name for c in nb.solution_cells}
        found = [(nb.name, c.name, c.max_score, c.name in solutions) for c in nb.grade_cells]
        found += [(nb.name, c.name, c.max_score, True) for c in nb.task_cells]
        ids = graded_cell_order(coursedir, module, nb.name)
        order.update({(nb.name, g): i + 1 for i, g in enumerate(ids)})
        cells += sorted(found, key=lambda c: order.get(c[:2], len(ids) + 1))
    scores: dict[tuple[str, str], dict[str, float | None]] = {(n, g): {} for n, g, _, _ in cells}
    manual = {(n, g) for n, g, _, is_manual in cells if is_manual}
    submitted = []
    for sid in students:
        try:
            gb.find_submission(module, sid)
        except MissingEntry:
            continue
        submitted.append(sid)
        for nb in assignment.notebooks:
            try:
                grades = gb.find_submission_notebook(nb.name, module, sid).grades
            except MissingEntry:
                grades = []
            by_name = {g.name: g for g in grades}
            for key in [k for k in scores if k[0] == nb.name]:
                g = by_name.get(key[1])
                if key in manual and (g is None or (g.manual_score, g.auto_score) == (None, None)):
                    scores[key][sid] = None  # waits for a trainer's grade
                else:  # an autograded cell without a grade counts 0, as in nbgrader's total
                    scores[key][sid] = float(g.score) if g is not None else 0.0
    # The rest score sums only cells graded for every trainee, so a reflection not yet graded for
    # some trainees does not read as a low rest score.
    complete = [k for k, v in scores.items() if all(s is not None for s in v.values())]
    messages = failing_messages(coursedir, module, submitted)
    items = []
    for notebook, grade_id, max_score, manual in cells:
        key = (notebook, grade_id)
        graded = {s: v for s, v in scores[key].items() if v is not None}
        others = [k for k in complete if k != key]
        rest = [sum(scores[k][s] for k in others) for s in graded]
        counted = messages.get(key, Counter()).most_common(TOP_MESSAGES)
        items.append(
            ItemStats(
                module=module,
                notebook=notebook,
                grade_id=grade_id,
                number=order.get(key, 0),
                manual=manual,
                max_score=max_score,
                scores=graded,
                ungraded=len(scores[key]) - len(graded),
                discrimination=item_rest_correlation(list(graded.values()), rest)
                if others
                else None,
                messages=[FailingMessage(t, n) for t, n in counted],
            )
        )
    return items
