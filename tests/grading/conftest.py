"""One simulated cohort of onb-01-neighbourhood, graded once by plain nbgrader and once by us."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shequlab.autograder.autograde import autograde_module
from shequlab.autograder.sandbox import Limits
from shequlab.rehearsal.simulate import build_single_module_root, write_cohort

MODULE = "onb-01-neighbourhood"
HOSTILE = [
    "infinite_loop", "memory_hog", "kernel_exit", "huge_output", "gradebook_attack",
    "harness_tamper", "edited_tests", "deleted_tests", "duplicated_cells", "retyped_cell",
    "malformed_json", "empty_file", "renamed",
]  # fmt: skip
LIMITS = Limits(notebook_seconds=20)


@pytest.fixture(scope="session")
def cohort(tmp_path_factory):
    """(root, plan, plain course dir, our AutogradeRun)."""
    base = tmp_path_factory.mktemp("cohort")
    root = build_single_module_root(base / "root", MODULE)
    plan = write_cohort(root / "grading", MODULE, root, right=2, partly=3, blank=1, hostile=HOSTILE)
    plain = base / "plain"
    shutil.copytree(root, plain, symlinks=True)
    # Plain nbgrader on the ordinary submissions only (hostile ones would take minutes there).
    for student, kind in plan.items():
        if kind not in ("right", "partly", "blank"):
            shutil.rmtree(plain / "grading" / "submitted" / student)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", MODULE],
                   cwd=plain / "grading", env=env, check=True, capture_output=True)  # fmt: skip
    run = autograde_module(root / "grading", MODULE, workers=2, limits=LIMITS)
    return root, plan, plain / "grading", run
