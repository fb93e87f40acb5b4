"""`shequlab grade autograde`: nbgrader's autograde, parallel and sandboxed, with statuses.

The steps per submission, in order (nbgrader's own, split between two kinds of process):
  parent   prepare      student + submission rows (one gradebook session), files copied as
                        nbgrader does (submitted extras, then the source's data files)
  worker   inspect      is it a notebook? locked cells edited, graded cells deleted or duplicated?
  worker   sanitize     ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, ...
  worker   execute      SandboxedExecute (warm fork in bubblewrap), IgnorePattern, LimitOutput, ...
  parent   save         SaveAutoGrades, AssignLatePenalties, CheckCellMetadata; write, chmod 444
Only the parent writes the gradebook, so grading processes never contend for it, and trainee
code (inside the sandbox) never sees it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, InvalidEntry, MissingEntry
from nbgrader.utils import find_all_files
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import event
from sqlalchemy.engine import Engine

from shequlab.autograder.gradebook import Progress as Journal
from shequlab.autograder.gradebook import backup_gradebook, submission_hash
from shequlab.autograder.nbgrader import put_venv_on_path
from shequlab.autograder.sandbox import Limits, bwrap_available
from shequlab.autograder.status import GRADED_STATUSES, STATUS_ORDER
from shequlab.autograder.worker import (
    Executed,
    check_metadata_schema_once,
    exporter,
    grade_in_worker,
    init_worker,
    pipeline,
)
from shequlab.layout.course import Course, NotBuiltError, as_course, sqlite_file


@dataclass
class NotebookResult:
    """One graded notebook of a submission."""

    status: str
    score: float | None = None
    max_score: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class SubmissionResult:
    """One row of the status table: the submission, and each of its notebooks."""

    student_id: str
    status: str
    score: float | None = None
    max_score: float | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    notebooks: dict[str, NotebookResult] = field(default_factory=dict)


@dataclass
class AutogradeRun:
    """The outcome of one `autograde` run."""

    module: str
    results: list[SubmissionResult]
    isolation: str
    backup: Path | None
    seconds: float
    interrupted: bool = False
    notebooks: list[str] = field(default_factory=list)  # the assignment's graded notebooks


def autograde_module(
    course_dir: Course | Path,
    module: str,
    *,
    students: list[str] | None = None,
    workers: int = 2,
    force: bool = False,
    isolation: str = "auto",
    limits: Limits | None = None,
    console: Console | None = None,
) -> AutogradeRun:
    """Autograde every submission of `module` (or `students`), `workers` notebooks in parallel."""
    started = time.perf_counter()
    put_venv_on_path()
    course = as_course(course_dir)
    notebooks = course.graded_notebooks(module)  # NotBuiltError before anything is touched
    console = console or Console(stderr=True)
    limits = limits or Limits()
    if isolation == "auto":
        isolation = "bwrap" if bwrap_available() else "none"
    if isolation == "none":
        console.print(
            "[yellow]警告 WARNING:[/] bubblewrap 不可用，学员代码以评分者身份运行（仅有资源限制）/ "
            "bwrap unavailable: trainee code runs as the grader, with rlimits only"
        )
    submissions = course.submissions(module)
    if students:
        submissions = {s: p for s, p in submissions.items() if s in set(students)}
    journal = Journal(course, module)

    results: dict[str, SubmissionResult] = {}
    todo: dict[str, str] = {}  # student -> fingerprint
    for student, folder in submissions.items():
        fingerprint = submission_hash(folder, notebooks)
        done = None if force else journal.done(student, fingerprint)
        if (
            done
            and done.get("status") != "error"
            and _outputs_present(course, module, student, done)
        ):
            results[student] = SubmissionResult(
                student, "skipped", done.get("score"), done.get("max_score"),
                [f"{done.get('status')} earlier; --force to grade again"],
            )  # fmt: skip
        elif not any((folder / f"{nb}.ipynb").is_file() for nb in notebooks):
            others = sorted(p.name for p in folder.iterdir()) or ["(empty folder)"]
            wanted = ", ".join(f"{nb}.ipynb" for nb in notebooks)
            results[student] = SubmissionResult(
                student, "no_notebook",
                notes=[f"files found: {', '.join(others)}; expected: {wanted}"],
            )  # fmt: skip
            journal.record(student, {"hash": fingerprint, "status": "no_notebook"})
        else:
            todo[student] = fingerprint

    backup = backup_gradebook(course, f"autograde-{module}") if todo else None
    interrupted = False
    if todo:
        check_metadata_schema_once()
        # Grading processes start now (forked: nbgrader & co. are already imported here) and warm
        # their sandboxes while this process prepares the submissions.
        scratch_root = tempfile.mkdtemp(prefix="sqg-run-")  # every sandbox's scratch, this run
        tasks = [(s, nb) for s in todo for nb in notebooks
                 if (submissions[s] / f"{nb}.ipynb").is_file()]  # fmt: skip
        pool = _start_pool(
            course.root, module, isolation, limits, min(workers, len(tasks)), scratch_root
        )
        try:
            with fast_commits(course.db_url):
                prepare_submissions(course, module, list(todo))
                _run_pool(pool, course, module, tasks, todo, journal, results, console)
        except BaseException as exc:
            _kill_pool(pool)
            if not isinstance(exc, KeyboardInterrupt):
                raise
            interrupted = True
        else:
            pool.shutdown(wait=True)
        finally:
            shutil.rmtree(scratch_root, ignore_errors=True)
    ordered = [results[s] for s in sorted(results)]
    return AutogradeRun(
        module, ordered, isolation, backup, time.perf_counter() - started, interrupted, notebooks
    )


def _outputs_present(course: Course, module: str, student: str, done: dict) -> bool:
    """What a recorded result relies on is still there: every autograded notebook it wrote."""
    if done.get("status") == "no_notebook":
        return True
    if "written" not in done:
        return False  # a record from before the journal listed its files: grade again to be sure
    folder = course.autograded(student, module)
    return all((folder / f"{nb}.ipynb").is_file() for nb in done["written"])


def prepare_submissions(course: Course, module: str, students: list[str]) -> None:
    """Gradebook rows and files, as nbgrader's init_assignment does, in one gradebook session:
    a graded notebook the trainee did not submit scores zero, as nbgrader scores it."""
    coursedir = course.coursedir
    source = course.source(module)
    ignore = [*coursedir.ignore, "*.ipynb"]
    source_files = find_all_files(str(source), ignore)
    _create_students(course, students)
    with Gradebook(course.db_url, course.course_id) as gb:
        try:
            assignment = gb.find_assignment(module)
        except MissingEntry as exc:
            raise NotBuiltError(
                f"{module} 不在成绩簿中，请先运行 shequlab course build / "
                f"{module} is not in the gradebook; run `shequlab course build` first"
            ) from exc
        notebook_names = [nb.name for nb in assignment.notebooks]
        for student in students:
            gb.update_or_create_student(student)
            submitted = str(course.submitted(student, module))
            timestamp = coursedir.get_existing_timestamp(submitted)
            if timestamp:
                gb.update_or_create_submission(module, student, timestamp=timestamp)
            else:
                gb.update_or_create_submission(module, student)
            for name in notebook_names:
                if not (Path(submitted) / f"{name}.ipynb").exists():
                    notebook = gb.find_submission_notebook(name, module, student)
                    for grade in notebook.grades:
                        grade.auto_score = 0
                        grade.needs_manual_grade = False
                    gb.db.commit()
            dest = course.autograded(student, module)
            if dest.exists():
                _make_writable(dest)
                shutil.rmtree(dest)
            dest.mkdir(parents=True)
            for origin, files in ((Path(submitted), find_all_files(submitted, ignore)),
                                  (source, source_files)):  # fmt: skip
                for name in files:
                    target = dest / Path(name).relative_to(origin)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if target.exists():
                        target.unlink()
                    shutil.copy(name, target)


def _create_students(course: Course, students: list[str], attempts: int = 5) -> None:
    """Add the trainees the gradebook lacks. Another grading run (another module, another
    machine, one server gradebook) may add the same trainee at the same moment: then the
    insert fails on its unique key, and the next attempt finds the trainee there."""
    for attempt in range(1, attempts + 1):
        try:
            with Gradebook(course.db_url, course.course_id) as gb:
                for student in students:
                    gb.update_or_create_student(student)
            return
        except InvalidEntry:
            if attempt == attempts:
                raise
            time.sleep(0.2 * attempt)


def _make_writable(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            path.chmod(0o644)


def _start_pool(
    course_dir, module, isolation, limits, workers: int, scratch_root: str
) -> ProcessPoolExecutor:
    """Grading processes, forked from this one and started at once.

    Forked, not spawned: each starts with nbgrader, nbconvert and nbclient already imported
    (seconds of start-up each on a busy machine). The fork happens before this process opens the
    gradebook or starts any thread (the progress bar comes later), so nothing is inherited but
    imported modules: no sqlite handle, no zmq context, no lock held by another thread. A host
    process that already runs other threads (a server, a test runner with helpers) gets spawned
    workers instead, as forking it could copy a lock some thread holds.
    """
    method = "fork" if threading.active_count() == 1 else "spawn"
    pool = ProcessPoolExecutor(
        max_workers=max(1, workers),
        mp_context=multiprocessing.get_context(method),
        initializer=init_worker,
        initargs=(str(course_dir), module, isolation, limits, scratch_root, os.getpid()),
    )
    pool.submit(_noop)  # launches every process now (the fork start method starts them all)
    return pool


def _noop() -> None:
    return None


@contextlib.contextmanager
def fast_commits(db_url: str):
    """While grades are saved: the gradebook in WAL mode with synchronous=NORMAL, then back.

    nbgrader commits after every grade and comment (≈20 commits per submission), and each commit
    in SQLite's default mode waits for several fsyncs. In WAL mode with synchronous=NORMAL a commit
    is a plain append: the database stays consistent on a crash or power cut (only the last commits
    could be lost, and the backup taken before the run still holds the rest). Readers (the grading
    processes reading source cells) no longer wait for the writer either. Journal mode is restored
    at the end; if SQLite cannot switch (another program holds the file), nothing changes.
    """
    path = sqlite_file(db_url)
    if path is None or not path.exists() or _journal_mode(str(path), "wal") != "wal":
        yield
        return

    def on_connect(dbapi_connection, _record) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    event.listen(Engine, "connect", on_connect)
    try:
        yield
    finally:
        event.remove(Engine, "connect", on_connect)
        _journal_mode(str(path), "delete")


def _journal_mode(path: str, mode: str) -> str | None:
    try:
        con = sqlite3.connect(path, timeout=10)
        try:
            return con.execute(f"PRAGMA journal_mode={mode}").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return None


def _run_pool(pool, course, module, tasks, todo, journal, results, console) -> None:
    _, _, save_steps = pipeline(course.config)
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    remaining = {s: sum(1 for t in tasks if t[0] == s) for s in todo}
    executed: dict[str, list[Executed]] = {s: [] for s in todo}
    written: dict[str, list[str]] = {s: [] for s in todo}  # autograded notebooks on disk
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"autograde {module}", total=len(tasks))
        pending = {pool.submit(grade_in_worker, s, nb): (s, nb) for s, nb in tasks}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                student, notebook = pending.pop(future)
                try:
                    one = future.result()
                except Exception as exc:  # the grading process itself died
                    one = Executed(student, notebook, "error", [f"{type(exc).__name__}: {exc}"])
                if save_notebook(course, module, save_steps, one):
                    written[student].append(one.notebook_id)
                executed[student].append(one)
                remaining[student] -= 1
                bar.advance(task)
                if remaining[student] == 0:
                    result = submission_result(course, module, executed[student])
                    results[student] = result
                    journal.record(student, {
                        "hash": todo[student], "status": result.status, "score": result.score,
                        "max_score": result.max_score, "notes": result.notes,
                        "notebooks": {nb: r.status for nb, r in result.notebooks.items()},
                        "written": sorted(written[student]),
                    })  # fmt: skip


def _kill_pool(pool: ProcessPoolExecutor) -> None:
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()  # their sandboxes die with them (--die-with-parent)
    pool.shutdown(wait=False, cancel_futures=True)


def save_notebook(course: Course, module: str, save_steps: list, executed: Executed) -> bool:
    """Write grades (SaveAutoGrades & co.) and the autograded notebook; or clean up a failure.
    True when the autograded notebook was written."""
    dest = course.autograded(executed.student_id, module)
    notebook_file = dest / f"{executed.notebook_id}.ipynb"
    if executed.notebook is None or executed.status not in GRADED_STATUSES:
        if notebook_file.exists():  # like nbgrader: a failed notebook is removed, grades stay unset
            notebook_file.chmod(0o644)
            notebook_file.unlink()
        return False
    nb = executed.notebook
    resources = {**executed.resources, "nbgrader": dict(executed.resources["nbgrader"])}
    output, _ = exporter(course.config, save_steps).from_notebook_node(nb, resources=resources)
    if notebook_file.exists():
        notebook_file.chmod(0o644)
    notebook_file.write_text(output, encoding="utf-8")
    for path in dest.rglob("*"):
        if path.is_file():
            path.chmod(0o444)
    return True


def submission_result(course: Course, module: str, executed: list[Executed]) -> SubmissionResult:
    """The status table's row: each notebook's status and score, and the submission's.

    The submission's status is the first of its notebooks' in STATUSES' order (the most serious);
    its score is the sum of the notebooks' autograded scores, as nbgrader totals them."""
    student = executed[0].student_id
    scores = _scores(course, module, student)
    several = len(scores) > 1
    notebooks: dict[str, NotebookResult] = {}
    for one in sorted(executed, key=lambda e: e.notebook_id):
        score, max_score = scores.get(one.notebook_id, (None, None))
        notebooks[one.notebook_id] = NotebookResult(one.status, score, max_score, one.notes)
    for nb, (score, max_score) in scores.items():
        if nb not in notebooks:  # in the assignment, not in the submission: zero, as nbgrader
            notebooks[nb] = NotebookResult(
                "no_notebook", score, max_score, [f"{nb}.ipynb not submitted: 0 points"]
            )
    status = min((r.status for r in notebooks.values()), key=STATUS_ORDER.index)
    notes = [f"{nb}: {n}" if several else n for nb, r in notebooks.items() for n in r.notes]
    if status == "no_notebook":  # some notebooks were graded: the submission was graded
        status = min((r.status for r in notebooks.values() if r.status != "no_notebook"),
                     key=STATUS_ORDER.index)  # fmt: skip
    graded = [r for r in notebooks.values() if r.score is not None]
    total = sum(r.score for r in graded) if graded else None
    max_total = sum(r.max_score or 0 for r in notebooks.values()) if scores else None
    return SubmissionResult(
        student, status, total, max_total, notes, sum(e.seconds for e in executed), notebooks
    )


def _scores(course: Course, module: str, student: str) -> dict[str, tuple[float | None, float]]:
    """notebook id -> (autograded score, or None when nothing was autograded; max)."""
    with Gradebook(course.db_url, course.course_id) as gb:
        try:
            submission = gb.find_submission(module, student)
        except MissingEntry:
            return {}
        out = {}
        for nb in submission.notebooks:
            graded = [g for g in nb.grades if g.auto_score is not None]
            out[nb.name] = ((nb.code_score if graded else None), nb.max_code_score)
        return out
