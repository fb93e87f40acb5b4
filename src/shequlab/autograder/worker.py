"""One grading process: sanitize and execute submissions exactly as `nbgrader autograde` does.

Each grading process owns one sandboxed fork-server. It reads the gradebook (OverwriteCells needs
the source cells) but never writes it: grades are saved by the parent, in one place.
The preprocessor lists are read from nbgrader's Autograde converter as the course configures it,
so a course setting that changes them applies here too; only Execute is swapped.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbconvert.exporters import Exporter, NotebookExporter
from nbformat import NotebookNode
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, SaveAutoGrades
from traitlets.config import Config

from shequlab.autograder.inspection import inspect_submission
from shequlab.autograder.kernel import SandboxedExecute
from shequlab.autograder.sandbox import ForkServer, Limits, SandboxError
from shequlab.autograder.status import classify_outputs
from shequlab.layout.course import Course


@dataclass
class Executed:
    """What a grading process hands back for one notebook of one submission."""

    student_id: str
    notebook_id: str
    status: str
    notes: list[str] = field(default_factory=list)
    notebook: NotebookNode | None = None  # the executed notebook, ready for SaveAutoGrades
    resources: dict = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class _Worker:
    course: Course
    module: str
    config: Config
    coursedir: CourseDirectory
    sanitize: list
    execute: list
    release: dict[str, nbformat.NotebookNode | None]  # notebook id -> released notebook
    forkserver: ForkServer
    isolation: str
    scratch_root: str | None = None


_WORKER: _Worker | None = None


class _SchemaCheckedOnce:
    """Stands in for the `jsonschema` module inside nbgrader's metadata validator.

    nbgrader validates every cell's metadata with `jsonschema.validate(meta, schema)`, which first
    checks the schema itself (nbgrader's own constant v3.json) on each call: that check is most of
    CheckCellMetadata's cost, paid twice per submission. Here the schema is checked once per
    distinct schema and the validator reused; validating an instance is what `jsonschema.validate`
    does after its schema check, step for step (the same error, `best_match`, is raised).
    """

    def __init__(self, module) -> None:
        self._module = module
        self._validators: dict[str, object] = {}

    def __getattr__(self, name: str):
        return getattr(self._module, name)

    def validate(self, instance, schema, cls=None, *args, **kwargs) -> None:
        if cls is not None or args or kwargs:
            return self._module.validate(instance, schema, cls, *args, **kwargs)
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            validator_cls = self._module.validators.validator_for(schema)
            validator_cls.check_schema(schema)
            validator = self._validators[key] = validator_cls(schema)
        error = self._module.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error
        return None


def check_metadata_schema_once() -> None:
    """Install `_SchemaCheckedOnce` in nbgrader's metadata validator (idempotent)."""
    from nbgrader.nbgraderformat import common

    if not isinstance(common.jsonschema, _SchemaCheckedOnce):
        common.jsonschema = _SchemaCheckedOnce(common.jsonschema)


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


class _Owned(NotebookNode):
    """A notebook no one else holds: a deep copy of it is itself."""

    def __deepcopy__(self, memo):
        return self


class OwnedNotebookExporter(NotebookExporter):
    """NotebookExporter for notebooks that are ours alone (just read from a file, or just
    unpickled from a grading process), so that nbconvert's two protective deep copies of the
    whole notebook (in from_notebook_node and in _preprocess) are skipped. They only shield the
    caller's object from the preprocessors, and the caller here throws that object away: the
    preprocessors see, and produce, exactly what they would on a copy."""

    def from_notebook_node(self, nb, resources=None, **kw):
        if type(nb) is not NotebookNode:
            return self._convert(nb, resources, **kw)
        object.__setattr__(nb, "__class__", _Owned)  # NotebookNode guards plain assignment
        try:
            return self._convert(nb, resources, **kw)
        finally:
            object.__setattr__(nb, "__class__", NotebookNode)

    def _convert(self, nb, resources, **kw):
        return NotebookExporter.from_notebook_node(self, nb, resources, **kw)


class NodeExporter(OwnedNotebookExporter):
    """OwnedNotebookExporter that returns the converted notebook itself, not its JSON text.

    The executed notebook goes to the parent as it is (pickled), as within one nbgrader run,
    where SaveAutoGrades gets it from Execute in memory: no JSON written here and parsed there.
    """

    def _convert(self, nb, resources, **kw):
        return Exporter.from_notebook_node(self, nb, resources, **kw)


def exporter(
    config: Config, preprocessors: list, cls: type[NotebookExporter] = OwnedNotebookExporter
) -> NotebookExporter:
    """An exporter set up as nbgrader's converters do: no default preprocessors, ours registered
    with their configured `enabled` (ClearMetadataPreprocessor, for one, stays off)."""
    config = Config(config)
    config.Exporter.default_preprocessors = []
    exp = cls(config=config)
    for pp in preprocessors:
        exp.register_preprocessor(pp)
    return exp


def init_worker(
    course_dir: str,
    module: str,
    isolation: str,
    limits: Limits,
    scratch_root: str | None = None,
    parent_pid: int | None = None,
) -> None:
    """Process-pool initializer: load the course config and start this process's sandbox."""
    global _WORKER
    _die_with_parent(parent_pid)
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    _own_event_loop()
    check_metadata_schema_once()
    # The sandbox warms up (imports pandas & co.) while this process reads the course.
    forkserver = _new_forkserver(isolation, scratch_root)
    forkserver.start(wait=False)
    course = Course.load(course_dir)
    sanitize, execute, _ = pipeline(course.config)
    release = {}
    for notebook in course.notebook_ids(module):
        path = course.release(module) / f"{notebook}.ipynb"
        release[notebook] = nbformat.read(path, as_version=4) if path.exists() else None
    SandboxedExecute.forkserver = forkserver
    SandboxedExecute.limits = limits
    _WORKER = _Worker(
        course=course,
        module=module,
        config=course.config,
        coursedir=course.coursedir,
        sanitize=sanitize,
        execute=execute,
        release=release,
        forkserver=forkserver,
        isolation=isolation,
        scratch_root=scratch_root,
    )


def _die_with_parent(parent_pid: int | None) -> None:
    """A grading process dies with the grader that started it (and its sandboxes with it:
    --die-with-parent). A forked one would otherwise outlive a killed grader: it holds a copy of
    the task queue's write end, so it never sees the queue close."""
    if parent_pid is None:
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:  # the grader died before prctl took effect
        os._exit(1)


def _own_event_loop() -> None:
    """A forked grading process must not drive its parent's asyncio loop (the epoll object behind
    it is shared across fork): set an inherited one aside, untouched (closing or collecting it
    would unregister the parent's descriptors), so that nbclient creates this process's own."""
    from jupyter_core import utils

    inherited = getattr(utils, "_loop", None)
    loop = inherited.get() if inherited is not None else None
    if loop is not None:
        _INHERITED.append(loop)
        inherited.set(None)
    with contextlib.suppress(RuntimeError):
        _INHERITED.append(asyncio.get_event_loop_policy().get_event_loop())
    asyncio.set_event_loop(asyncio.new_event_loop())


_INHERITED: list = []  # kept referenced: never closed, never collected in this process


def _new_forkserver(isolation: str, scratch_root: str | None) -> ForkServer:
    """A fork-server whose scratch folder lives under the run's folder (removed after the run)."""
    if scratch_root is None:
        return ForkServer(isolation=isolation)
    return ForkServer(isolation=isolation, scratch=Path(tempfile.mkdtemp(dir=scratch_root)))


def _restart_sandbox(w: _Worker) -> None:
    w.forkserver.close()
    w.forkserver = _new_forkserver(w.isolation, w.scratch_root)
    w.forkserver.start()
    SandboxedExecute.forkserver = w.forkserver


def grade_in_worker(student_id: str, notebook_id: str) -> Executed:
    """Sanitize, then execute one notebook of a submission; never raises for anything the
    submission does."""
    w = _WORKER
    assert w is not None, "init_worker was not called"
    started = time.perf_counter()
    result = _grade(w, student_id, notebook_id)
    result.seconds = time.perf_counter() - started
    return result


def _grade(w: _Worker, student_id: str, notebook_id: str) -> Executed:
    submitted = w.course.submitted(student_id, w.module) / f"{notebook_id}.ipynb"
    dest_dir = w.course.autograded(student_id, w.module)
    findings = inspect_submission(submitted, w.release.get(notebook_id))
    if findings.fatal:
        return Executed(student_id, notebook_id, findings.fatal, findings.notes)

    def done(status: str, notes: list[str], *more) -> Executed:
        return Executed(student_id, notebook_id, status, notes, *more)

    resources = {
        "unique_key": notebook_id,
        "output_files_dir": f"{notebook_id}_files",
        "nbgrader": {
            "student": student_id,
            "assignment": w.module,
            "notebook": notebook_id,
            "db_url": w.course.db_url,
        },
    }
    try:
        output, _ = exporter(w.config, w.sanitize).from_filename(
            str(submitted), resources=_copy(resources)
        )
    except Exception as exc:  # what nbgrader would fail on, e.g. invalid metadata
        return done("not_a_notebook", [*findings.notes, _short(exc)])
    dest_dir.mkdir(parents=True, exist_ok=True)
    sanitized = dest_dir / f"{notebook_id}.ipynb"
    if sanitized.exists():
        sanitized.chmod(0o644)
    sanitized.write_text(output, encoding="utf-8")

    for attempt in (1, 2):
        try:
            nb, res = exporter(w.config, w.execute, NodeExporter).from_filename(
                str(sanitized), resources=_copy(resources)
            )
            break
        except SandboxError as exc:
            if attempt == 2 or SandboxedExecute.events.kernel_died is False:
                return done("error", [*findings.notes, _short(exc)])
            _restart_sandbox(w)  # the fork-server itself went down: once more on a fresh one
        except Exception as exc:
            events = SandboxedExecute.events
            status = "timed_out" if events and events.deadline_hit else "crashed"
            note = _crash_note(exc, events)
            if not w.forkserver.alive():
                _restart_sandbox(w)
            return done(status, [*findings.notes, note])
    status, notes = classify_outputs(nb, SandboxedExecute.events, findings)
    keep = {
        k: res[k] for k in ("unique_key", "output_files_dir", "nbgrader", "metadata") if k in res
    }
    return done(status, notes, nb, keep)


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
