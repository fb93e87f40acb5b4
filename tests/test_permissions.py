"""shequlab.permissions on a small course, as root with real OS users: an open course is found,
fixed, and then a trainee's account reads nothing private while a trainer's reads it all."""

from __future__ import annotations

import grp
import os
import secrets
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from shequlab.permissions import (
    Targets,
    check,
    cohort_gid,
    fix,
    private_file_mode,
    private_writes,
)

AS_ROOT = pytest.mark.skipif(
    os.geteuid() != 0
    or not all(shutil.which(t) for t in ("useradd", "userdel", "groupadd", "groupdel", "runuser")),
    reason="needs root and the shadow-utils tools to create OS users",
)

# What a trainee must never read, and what it needs (relative to the temporary project root).
PRIVATE = [
    "grading/source/m1/exercises.ipynb",
    "grading/gradebook.db",
    "grading/backups/gradebook-1.db",
    "grading/autograded/t2/m1/exercises.ipynb",
    "grading/feedback/t2/m1/exercises.html",
    "grading/submitted/t2/m1/exercises.ipynb",
    "grading/autograde-progress/m1.json",
    "grading/exports/grades.csv",
    "grading/report.html",
    "notebooks/p/m1/exercises.ipynb",
    "notebooks/p/m1/wrong_answers.yml",
    ".git/config",
    "state/jupyterhub.sqlite",
    "build/workshop.db",
]
PUBLIC = ["grading/release/m1/exercises.ipynb", "grading/nbgrader_config.py",
          "notebooks/p/m1/case.ipynb"]  # fmt: skip


def test_private_file_mode_gives_the_group_the_owner_bits_and_others_nothing() -> None:
    assert private_file_mode(0o644) == 0o660
    assert private_file_mode(0o444) == 0o440
    assert private_file_mode(0o755) == 0o770
    assert private_file_mode(0o600) == 0o660


def make_project(parent: Path) -> Targets:
    """A project as a build and a term of grading leave it, with today's modes (umask 022)."""
    root = parent / "project"
    for rel in [*PRIVATE, *PUBLIC]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"secret of {rel}" if rel in PRIVATE else f"public {rel}")
    # grade verbs read the course's config (its db_url and paths): a valid one, public text
    (root / "grading/nbgrader_config.py").write_text("# public\nc = get_config()\n")
    (root / "grading/autograded/t2/m1/exercises.ipynb").chmod(0o444)  # as autograde leaves it
    for folder in root.rglob("*"):
        if folder.is_dir():
            folder.chmod(0o755)
    return Targets(root / "grading", root, root / "state", root / "build" / "workshop.db")


@pytest.fixture
def accounts():
    """A trainers' group with one trainer, and a trainee outside it (removed afterwards)."""
    tag = "sqp" + secrets.token_hex(2)
    group, trainer, trainee = f"{tag}-trainers", f"{tag}-trainer", f"{tag}-t01"
    subprocess.run(["groupadd", group], check=True)
    subprocess.run(["useradd", "--no-create-home", "--gid", group, trainer], check=True)
    subprocess.run(["useradd", "--no-create-home", "--user-group", trainee], check=True)
    work = Path(tempfile.mkdtemp(prefix="sqperm-"))
    work.chmod(0o755)  # tmp_path's parents are root's only: other accounts could not reach it
    try:
        yield group, trainer, trainee, work
    finally:
        for user in (trainer, trainee):
            subprocess.run(["userdel", user], check=False)
        for name in (trainee, group):  # userdel may have removed the trainee's own group
            subprocess.run(["groupdel", name], check=False, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


def reads(user: str, path: Path) -> bool:
    """Can OS user `user` read `path`? (head, as a trainee would try in a terminal)"""
    run = subprocess.run(["runuser", "-u", user, "--", "head", "-c1", str(path)],
                         capture_output=True, timeout=30)  # fmt: skip
    return run.returncode == 0


@AS_ROOT
def test_an_open_course_is_found_fixed_and_then_closed_to_trainees(accounts) -> None:
    group, trainer, trainee, work = accounts
    targets = make_project(work)
    root = targets.project_root
    # Today's modes: the trainee reads solutions and the gradebook, and check() says so.
    assert reads(trainee, root / "grading/source/m1/exercises.ipynb")
    assert reads(trainee, root / "grading/gradebook.db")
    found = {p.path for p in check(targets, group)}
    assert {targets.course_dir, targets.course_dir / "source", targets.course_dir / "gradebook.db",
            root / ".git", root / "state", root / "build/workshop.db",
            root / "notebooks/p/m1/exercises.ipynb"} <= found  # fmt: skip

    changed = fix(targets, group)
    assert changed and check(targets, group) == []
    assert fix(targets, group) == []  # idempotent

    for rel in PRIVATE:
        assert not reads(trainee, root / rel), f"trainee reads {rel}"
    for rel in PRIVATE:
        if not rel.startswith((".git", "state/")):  # root's own: trainers need neither
            assert reads(trainer, root / rel), f"trainer cannot read {rel}"
    for rel in PUBLIC:
        assert reads(trainee, root / rel), f"trainee cannot read {rel}"
    assert not reads(trainer, root / "state/jupyterhub.sqlite")

    gid = grp.getgrnam(group).gr_gid
    mode = lambda rel: stat.S_IMODE(os.stat(root / rel).st_mode)  # noqa: E731
    assert mode("grading") == 0o2775 and os.stat(root / "grading").st_gid == gid
    assert mode("grading/source") == 0o2770 and mode("grading/source/m1") == 0o2770
    assert mode("grading/source/m1/exercises.ipynb") == 0o660
    assert mode("grading/autograded/t2/m1/exercises.ipynb") == 0o440
    assert mode("grading/gradebook.db") == 0o660
    assert mode("state") == 0o700 and mode("state/jupyterhub.sqlite") == 0o600
    assert mode("build/workshop.db") == 0o660
    assert mode("grading/release/m1/exercises.ipynb") & 0o004
    assert cohort_gid(targets.course_dir) == gid
    assert (targets.course_dir / "submitted-unmatched").is_dir()  # created closed


@AS_ROOT
def test_commands_on_a_cohort_course_write_privately_and_close_what_nbgrader_opens(
    accounts,
) -> None:
    group, _, trainee, work = accounts
    targets = make_project(work)
    fix(targets, group)
    course = targets.course_dir
    with private_writes(course) as gid:
        assert gid == grp.getgrnam(group).gr_gid
        new = course / "autograded" / "t3" / "m1"
        new.mkdir(parents=True)
        (new / "exercises.ipynb").write_text("graded")
        (new / "exercises.ipynb").chmod(0o444)  # as nbgrader does: world-readable
        (course / "report.html").write_text("report")  # rewritten in place
        (course / "gradebook.db").unlink()
        (course / "gradebook.db").write_text("new gradebook")  # created anew
        assert stat.S_IMODE(os.stat(course / "gradebook.db").st_mode) == 0o660  # umask 007
    assert stat.S_IMODE(os.stat(new / "exercises.ipynb").st_mode) == 0o440
    assert stat.S_IMODE(os.stat(new).st_mode) == 0o2770
    assert os.stat(course / "gradebook.db").st_gid == grp.getgrnam(group).gr_gid
    assert check(targets, group) == []
    assert not reads(trainee, course / "gradebook.db")


@AS_ROOT
def test_a_grade_verb_on_a_cohort_course_writes_for_the_trainers_only(accounts) -> None:
    import sqlite3

    from typer.testing import CliRunner

    from shequlab.cli import app

    group, _, trainee, work = accounts
    targets = make_project(work)
    course = targets.course_dir
    for db in (course / "gradebook.db", course / "backups" / "gradebook-20260101-000000-0-x.db"):
        db.unlink(missing_ok=True)
        sqlite3.connect(db).close()
    fix(targets, group)
    umask = os.umask(0o022)
    os.umask(umask)
    result = CliRunner().invoke(app, ["grade", "restore", "--course-dir", str(course)])
    assert result.exit_code == 0, result.output
    saved = [p for p in (course / "backups").iterdir() if "before-restore" in p.name]
    assert saved, result.output
    gid = grp.getgrnam(group).gr_gid
    for written in [*saved, course / "gradebook.db"]:
        assert stat.S_IMODE(os.stat(written).st_mode) == 0o660, written
        assert os.stat(written).st_gid == gid
    assert os.umask(umask) == umask  # the verb's umask 007 ended with it
    assert check(targets, group) == []
    assert not reads(trainee, saved[0])


@AS_ROOT
@pytest.mark.slow
def test_course_build_on_a_cohort_course_keeps_solutions_closed(accounts) -> None:
    from rich.console import Console

    from shequlab.course.build import build_course
    from shequlab.rehearsal.simulate import build_single_module_root

    group, trainer, trainee, work = accounts
    module = "onb-01-neighbourhood"
    root = build_single_module_root(work / "project", module)  # built as on one machine
    targets = Targets(root / "grading", root)
    assert reads(trainee, root / "grading" / "source" / module / "exercises.ipynb")
    fix(targets, group)
    build_course("onboarding", module, root=root, console=Console(quiet=True))  # sudo course build
    assert check(targets, group) == []
    gid = grp.getgrnam(group).gr_gid
    for path in (root / "grading" / "source").rglob("*"):
        assert os.stat(path).st_gid == gid
        assert stat.S_IMODE(os.stat(path).st_mode) in (0o2770, 0o660), path
    assert not reads(trainee, root / "grading" / "source" / module / "exercises.ipynb")
    assert reads(trainer, root / "grading" / "source" / module / "exercises.ipynb")
    assert reads(trainee, root / "grading" / "release" / module / "exercises.ipynb")
    assert reads(trainee, root / "notebooks" / "onboarding" / module / "data" / "buildings.csv")


def test_a_one_machine_course_is_left_as_it_is(tmp_path) -> None:
    targets = make_project(tmp_path)
    before = {p: os.stat(p).st_mode for p in targets.project_root.rglob("*")}
    umask = os.umask(0o022)
    os.umask(umask)
    with private_writes(targets.course_dir) as gid:
        assert gid is None
        assert os.umask(umask) == umask  # unchanged inside
        os.umask(umask)
        (targets.course_dir / "source" / "new.txt").write_text("x")
    assert cohort_gid(targets.course_dir) is None
    assert {p: os.stat(p).st_mode for p in before} == before
