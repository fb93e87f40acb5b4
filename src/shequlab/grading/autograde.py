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

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import find_all_files
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import event
from sqlalchemy.engine import Engine

from shequlab.course.nbgrader import load_course_config, put_venv_on_path
from shequlab.grading.gradebook import Progress as Journal
from shequlab.grading.gradebook import backup_gradebook, submission_hash
from shequlab.grading.sandbox import Limits, bwrap_available
from shequlab.grading.status import GRADED_STATUSES
from shequlab.grading.worker import (
    NOTEBOOK,
    Executed,
    check_metadata_schema_once,
    exporter,
    grade_in_worker,
    init_worker,
    pipeline,
)


@dataclass
class SubmissionResult:
    """One row of the status table."""

    student_id: str
    status: str
    score: float | None = None
    max_score: float | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class AutogradeRun:
    """The outcome of one `autograde` run."""

    module: str
    results: list[SubmissionResult]
    isolation: str
    backup: Path | None
    seconds: float
    interrupted: bool = False


def find_submissions(coursedir: CourseDirectory, module: str) -> dict[str, Path]:
    """student id -> submitted/<student>/<module>/ folder."""
    root = Path(coursedir.root) / coursedir.submitted_directory
    return {d.parent.name: d for d in sorted(root.glob(f"*/{module}")) if d.is_dir()}


def autograde_module(
    course_dir: Path,
    module: str,
    *,
    students: list[str] | None = None,
    workers: int = 2,
    force: bool = False,
    isolation: str = "auto",
    limits: Limits | None = None,
    console: Console | None = None,
) -> AutogradeRun:
    """Autograde every submission of `module` (or `students`), `workers` in parallel."""
    started = time.perf_counter()
    put_venv_on_path()
    course_dir = Path(course_dir).resolve()
    console = console or Console(stderr=True)
    limits = limits or Limits()
    if isolation == "auto":
        isolation = "bwrap" if bwrap_available() else "none"
    if isolation == "none":
        console.print(
            "[yellow]警告 WARNING:[/] bubblewrap 不可用，学员代码以评分者身份运行（仅有资源限制）/ "
            "bwrap unavailable: trainee code runs as the grader, with rlimits only"
        )
    config = load_course_config(course_dir)
    coursedir = CourseDirectory(config=config)
    submissions = find_submissions(coursedir, module)
    if students:
        submissions = {s: p for s, p in submissions.items() if s in set(students)}
    journal = Journal(course_dir, module)

    results: dict[str, SubmissionResult] = {}
    todo: dict[str, str] = {}  # student -> fingerprint
    for student, folder in submissions.items():
        fingerprint = submission_hash(folder)
        done = None if force else journal.done(student, fingerprint)
        if done and done.get("status") != "error":
            results[student] = SubmissionResult(
                student, "skipped", done.get("score"), done.get("max_score"),
                [f"{done.get('status')} earlier; --force to grade again"],
            )  # fmt: skip
        elif not (folder / f"{NOTEBOOK}.ipynb").is_file():
            others = sorted(p.name for p in folder.iterdir()) or ["(empty folder)"]
            results[student] = SubmissionResult(
                student, "no_notebook", notes=[f"files found: {', '.join(others)}"]
            )
            journal.record(student, {"hash": fingerprint, "status": "no_notebook"})
        else:
            todo[student] = fingerprint

    backup = backup_gradebook(course_dir, f"autograde-{module}") if todo else None
    interrupted = False
    if todo:
        check_metadata_schema_once()
        # Grading processes start now (forked: nbgrader & co. are already imported here) and warm
        # their sandboxes while this process prepares the submissions.
        scratch_root = tempfile.mkdtemp(prefix="sqg-run-")  # every sandbox's scratch, this run
        pool = _start_pool(
            course_dir, module, isolation, limits, min(workers, len(todo)), scratch_root
        )
        try:
            with fast_commits(coursedir.db_url):
                prepare_submissions(coursedir, config, module, list(todo))
                _run_pool(pool, config, coursedir, module, todo, journal, results, console)
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
        module, ordered, isolation, backup, time.perf_counter() - started, interrupted
    )


def prepare_submissions(
    coursedir: CourseDirectory, config, module: str, students: list[str]
) -> None:
    """Gradebook rows and files, as nbgrader's init_assignment does, in one gradebook session."""
    source = Path(coursedir.format_path(coursedir.source_directory, ".", module))
    ignore = [*coursedir.ignore, "*.ipynb"]
    source_files = find_all_files(str(source), ignore)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        try:
            gb.find_assignment(module)
        except MissingEntry as exc:
            raise RuntimeError(
                f"{module} 不在成绩簿中，请先 shequlab course build / "
                f"{module} is not in the gradebook; run `shequlab course build` first"
            ) from exc
        for student in students:
            gb.update_or_create_student(student)
            submitted = coursedir.format_path(coursedir.submitted_directory, student, module)
            timestamp = coursedir.get_existing_timestamp(submitted)
            if timestamp:
                gb.update_or_create_submission(module, student, timestamp=timestamp)
            else:
                gb.update_or_create_submission(module, student)
            dest = Path(coursedir.format_path(coursedir.autograded_directory, student, module))
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
    path = db_url.removeprefix("sqlite:///") if db_url.startswith("sqlite:///") else None
    if path is None or not Path(path).exists() or _journal_mode(path, "wal") != "wal":
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
        _journal_mode(path, "delete")


def _journal_mode(path: str, mode: str) -> str | None:
    try:
        con = sqlite3.connect(path, timeout=10)
        try:
            return con.execute(f"PRAGMA journal_mode={mode}").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return None


def _run_pool(pool, config, coursedir, module, todo, journal, results, console) -> None:
    _, _, save_steps = pipeline(config)
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"autograde {module}", total=len(todo))
        pending = {pool.submit(grade_in_worker, s): s for s in todo}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                student = pending.pop(future)
                try:
                    executed = future.result()
                except Exception as exc:  # the grading process itself died
                    executed = Executed(student, "error", [f"{type(exc).__name__}: {exc}"])
                result = save_result(coursedir, config, module, save_steps, executed)
                results[student] = result
                journal.record(student, {
                    "hash": todo[student], "status": result.status, "score": result.score,
                    "max_score": result.max_score, "notes": result.notes,
                })  # fmt: skip
                bar.advance(task)


def _kill_pool(pool: ProcessPoolExecutor) -> None:
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()  # their sandboxes die with them (--die-with-parent)
    pool.shutdown(wait=False, cancel_futures=True)


def save_result(
    coursedir, config, module: str, save_steps: list, executed: Executed
) -> SubmissionResult:
    """Write grades (SaveAutoGrades & co.) and the autograded notebook; or clean up a failure."""
    dest = Path(coursedir.format_path(coursedir.autograded_directory, executed.student_id, module))
    notebook_file = dest / f"{NOTEBOOK}.ipynb"
    result = SubmissionResult(executed.student_id, executed.status, notes=executed.notes,
                              seconds=executed.seconds)  # fmt: skip
    if executed.notebook is None or executed.status not in GRADED_STATUSES:
        if notebook_file.exists():  # like nbgrader: a failed notebook is removed, grades stay unset
            notebook_file.chmod(0o644)
            notebook_file.unlink()
        result.score, result.max_score = _scores(coursedir, module, executed.student_id)
        return result
    nb = executed.notebook
    resources = {**executed.resources, "nbgrader": dict(executed.resources["nbgrader"])}
    output, _ = exporter(config, save_steps).from_notebook_node(nb, resources=resources)
    if notebook_file.exists():
        notebook_file.chmod(0o644)
    notebook_file.write_text(output, encoding="utf-8")
    for path in dest.rglob("*"):
        if path.is_file():
            path.chmod(0o444)
    result.score, result.max_score = _scores(coursedir, module, executed.student_id)
    return result


def _scores(coursedir, module: str, student: str) -> tuple[float | None, float | None]:
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        try:
            nb = gb.find_submission_notebook(NOTEBOOK, module, student)
        except MissingEntry:
            return None, None
        graded = [g for g in nb.grades if g.auto_score is not None]
        return (nb.code_score if graded else None), nb.max_code_score
