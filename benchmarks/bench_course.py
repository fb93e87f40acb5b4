"""Content: every solution notebook's run time, and `shequlab course check` per program."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from shequlab.course.build import build_course
from shequlab.curriculum import load_curriculum
from shequlab.layout.project import project_root

TITLE = "Course content (issues: onboarding and youth-forum programs)"
CLI = str(Path(sys.executable).with_name("shequlab"))


def _solution_seconds(module, root: Path) -> float:
    """Wall time of one solution notebook, kernel start included, in its built folder."""
    folder = root / "grading" / "source" / module.id
    nb = nbformat.read(folder / "exercises.ipynb", as_version=4)
    started = time.perf_counter()
    NotebookClient(nb, timeout=60, resources={"metadata": {"path": str(folder)}}).execute()
    return time.perf_counter() - started


def run() -> str:
    root = project_root()
    curriculum = load_curriculum(root)
    build_course(root=root)  # grading/source is generated and git-ignored
    rows = [(m, _solution_seconds(m, root)) for m in curriculum.modules()]
    checks = []
    for program in curriculum.programs:
        started = time.perf_counter()
        done = subprocess.run([CLI, "course", "check", "--program", program.id],
                              capture_output=True, text=True, timeout=1800)  # fmt: skip
        checks.append((program.id, time.perf_counter() - started, done.returncode == 0))
    slowest = max(rows, key=lambda r: r[1])
    lines = [
        "| measure | result | target |",
        "|---|---|---|",
        f"| slowest solution notebook (`{slowest[0].id}`, kernel start included) "
        f"| {slowest[1]:.1f} s | ≤ 10 s |",
    ]
    lines += [
        f"| `shequlab course check --program {p}` ({'passed' if ok else 'FAILED'}) "
        f"| {s:.0f} s | ≤ 180 s |"
        for p, s, ok in checks
    ]
    lines += ["", "| module | solution notebook |", "|---|---|"]
    lines += [f"| {m.id} | {s:.1f} s |" for m, s in rows]
    return "\n".join(lines)
