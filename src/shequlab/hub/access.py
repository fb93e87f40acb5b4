"""What trainees' OS accounts must reach (Python, the venv, the project) and must not (the
course's private parts, the hub's state, the workshop store: shequlab.permissions).

A venv built on a Python under /root (pyenv) is unreachable for other accounts (/root is 0700).
A training centre installs Python where all users can read it; a rehearsal on a developer's
machine instead opens the blocking folders for traversal (o+x, not listing) and restores them.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from shequlab.layout.course import sqlite_file
from shequlab.layout.project import project_root
from shequlab.permissions import Targets

if TYPE_CHECKING:
    from shequlab.hub.settings import HubSettings


def needed_paths() -> list[Path]:
    return [Path(os.path.realpath(sys.executable)), Path(sys.prefix), project_root()]


def blocking_folders(paths: list[Path] | None = None) -> list[Path]:
    """Ancestor folders of `paths` that other users cannot traverse (no o+x)."""
    blocked: list[Path] = []
    for path in paths or needed_paths():
        for folder in [*reversed(path.parents), path if path.is_dir() else path.parent]:
            if not os.stat(folder).st_mode & stat.S_IXOTH and folder not in blocked:
                blocked.append(folder)
    return blocked


@contextlib.contextmanager
def traversable(paths: list[Path] | None = None, log=print) -> Iterator[list[Path]]:
    """Temporarily add o+x to the blocking folders; restore their modes on exit."""
    saved = {folder: stat.S_IMODE(os.stat(folder).st_mode) for folder in blocking_folders(paths)}
    try:
        for folder, mode in saved.items():
            log(f"opening {folder} for traversal (o+x) during the rehearsal; restored afterwards")
            folder.chmod(mode | stat.S_IXOTH)
        yield list(saved)
    finally:
        for folder, mode in saved.items():
            folder.chmod(mode)


def cohort_targets(settings: HubSettings, root: Path | None = None) -> Targets:
    """What the hub protects from trainees: its course, project, state and workshop store."""
    from shequlab.workshop.store import default_url

    url = default_url()
    store = sqlite_file(url)
    return Targets(
        course_dir=Path(settings.course_dir),
        project_root=root or project_root(),
        hub_state=Path(settings.state),
        workshop_db=store,
    )
