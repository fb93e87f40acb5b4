"""The rehearsal's isolation stage: what a trainee must not read, tried for real.

Each trainee tries, as its own OS user (runuser) and from a kernel in its own server, to read
the solutions and hidden tests, the gradebook and its backups, the next trainee's submission,
graded notebook and feedback, the resume records, exports, the cohort report, the hub's
database and cookie secret, and the workshop store — and to list the exchange's inbound/.
All must be denied. The positive control: the trainer's account, the same two ways, reads
everything but the hub's state (root's only), so a denial means a closed door, not a wrong path.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from shequlab.permissions import Targets
from shequlab.rehearsal.cohort import (
    COURSE_ID,
    NOTEBOOK,
    PROBE,
    Trainee,
    TraineeClient,
    parse_probe,
)

ROOT_ONLY = ("hub database", "cookie secret")  # the hub's state folder: not even trainers


def secrets_of(targets: Targets, exchange: Path, module: str, program: str,
               other: str) -> dict[str, str]:  # fmt: skip
    """What must stay closed to every trainee but `other` (whose work it is), by name."""
    course, project = Path(targets.course_dir), Path(targets.project_root or ".")
    backups = sorted((course / "backups").glob("gradebook-*.db"))
    inbound = exchange / COURSE_ID / "inbound"
    submission = sorted(inbound.glob(f"{other}+{module}+*"))
    found = {
        "solution in source/": course / "source" / module / NOTEBOOK,
        "authored solution": project / "notebooks" / program / module / NOTEBOOK,
        "wrong answers": project / "notebooks" / program / module / "wrong_answers.yml",
        "gradebook": course / "gradebook.db",
        "gradebook backup": backups[-1] if backups else course / "backups" / "none",
        "other's collected submission": course / "submitted" / other / module / NOTEBOOK,
        "other's autograded notebook": course / "autograded" / other / module / NOTEBOOK,
        "other's feedback": course
        / "feedback"
        / other
        / module
        / NOTEBOOK.replace(".ipynb", ".html"),
        "resume records": course / "autograde-progress" / f"{module}.json",
        "exports": course / "exports" / "grades.csv",
        "cohort report": course / "report.html",
        "hub database": Path(targets.hub_state or ".") / "jupyterhub.sqlite",
        "cookie secret": Path(targets.hub_state or ".") / "jupyterhub_cookie_secret",
        "workshop store": Path(targets.workshop_db or "."),
        "exchange inbound/ (list)": inbound,
        "other's exchange submission": (submission[0] if submission else inbound / "none")
        / NOTEBOOK,
        "other's exchange folder (list)": submission[0] if submission else inbound / "none",
    }
    return {what: str(path) for what, path in found.items()}


def probe_as(account: str, targets: dict[str, str]) -> dict[str, str]:
    """The probe as OS user `account`, as in a terminal (runuser; not through the hub)."""
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
    run = subprocess.run(["runuser", "-u", account, "--", python, "-c",
                          PROBE.format(targets=targets)],
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    return parse_probe(run.stdout + run.stderr)


def check_isolation(
    targets: Targets,
    exchange: Path,
    module: str,
    program: str,
    people: list[Trainee],
    clients: list[TraineeClient],
    trainer_client: TraineeClient,
    pool,
) -> list[str]:
    """Every trainee, both ways, denied everything; the trainer, both ways, allowed its part."""
    problems = []
    names = [p.name for p in people]
    asked = {p.name: secrets_of(targets, exchange, module, program, names[(i + 1) % len(names)])
             for i, p in enumerate(people)}  # fmt: skip
    for what, path in asked[names[0]].items():
        if not Path(path).exists():  # as root: the probe must aim at something real
            problems.append(f"isolation probe target missing: {what} ({path})")
    as_user = pool(4, lambda p: probe_as(p.name, asked[p.name]), people)
    from_kernel = pool(4, lambda c: c.probe(asked[c.trainee.name]), clients)
    for person, by_os, by_kernel in zip(people, as_user, from_kernel, strict=True):
        for how, found in (("as OS user", by_os), ("from its kernel", by_kernel)):
            opened = sorted(what for what, seen in found.items() if seen != "denied")
            if opened:
                problems.append(f"{person.name} {how} was not denied: "
                                + ", ".join(f"{w} ({found[w]})" for w in opened))  # fmt: skip
    # Positive control: the trainer's account reads the course's private parts.
    control = asked[names[0]]
    for how, found in (("as OS user", probe_as(trainer_client.trainee.name, control)),
                       ("from its kernel", trainer_client.probe(control))):  # fmt: skip
        wrong = sorted(what for what, seen in found.items()
                       if seen != ("denied" if what in ROOT_ONLY else "ALLOWED"))  # fmt: skip
        if wrong:
            problems.append("the trainer " + how + ": "
                            + ", ".join(f"{w} ({found[w]})" for w in wrong))  # fmt: skip
    return problems
