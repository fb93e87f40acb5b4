"""Put every built module into the nbgrader exchange so the Assignments tab offers it.

One machine (`make start`): the trainer and the trainee are the same user, so this script plays
the trainer's part of `nbgrader release_assignment --force <module>` for every module that
`shequlab course build` has built (grading/release/<module>/), in curriculum order. It also makes
the exchange (writable by all, as nbgrader requires) and the trainee's folder. Re-running it is
safe: a release replaces the module's copy in the exchange; fetched copies, submissions and
feedback are left alone.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from shequlab.autograder.nbgrader import nbgrader_api, run
from shequlab.curriculum import load_curriculum
from shequlab.layout.course import Course, course_root
from shequlab.layout.project import project_root


def release_built_modules(root: Path) -> list[str]:
    """Release every built module of the project at `root`; return their ids."""
    api = nbgrader_api(course_root(root), ExchangeReleaseAssignment={"force": True})
    exchange = Path(api.config.Exchange.root)
    exchange.mkdir(parents=True, exist_ok=True)
    exchange.chmod(0o777)  # trainees fetch from and submit into it (nbgrader: writable by all)
    course = Course.load(course_root(root))
    released = []
    for module in load_curriculum(root).modules(None, None):
        if course.release(module.id).is_dir():
            run(api.release_assignment(module.id), f"release_assignment {module.id}")
            released.append(module.id)
    return released


def main() -> int:
    root = project_root()
    # The Assignments tab changes into Exchange.assignment_dir (nbgrader_config.py beside this
    # file) on every listing and fails if it is missing.
    trainee_dir = Path(os.environ.get("SHEQULAB_TRAINEE_DIR", root / "trainee"))
    trainee_dir.mkdir(parents=True, exist_ok=True)
    released = release_built_modules(root)
    names = ", ".join(released) or "none (run `shequlab course build`)"
    print(f"released to the exchange / 已发布到交换目录: {names}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
