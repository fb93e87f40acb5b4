"""Sample data: generate, validate and load times against their targets and plain pandas."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from shequlab.data.generate import TABLES
from shequlab.data.load import load_table
from shequlab.layout.project import datasets_dir

TITLE = "Sample data (issue: foundation and datasets)"
CLI = str(Path(sys.executable).with_name("shequlab"))
REPEAT = 3


def _wall(cmd: list[str]) -> float:
    times = []
    for _ in range(REPEAT):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, timeout=300)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _best(fn) -> float:
    times = []
    for _ in range(5):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def run() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        generate = _wall([CLI, "data", "generate", "--out", tmp])
    validate = _wall([CLI, "data", "validate"])
    rows = []
    for t in TABLES:
        path = datasets_dir() / f"{t.name}.csv"
        ours = _best(lambda n=t.name: load_table(n))
        plain = _best(lambda p=path: pd.read_csv(p))
        rows.append((t.name, len(pd.read_csv(path)), ours, plain))
    slowest = max(rows, key=lambda r: r[2])
    size = sum(p.stat().st_size for p in datasets_dir().iterdir() if p.is_file()) / 2**20
    lines = [
        "| measure | result | target |",
        "|---|---|---|",
        f"| `shequlab data generate` (all 24 tables, whole CLI process, median of {REPEAT}) "
        f"| {generate:.2f} s | ≤ 10 s |",
        f"| `shequlab data validate` (all tables, whole CLI process, median of {REPEAT}) "
        f"| {validate:.2f} s | ≤ 5 s |",
        f"| slowest table load with schema dtypes (`{slowest[0]}`, {slowest[1]} rows) "
        f"| {slowest[2]:.3f} s | ≤ 0.3 s |",
        f"| size of `datasets/` | {size:.1f} MB | ≤ 10 MB |",
        "",
        "Load time per table, `shequlab.data.load.load_table` (schema dtypes, parsed dates, "
        "nullable booleans) beside plain `pd.read_csv` (best of 5):",
        "",
        "| table | rows | load_table | plain read_csv |",
        "|---|---|---|---|",
    ]
    lines += [f"| {n} | {r} | {a:.3f} s | {b:.3f} s |" for n, r, a, b in rows]
    return "\n".join(lines)
