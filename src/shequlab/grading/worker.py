"""One grading process: sanitize and execute submissions exactly as `nbgrader autograde` does.

Each grading process owns one sandboxed fork-server. It reads the gradebook (OverwriteCells needs
the source cells) but never writes it: grades are saved by the parent, in one place.
The preprocessor lists are read from nbgrader's Autograde converter as the course configures it,
so a course setting that changes them applies here too; only Execute is swapped.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, SaveAutoGrades
from traitlets.config import Config

from shequlab.course.nbgrader import load_course_config
from shequlab.grading.checks import inspect_submission
from shequlab.grading.kernel import SandboxedExecute
from shequlab.grading.sandbox import ForkServer, Limits, SandboxError
from shequlab.grading.status import classify_outputs

NOTEBOOK = "exercises"


@dataclass
class Executed:
    """What a grading process hands back for one submission."""

    student_id: str
    status: str
    notes: list[str] = field(default_factory=list)
    notebook: str | None = None  # executed notebook JSON, ready for SaveAutoGrades
    resources: dict = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class _Worker:
    course_dir: Path
    module: str
    config: Config
    coursedir: CourseDirectory
    sanitize: list
    execute: list
    release: nbformat.NotebookNode | None
    forkserver: ForkServer
    isolation: str


_WORKER: _Worker | None = None


def pipeline(config: Config) -> tuple[list, list, list]:
    """nbgrader's autograde steps, split where grades start being written.

    Returns (sanitize, execute, save): sanitize and execute run in a grading process (Execute
    replaced by SandboxedExecute), save (SaveAutoGrades and what follows it) in the parent.
    """
    converter = Autograde(coursedir=CourseDirectory(config=config), config=config)
    steps = list(converter.autograde_preprocessors)
    cut = steps.index(SaveAutoGrades)
    execute = [SandboxedExecute if p is Execute else p for p in steps[:cut]]
    return list(converter.sanitize_preprocessors), execute, steps[cut:]


def exporter(config: Config, preprocessors: list) -> NotebookExporter:
    """An exporter set up as nbgrader's converters do: no default preprocessors, ours registered
    with their configured `enabled` (ClearMetadataPreprocessor, for one, stays off)."""
    config = Config(config)
    config.Exporter.default_preprocessors = []
    exp = NotebookExporter(config=config)
    for pp in preprocessors:
        exp.register_preprocessor(pp)
    return exp


def init_worker(course_dir: str, module: str, isolation: str, limits: Limits) -> None:
    """Process-pool initializer: load the course config and start this process's sandbox."""
    global _WORKER
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    config = load_course_config(Path(course_dir))
    coursedir = CourseDirectory(config=config)
    sanitize, execute, _ = pipeline(config)
    release_path = Path(coursedir.release_directory)
    release_nb = Path(course_dir) / release_path / module / f"{NOTEBOOK}.ipynb"
    forkserver = ForkServer(isolation=isolation)
    forkserver.start()
    SandboxedExecute.forkserver = forkserver
    SandboxedExecute.limits = limits
    _WORKER = _Worker(
        course_dir=Path(course_dir),
        module=module,
        config=config,
        coursedir=coursedir,
        sanitize=sanitize,
        execute=execute,
        release=nbformat.read(release_nb, as_version=4) if release_nb.exists() else None,
        forkserver=forkserver,
        isolation=isolation,
    )


def _restart_sandbox(w: _Worker) -> None:
    w.forkserver.close()
    w.forkserver = ForkServer(isolation=w.isolation)
    w.forkserver.start()
    SandboxedExecute.forkserver = w.forkserver


def grade_in_worker(student_id: str) -> Executed:
    """Sanitize, then execute one submission; never raises for anything the submission does."""
    w = _WORKER
    assert w is not None, "init_worker was not called"
    started = time.perf_counter()
    result = _grade(w, student_id)
    result.seconds = time.perf_counter() - started
    return result


def _grade(w: _Worker, student_id: str) -> Executed:
    cd = w.coursedir
    submitted = (
        Path(cd.format_path(cd.submitted_directory, student_id, w.module)) / "exercises.ipynb"
    )
    dest_dir = Path(cd.format_path(cd.autograded_directory, student_id, w.module))
    findings = inspect_submission(submitted, w.release)
    if findings.fatal:
        return Executed(student_id, findings.fatal, findings.notes)

    resources = {
        "unique_key": NOTEBOOK,
        "output_files_dir": f"{NOTEBOOK}_files",
        "nbgrader": {
            "student": student_id,
            "assignment": w.module,
            "notebook": NOTEBOOK,
            "db_url": cd.db_url,
        },
    }
    try:
        output, _ = exporter(w.config, w.sanitize).from_filename(
            str(submitted), resources=_copy(resources)
        )
    except Exception as exc:  # what nbgrader would fail on, e.g. invalid metadata
        return Executed(student_id, "not_a_notebook", [*findings.notes, _short(exc)])
    dest_dir.mkdir(parents=True, exist_ok=True)
    sanitized = dest_dir / f"{NOTEBOOK}.ipynb"
    if sanitized.exists():
        sanitized.chmod(0o644)
    sanitized.write_text(output, encoding="utf-8")

    for attempt in (1, 2):
        try:
            output, res = exporter(w.config, w.execute).from_filename(
                str(sanitized), resources=_copy(resources)
            )
            break
        except SandboxError as exc:
            if attempt == 2 or SandboxedExecute.events.kernel_died is False:
                return Executed(student_id, "error", [*findings.notes, _short(exc)])
            _restart_sandbox(w)  # the fork-server itself went down: once more on a fresh one
        except Exception as exc:
            events = SandboxedExecute.events
            status = "timed_out" if events and events.deadline_hit else "crashed"
            note = _crash_note(exc, events)
            if not w.forkserver.alive():
                _restart_sandbox(w)
            return Executed(student_id, status, [*findings.notes, note])
    nb = nbformat.reads(output, as_version=4)
    status, notes = classify_outputs(nb, SandboxedExecute.events, findings)
    keep = {
        k: res[k] for k in ("unique_key", "output_files_dir", "nbgrader", "metadata") if k in res
    }
    return Executed(student_id, status, notes, output, keep)


def _copy(resources: dict) -> dict:
    return {**resources, "nbgrader": dict(resources["nbgrader"])}


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[-1] if text else ''}"[:300]


def _crash_note(exc: BaseException, events) -> str:
    status = events.exit_status if events else None
    if events and events.deadline_hit:
        return "notebook wall-time limit reached; kernel killed"
    if status is not None and os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == 24:  # SIGXCPU
            return "CPU time limit reached; kernel killed"
        return f"kernel killed by signal {sig}"
    if status is not None and os.WIFEXITED(status):
        return f"kernel exited with code {os.WEXITSTATUS(status)}"
    return _short(exc)
