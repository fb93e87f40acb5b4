"""The gradebook's safety net: a backup before mutating run, restore in one command,
and a per-module progress journal so an interrupted autograde resumes where it stopped."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from pathlib import Path

BACKUPS = "backups"
PROGRESS = "autograde-progress"


def gradebook_path(course_dir: Path) -> Path:
    return Path(course_dir) / "gradebook.db"


def backup_gradebook(course_dir: Path, reason: str) -> Path | None:
    """Copy gradebook.db with SQLite's online backup API into backups/ (None: no gradebook)."""
    db = gradebook_path(course_dir)
    if not db.exists():
        return None
    folder = Path(course_dir) / BACKUPS
    folder.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"gradebook-{stamp}-{reason}.db"
    _copy_db(db, target)
    return target


def list_backups(course_dir: Path) -> list[Path]:
    """Backups, oldest first."""
    return sorted((Path(course_dir) / BACKUPS).glob("gradebook-*.db"))


def restore_gradebook(course_dir: Path, backup: Path | None = None) -> tuple[Path, Path | None]:
    """Put a backup (default: the latest) back as gradebook.db; the current one is backed up first.

    Returns (restored backup, backup of the gradebook it replaced).
    """
    backups = list_backups(course_dir)
    if backup is None:
        if not backups:
            raise FileNotFoundError(f"没有备份 / no backups in {Path(course_dir) / BACKUPS}")
        backup = backups[-1]
    backup = Path(backup)
    if not backup.exists():
        backup = Path(course_dir) / BACKUPS / backup.name
    if not backup.exists():
        raise FileNotFoundError(f"找不到备份 / backup not found: {backup}")
    saved = backup_gradebook(course_dir, "before-restore")
    _copy_db(backup, gradebook_path(course_dir))
    # Grades changed under the journal: forget progress so the next autograde re-checks everything.
    for journal in (Path(course_dir) / PROGRESS).glob("*.json"):
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


def submission_hash(folder: Path) -> str:
    """Fingerprint of a submission: the notebook's bytes and the submission timestamp."""
    h = hashlib.sha256()
    for name in ("exercises.ipynb", "timestamp.txt"):
        path = Path(folder) / name
        h.update(path.read_bytes() if path.is_file() else b"-")
    return h.hexdigest()[:16]


class Progress:
    """autograde-progress/<module>.json: student -> result, rewritten atomically after each one."""

    def __init__(self, course_dir: Path, module: str):
        self.path = Path(course_dir) / PROGRESS / f"{module}.json"
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
