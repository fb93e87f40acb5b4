"""Backup and restore of the gradebook, and an autograde run killed half-way."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from shequlab.autograder.autograde import autograde_module
from shequlab.autograder.gradebook import backup_gradebook, list_backups, restore_gradebook
from tests.grading.conftest import MODULE


def test_restore_puts_the_latest_backup_back(tmp_path: Path) -> None:
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n", encoding="utf-8")
    db = tmp_path / "gradebook.db"
    with sqlite3.connect(db) as con:
        con.execute("create table t (v)")
        con.execute("insert into t values ('before')")
    backup = backup_gradebook(tmp_path, "test")
    with sqlite3.connect(db) as con:
        con.execute("update t set v = 'after'")
    restored, saved = restore_gradebook(tmp_path)
    assert restored == backup and saved in list_backups(tmp_path)
    with sqlite3.connect(db) as con:
        assert con.execute("select v from t").fetchone()[0] == "before"


def test_killed_run_leaves_a_consistent_resumable_gradebook(cohort, tmp_path: Path) -> None:
    root, plan, _, _ = cohort
    copy = tmp_path / "root"
    shutil.copytree(root, copy, symlinks=True)
    shutil.rmtree(copy / "grading" / "autograde-progress")
    ordinary = [s for s, k in plan.items() if k in ("right", "partly", "blank")]
    for student, _kind in plan.items():
        if student not in ordinary:
            shutil.rmtree(copy / "grading" / "submitted" / student)
    cmd = [str(Path(sys.executable).parent / "shequlab"), "grade", "autograde", MODULE,
           "--force", "--course-dir", str(copy / "grading")]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = copy / "grading" / "autograde-progress" / f"{MODULE}.json"
    deadline = time.time() + 120
    while not journal.exists() and time.time() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(copy / "grading" / "gradebook.db") as con:
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    resumed = autograde_module(copy / "grading", MODULE, workers=2)
    assert {r.student_id for r in resumed.results} == set(ordinary)
    assert all(r.status in ("graded", "skipped") for r in resumed.results)
    assert any(r.status == "skipped" for r in resumed.results)  # work done before the kill is kept
