"""The cohort rehearsal through the real hub (`shequlab hub rehearse`) for N = 10 and N = 30:
time per stage, memory per user server, and how the figures scale on a larger server."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

TITLE = "Hub rehearsal: a cohort through JupyterHub on one server"
SIZES = (10, 30)
STAGES = (
    "permissions", "hub start", "login", "spawn", "release", "fetch", "answer (contents API)",
    "validate", "submit", "collect", "autograde", "feedback", "fetch feedback",
    "export + report", "isolation check", "stop",
)  # fmt: skip


def run() -> str:
    if os.geteuid() != 0:
        return "Skipped: the rehearsal creates OS accounts and needs root."
    from shequlab.rehearsal.rehearse import rehearse

    results = {n: rehearse(n, log=lambda _: None) for n in SIZES}
    head = "| stage | " + " | ".join(f"N = {n} (s)" for n in SIZES) + " | per trainee, N = 30 (s) |"
    rows = [head, "|---|" + "---:|" * (len(SIZES) + 1)]
    big = results[SIZES[-1]]
    for stage in STAGES:
        cells = " | ".join(f"{results[n].timings.get(stage, float('nan')):.1f}" for n in SIZES)
        rows.append(f"| {stage} | {cells} | {big.timings.get(stage, 0) / SIZES[-1]:.2f} |")
    mem = " | ".join(f"{results[n].memory_mib.get('idle server mean', 0):.0f}" for n in SIZES)
    rows.append(f"| memory per idle user server (MiB, RSS) | {mem} | |")
    status = ", ".join(f"N = {n}: {'passed' if r.ok else 'FAILED ' + '; '.join(r.problems)[:200]}"
                       for n, r in results.items())  # fmt: skip
    spawn = big.timings["spawn"] / SIZES[-1]
    validate = big.timings["validate"] / SIZES[-1]
    grade = big.timings["autograde"] / SIZES[-1]
    idle = big.memory_mib.get("idle server mean", 0)
    plan = 200 * (idle + 150) * 1.25 / 1024
    return (
        "\n".join(rows)
        + f"""

Rehearsal checks: {status}. Each N is one run of the whole cohort (real OS users, PAM login,
LocalProcessSpawner, configurable-http-proxy) on this machine, which other jobs may share.

**On paper, a larger server.** Spawning, validating and autograding are CPU-bound and spread
over cores; the HTTP stages (fetch, submit, collect, fetch feedback) are file copies and stay
well under a second per cohort. On 2 cores a server costs about {spawn:.1f} s of spawn time,
a validation {validate:.1f} s and an autograde {grade:.1f} s per trainee; a 16-core server
would start 200 servers in roughly 200 × {spawn:.1f} × 2 / 16 ≈ {200 * spawn * 2 / 16:.0f} s
and autograde them (workers = cores) in about {200 * grade * 2 / 16:.0f} s. Memory: an idle
JupyterLab server is about {idle:.0f} MiB RSS and a pandas kernel adds roughly 100–150 MiB, so
200 trainees with one kernel each need about {200 * (idle + 150) / 1024:.0f} GiB; with a
quarter more for the hub, the proxy, grading and peaks, plan {plan:.0f} GiB.
Idle culling (1 h) returns memory from trainees who left; RLIMIT_AS (2 GiB per process) keeps
one runaway kernel from taking the rest.
"""
    )
