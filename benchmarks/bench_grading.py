"""Autograde throughput: `shequlab grade autograde` vs plain `nbgrader autograde`, one run.

A simulated cohort of one module (right, partly right, blank and broken submissions) is built once
and copied into two course roots; each grader runs as its own process while a sampler sums the
resident memory of its whole process tree (kernels and sandboxes included).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

TITLE = "Autograde: shequlab grade vs plain nbgrader"
MODULE = os.environ.get("BENCH_GRADING_MODULE", "onb-01-neighbourhood")
COHORT = {
    "right": 24,
    "partly": 24,
    "blank": 6,
    "hostile": ["kernel_exit"] * 3 + ["malformed_json"] * 3,
}
WORKERS = 2


def _measure(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Run `cmd`; return (seconds, peak MiB summed over its process tree)."""
    peak = 0.0
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        parent = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                procs = [parent, *parent.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in procs if p.is_running()) / 2**20)
            except psutil.Error:
                pass
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    done.set()
    sampler.join()
    # Both commands exit non-zero when some submissions failed (the broken ones): expected here.
    del code
    return time.perf_counter() - started, peak


def _scores(course_dir: Path) -> dict[str, float | None]:
    from nbgrader.api import Gradebook, MissingEntry

    scores = {}
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        for student in gb.students:
            try:
                nb = gb.find_submission_notebook("exercises", MODULE, student.id)
            except MissingEntry:
                continue
            scores[student.id] = {g.name: g.auto_score for g in nb.grades}
    return scores


def run() -> str:
    from shequlab.rehearsal.simulate import build_single_module_root, write_cohort

    venv_bin = Path(sys.executable).parent
    env_path = f"{venv_bin}:{os.environ.get('PATH', '')}"
    os.environ["PATH"] = env_path
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        base = build_single_module_root(Path(tmp) / "base", MODULE)
        plan = write_cohort(base / "grading", MODULE, base, **COHORT)
        n = len(plan)
        roots = {}
        for name in ("plain", "shequlab"):
            roots[name] = Path(tmp) / name
            shutil.copytree(base, roots[name], symlinks=True)
        plain_s, plain_mb = _measure(
            [str(venv_bin / "nbgrader"), "autograde", MODULE], roots["plain"] / "grading"
        )
        ours_s, ours_mb = _measure(
            [str(venv_bin / "shequlab"), "grade", "autograde", MODULE, "--workers", str(WORKERS),
             "--course-dir", str(roots["shequlab"] / "grading")],
            roots["shequlab"],
        )  # fmt: skip
        plain, ours = _scores(roots["plain"] / "grading"), _scores(roots["shequlab"] / "grading")
    graded_both = [s for s in plain if s in ours]
    same = sum(plain[s] == ours[s] for s in graded_both)
    speedup = plain_s / ours_s
    return (
        f"Cohort: {n} submissions of `{MODULE}` ({COHORT['right']} right, "
        f"{COHORT['partly']} partly "
        f"right from `wrong_answers.yml`, {COHORT['blank']} blank, "
        f"{len(COHORT['hostile'])} broken: "
        f"kernel exit, malformed JSON). Wall time includes start-up of each command.\n\n"
        "| grader | total s | s / submission | peak memory (MiB, whole process tree) |\n"
        "|---|---:|---:|---:|\n"
        f"| plain `nbgrader autograde` | {plain_s:.1f} | {plain_s / n:.2f} | {plain_mb:.0f} |\n"
        f"| `shequlab grade autograde --workers {WORKERS}` | {ours_s:.1f} | {ours_s / n:.2f} | "
        f"{ours_mb:.0f} |\n\n"
        f"Speed-up: **{speedup:.1f}×** (target ≥3×). Identical per-cell scores: {same}/"
        f"{len(graded_both)} submissions graded by both"
        f"{'' if same == len(graded_both) else ' — MISMATCH'}; "
        f"submissions only one grader recorded: {sorted(set(plain) ^ set(ours)) or 'none'}.\n"
    )


if __name__ == "__main__":
    print(run())
