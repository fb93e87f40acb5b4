"""One way to reach nbgrader: its Python API configured from <course root>/nbgrader_config.py."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from sqlalchemy.exc import SAWarning
from traitlets.config import Config

from shequlab.layout.course import load_course_config
from shequlab.permissions import cohort_gid


class NbGraderError(RuntimeError):
    """An nbgrader step failed; the message carries nbgrader's log and traceback."""


def put_venv_on_path() -> None:
    """nbgrader's Gradebook runs the `alembic` command; find it even when the venv is not active."""
    bin_dir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "").split(os.pathsep)
    if bin_dir not in path:
        os.environ["PATH"] = os.pathsep.join([bin_dir, *path])


def nbgrader_api(course_dir: Path, **overrides: Any) -> NbGraderAPI:
    """An NbGraderAPI on `course_dir`; `overrides` are extra config, e.g. {"Exchange": {...}}."""
    put_venv_on_path()
    config = load_course_config(course_dir)
    if cohort_gid(course_dir) is not None:
        # Several trainers (not root) share the course and the exchange through their group.
        config.CourseDirectory.groupshared = True
    config.merge(Config(overrides))
    coursedir = CourseDirectory(config=config)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    api.log.setLevel(logging.WARNING)
    return api


def run(result: dict[str, Any], what: str) -> str:
    """Raise NbGraderError unless an NbGraderAPI call succeeded; return its log."""
    if not result.get("success"):
        raise NbGraderError(
            f"nbgrader {what} failed:\n{result.get('log', '')}\n{result.get('error', '')}"
        )
    return result.get("log", "")


@contextlib.contextmanager
def quiet_gradebook() -> Iterator[None]:
    """Hide SQLAlchemy's autoflush warnings that nbgrader 0.9.6 triggers on every autograde."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        yield
