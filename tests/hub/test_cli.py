"""`shequlab hub start` in system mode refuses a course trainees could read, or closes it."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from shequlab.cli import app
from shequlab.hub.cli import _close_course
from shequlab.hub.server import free_port
from shequlab.hub.settings import HubSettings
from shequlab.hub.users import ensure_group
from shequlab.permissions import check, cohort_gid

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("groupadd"), reason="system mode needs root"
)


@pytest.fixture
def cohort(tmp_path, monkeypatch):
    """A built-looking project (course open, as `sudo course build` leaves it) and hub settings
    with groups of their own; the groups are removed afterwards."""
    tag = "sqc" + secrets.token_hex(2)
    project = tmp_path / "project"
    files = ("grading/source/m1/exercises.ipynb", "grading/gradebook.db",
             "grading/release/m1/exercises.ipynb", "notebooks/p/m1/exercises.ipynb")  # fmt: skip
    for rel in files:
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(rel)
    env = {
        "SHEQULAB_ROOT": str(project),
        "SHEQULAB_WORKSHOP_DB": str(project / "build" / "workshop.db"),
        "SHEQULAB_HUB_COURSE_DIR": str(project / "grading"),
        "SHEQULAB_HUB_STATE": str(tmp_path / "hub" / "state"),
        "SHEQULAB_HUB_TRAINER_GROUP": f"{tag}-trainers",
        "SHEQULAB_HUB_TRAINEE_GROUP": f"{tag}-trainees",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield project
    for group in (f"{tag}-trainers", f"{tag}-trainees"):
        subprocess.run(["groupdel", group], check=False)


def test_start_refuses_an_open_course_and_says_how_to_fix_it(cohort) -> None:
    port = free_port()
    result = CliRunner().invoke(app, ["hub", "start", "--mode", "system", "--port", str(port),
                                      "--api-port", str(free_port()),
                                      "--proxy-api-port", str(free_port())])  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "学员可以读取" in result.output and "trainees could read" in result.output
    assert "--fix-permissions" in result.output
    assert str(cohort / "grading" / "source") in result.output
    assert "Traceback" not in result.output
    assert cohort_gid(cohort / "grading") is None  # refused: nothing changed


def test_fix_permissions_closes_the_course_before_the_hub_starts(cohort) -> None:
    settings = HubSettings.from_env()
    ensure_group(settings.trainer_group)  # as `hub start` does first
    assert settings.exchange == str(cohort.parent / "hub" / "exchange")  # not in the 0700 state
    _close_course(settings, fix=True)
    from shequlab.hub.access import cohort_targets

    assert check(cohort_targets(settings), settings.trainer_group) == []
    assert cohort_gid(cohort / "grading") is not None
