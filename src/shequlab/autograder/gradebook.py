"""The gradebook's safety net: a backup before mutating run, restore in one command,
and a per-module progress journal so an interrupted autograde resumes where it stopped.

The gradebook is CourseDirectory.db_url. A SQLite one is copied with SQLite's online backup API
(backups/gradebook-<time>-<why>.db); a PostgreSQL one is dumped with pg_dump and restored with
pg_restore --clean in one transaction (backups/gradebook-<time>-<why>.dump, see pg_backup)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from pathlib import Path

from shequlab.autograder import pg_backup
from shequlab.errors import ExpectedError
from shequlab.layout.course import Course, as_course


class GradebookError(ExpectedError):
    """No backup to restore, or a gradebook this command cannot back up or restore."""


def _suffix(course: Course) -> str:
    return pg_backup.SUFFIX if pg_backup.is_postgres(course.db_url) else ".db"


def backup_gradebook(course_dir: Course | Path, reason: str) -> Path | None:
    """Back the gradebook up into backups/ (None: no SQLite gradebook file yet)."""
    course = as_course(course_dir)
    db = course.sqlite_file
    postgres = pg_backup.is_postgres(course.db_url)
    if not postgres and (db is None or not db.exists()):
        if db is None:
            raise GradebookError(
                f"无法备份这种成绩簿 / cannot back up a gradebook at {course.db_url!r} "
                "(SQLite and PostgreSQL only)"
            )
        return None
    folder = course.backups_dir
    folder.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"gradebook-{stamp}-{reason}{_suffix(course)}"
    if postgres:
        return pg_backup.dump(course.db_url, target)
    _copy_db(db, target)
    return target


def list_backups(course_dir: Course | Path) -> list[Path]:
    """Backups of this kind of gradebook, oldest first."""
    course = as_course(course_dir)
    return sorted(course.backups_dir.glob(f"gradebook-*{_suffix(course)}"))


def restore_gradebook(
    course_dir: Course | Path, backup: Path | None = None
) -> tuple[Path, Path | None]:
    """Put a backup (default: the latest) back as the gradebook; the current one is backed up
    first. Returns (restored backup, backup of the gradebook it replaced).
    """
    course = as_course(course_dir)
    backups = list_backups(course)
    if backup is None:
        if not backups:
            raise GradebookError(f"没有备份 / no backups in {course.backups_dir}")
        backup = backups[-1]
    backup = Path(backup)
    if not backup.exists():
        backup = course.backups_dir / backup.name
    if not backup.exists():
        raise GradebookError(f"找不到备份 / backup not found: {backup}")
    saved = backup_gradebook(course, "before-restore")
    if pg_backup.is_postgres(course.db_url):
        pg_backup.restore(course.db_url, backup)
    else:
        _copy_db(backup, course.sqlite_file)
    # Grades changed under the journal: forget progress so the next autograde re-checks everything.
    for journal in course.progress_dir.glob("*.json"):
        journal.unlink()
    return backup, saved


def _copy_db(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()


def submission_hash(folder: Path, notebooks: list[str]) -> str:
    """Fingerprint of a submission: its graded notebooks' bytes and the submission timestamp."""
    h = hashlib.sha256()
    for name in [*(f"{nb}.ipynb" for nb in notebooks), "timestamp.txt"]:
        path = Path(folder) / name
        h.update(path.read_bytes() if path.is_file() else b"-")
    return h.hexdigest()[:16]


class Progress:
    """autograde-progress/<module>.json: student -> result, rewritten atomically after each one."""

    def __init__(self, course_dir: Course | Path, module: str):
        self.path = as_course(course_dir).progress_file(module)
        self.entries: dict[str, dict] = {}
        if self.path.exists():
            try:
                self.entries = json.loads(self.path.read_text(encoding="utf-8"))
            except ValueError:
                self.entries = {}

    def done(self, student: str, fingerprint: str) -> dict | None:
        entry = self.entries.get(student)
        return entry if entry and entry.get("hash") == fingerprint else None

    def record(self, student: str, entry: dict) -> None:
        self.entries[student] = entry
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.entries, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)
