"""The rehearsal: a cohort of 10 real OS-user trainees through the real hub on loopback."""

from __future__ import annotations

import os
import pwd
import shutil
import stat

import pytest

from shequlab.rehearsal.rehearse import rehearse

pytestmark = [
    pytest.mark.slow,
    pytest.mark.server,
    pytest.mark.timeout(600),
    pytest.mark.skipif(os.geteuid() != 0, reason="creates OS accounts: needs root"),
    pytest.mark.skipif(
        not all(shutil.which(t) for t in ("useradd", "userdel", "groupadd", "chpasswd", "runuser")),
        reason="needs the shadow-utils tools and runuser",
    ),
]

N = 10


@pytest.fixture(scope="module")
def result():
    modes = {p: stat.S_IMODE(os.stat(p).st_mode) for p in ("/root", "/tmp")}
    before = {u.pw_name for u in pwd.getpwall()}
    outcome = rehearse(N, log=print)
    yield outcome
    assert {u.pw_name for u in pwd.getpwall()} == before, "OS accounts left behind"
    assert {p: stat.S_IMODE(os.stat(p).st_mode) for p in modes} == modes


def test_every_stage_ran_and_was_timed(result) -> None:
    for stage in ("permissions", "spawn", "release", "fetch", "validate", "submit", "collect",
                  "autograde", "feedback", "fetch feedback", "export + report", "isolation check",
                  "stop"):  # fmt: skip
        assert stage in result.timings
    print("\n" + result.table())


def test_no_problems(result) -> None:
    # covers: logins, arrivals exactly once, grades = plain nbgrader, feedback, the trainer's
    # loop as a trainer account that is not root, isolation (the course's private parts, others'
    # work, hub state and workshop store denied to every trainee as its OS user and from its
    # kernel; read by the trainer), trainer formgrader vs trainee, zh_CN locale, Voila through
    # the proxy, idle culler.
    assert result.problems == []


def test_every_trainee_was_graded_with_a_mix_of_scores(result) -> None:
    assert len(result.grades) == N
    scores = {score for score, _ in result.grades.values()}
    assert len(scores) >= 3  # right, blank, wrong answers
    assert all(score is not None for score in scores)


def test_every_process_was_stopped(result) -> None:
    assert result.leftovers == []
