"""Who may read what on a cohort machine: the course's private parts, the trainers' group, modes.

One machine (`make start`): trainer and trainee are one OS user, and nothing here applies. On a
hub in system mode every trainee is an OS user of its own, so the course's private parts —
solutions and hidden tests, submissions, graded work, the gradebook — must be closed to them.

The mark of a cohort course is its root folder: group `shequlab-trainers` (the hub's trainer
group) with the setgid bit, set by `shequlab hub start --fix-permissions`. From then on every
folder created inside inherits the group, and the course's commands write with umask 007
(`private_writes`), so nothing new is readable by others. In the course root:

- private (group rwx, nobody else): the folders in PRIVATE_DIRS, the files in PRIVATE_FILES;
  folders 2770, files with the group given the owner's bits and no bits for others (0660, or
  0440 for the read-only autograded notebooks);
- shared: everything else (release/, nbgrader_config.py): group trainers, readable by all.

Outside the course: the authored notebooks' solutions (PROJECT_PRIVATE), the project's `.git`
(closed to others), the hub's state folder (0700: hub database, cookie secret) and the workshop
store (group trainers, 0660: the apps' account only). Paths are stated here once, relative to
the course root and the project, until the project has one layout module.
"""

from __future__ import annotations

import contextlib
import grp
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TRAINER_GROUP = "shequlab-trainers"
# nbgrader's step folders that hold solutions, hidden tests or trainees' work, and our own records.
PRIVATE_DIRS = (
    "source", "submitted", "autograded", "feedback", "submitted-unmatched",
    "backups", "autograde-progress", "exports",
)  # fmt: skip
PRIVATE_FILES = ("gradebook.db", "gradebook.db-journal", "gradebook.db-wal",
                 "gradebook.db-shm", "report.html")  # fmt: skip
# In the project: authored notebooks with solutions and hidden tests, and typical wrong answers.
PROJECT_PRIVATE = ("notebooks/*/*/exercises.ipynb", "notebooks/*/*/wrong_answers.yml")
PROJECT_CLOSED = (".git",)  # closed to others (no chgrp: trainers need not read it)
STORE_SUFFIXES = ("", "-wal", "-shm", "-journal")

DIR_MODE = 0o2770  # trainers' group: read, write, traverse; setgid keeps the group
ROOT_MODE = 0o2775  # the course root: trainees may reach release/ and nbgrader_config.py
UMASK = 0o007  # what the trainers' commands and servers write: nothing for others
BUILD_UMASK = 0o002  # course build also writes public files (release/, the notebooks' data/)


@dataclass(frozen=True)
class Targets:
    """What one machine's cohort protects: the course, and optionally the rest."""

    course_dir: Path
    project_root: Path | None = None
    hub_state: Path | None = None
    workshop_db: Path | None = None  # an SQLite file (a server database is not a file here)


@dataclass(frozen=True)
class Problem:
    """One path whose owner group or mode lets someone read what they must not."""

    path: Path
    found: str
    wanted: str

    def __str__(self) -> str:
        return f"{self.path}: {self.found}, should be {self.wanted}"


def private_file_mode(mode: int) -> int:
    """The group gets the owner's bits, others none: 0644 → 0660, 0444 → 0440, 0755 → 0770."""
    owner = mode & 0o700
    return owner | (owner >> 3)


def cohort_gid(course_dir: Path) -> int | None:
    """The trainers' gid if the course is a cohort course (root folder setgid), else None."""
    try:
        st = os.stat(course_dir)
    except FileNotFoundError:
        return None
    return st.st_gid if st.st_mode & stat.S_ISGID else None


def private_paths(targets: Targets) -> list[Path]:
    """Existing top-level private entries of the course and the project (files or folders)."""
    course = Path(targets.course_dir)
    found = [course / name for name in (*PRIVATE_DIRS, *PRIVATE_FILES)]
    if targets.project_root:
        for pattern in PROJECT_PRIVATE:
            found += sorted(Path(targets.project_root).glob(pattern))
    if targets.workshop_db:
        found += [Path(f"{targets.workshop_db}{s}") for s in STORE_SUFFIXES]
    return [p for p in found if p.exists() and not p.is_symlink()]


def _walk(path: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """The path and, for a folder, everything below it (symlinks are not followed)."""
    yield path, os.lstat(path)
    if path.is_dir():
        for folder, dirs, files in os.walk(path):
            for name in (*dirs, *files):
                entry = Path(folder) / name
                with contextlib.suppress(FileNotFoundError):
                    st = os.lstat(entry)
                    if not stat.S_ISLNK(st.st_mode):
                        yield entry, st


def _wanted(st: os.stat_result) -> int:
    return DIR_MODE if stat.S_ISDIR(st.st_mode) else private_file_mode(stat.S_IMODE(st.st_mode))


def check(targets: Targets, group: str = TRAINER_GROUP) -> list[Problem]:
    """Everything that leaves a private part open to trainees (an empty list: all closed)."""
    gid = grp.getgrnam(group).gr_gid
    problems: list[Problem] = []
    course = Path(targets.course_dir)
    st = os.stat(course)
    if st.st_gid != gid or stat.S_IMODE(st.st_mode) & 0o2070 != 0o2070:
        problems.append(Problem(course, _describe(st), f"group {group}, mode {ROOT_MODE:o}"))
    # The gates: a closed folder keeps everything below it out of reach (fix() and the course's
    # commands close what is below as well, so that a folder moved out stays closed).
    for top in private_paths(targets):
        st = os.lstat(top)
        if st.st_gid != gid or stat.S_IMODE(st.st_mode) != _wanted(st):
            problems.append(Problem(top, _describe(st), f"group {group}, mode {_wanted(st):o}"))
    if targets.project_root:
        for name in PROJECT_CLOSED:
            path = Path(targets.project_root) / name
            if path.exists() and os.stat(path).st_mode & 0o007:
                problems.append(Problem(path, _describe(os.stat(path)), "no access for others"))
    for path in _state_entries(targets)[:1]:  # the folder (0700) keeps its files out of reach
        st = os.lstat(path)
        if stat.S_IMODE(st.st_mode) & 0o077:
            problems.append(
                Problem(path, _describe(st), "no access for group and others (700/600)")
            )
    return problems


def _state_entries(targets: Targets) -> list[Path]:
    """The hub's state folder and the files in it (hub database, cookie secret, pid files)."""
    state = Path(targets.hub_state) if targets.hub_state else None
    if state is None or not state.is_dir():
        return []
    return [state, *(p for p in sorted(state.iterdir()) if p.is_file() and not p.is_symlink())]


def _describe(st: os.stat_result) -> str:
    try:
        name = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        name = str(st.st_gid)
    return f"group {name}, mode {stat.S_IMODE(st.st_mode):o}"


def fix(targets: Targets, group: str = TRAINER_GROUP) -> list[Path]:
    """Close every private part, mark the course root; return the paths changed (needs root)."""
    gid = grp.getgrnam(group).gr_gid
    course = Path(targets.course_dir)
    changed = _set(course, os.stat(course), gid, (stat.S_IMODE(os.stat(course).st_mode)
                                                 | ROOT_MODE) & 0o7775)  # fmt: skip
    for name in PRIVATE_DIRS:  # exist before anything is written in them, already closed
        folder = course / name
        if not folder.exists():
            folder.mkdir()
            changed.append(folder)
    changed += close_private(targets, gid)
    if targets.project_root:
        for name in PROJECT_CLOSED:
            path = Path(targets.project_root) / name
            if path.exists() and os.stat(path).st_mode & 0o007:
                path.chmod(stat.S_IMODE(os.stat(path).st_mode) & ~0o007)
                changed.append(path)
    for path in _state_entries(targets):
        mode = stat.S_IMODE(os.lstat(path).st_mode)
        if mode & 0o077:
            path.chmod(mode & ~0o077)
            changed.append(path)
    return changed


def close_private(targets: Targets, gid: int) -> list[Path]:
    """Group `gid` and private modes on every private entry this process may change."""
    changed: list[Path] = []
    for top in private_paths(targets):
        for path, st in _walk(top):
            changed += _set(path, st, gid, _wanted(st))
    return changed


def _set(path: Path, st: os.stat_result, gid: int, mode: int) -> list[Path]:
    """chgrp and chmod `path` if needed; silently skip what another account owns (not root)."""
    if st.st_gid == gid and stat.S_IMODE(st.st_mode) == mode:
        return []
    if os.geteuid() not in (0, st.st_uid):
        return []
    try:
        if st.st_gid != gid:
            os.chown(path, -1, gid, follow_symlinks=False)
        os.chmod(path, mode)  # after chown, which clears setgid on folders
    except PermissionError:
        return []
    return [path]


@contextlib.contextmanager
def private_writes(course_dir: Path, umask: int = UMASK) -> Iterator[int | None]:
    """Around a command that writes in the course: on a cohort course, `umask` while it runs
    (nbgrader's own files included) and the private parts closed again afterwards.

    Yields the trainers' gid, or None on a one-machine course, where nothing changes.
    """
    gid = cohort_gid(course_dir)
    if gid is None:
        yield None
        return
    old = os.umask(umask)
    try:
        yield gid
    finally:
        os.umask(old)
        close_private(Targets(Path(course_dir)), gid)
