"""`make start` serves JupyterLab in Chinese with the course released, and refuses a busy port."""

from __future__ import annotations

import json
import secrets
import socket
import stat
from pathlib import Path

import pytest
from lab.make_start import (
    ROOT,
    STARTUP_DEADLINE_S,
    http_get,
    make_env,
    spawn_make_start,
    stop_group,
)

from shequlab.curriculum import load_curriculum
from tests.conftest import LabServer

pytestmark = [pytest.mark.server, pytest.mark.slow]


def _get_json(url: str) -> dict:
    status, body = http_get(url)
    assert status == 200, f"GET {url} -> {status}: {body[:500]!r}"
    return json.loads(body)


def test_make_start_serves_jupyterlab_in_chinese(lab_server: LabServer) -> None:
    """The shared `make start` of the suite (tests/conftest.py), which also checks at the end
    that stopping it frees its port."""
    base, token = lab_server.base, lab_server.token
    log = lab_server.log
    assert f"{base}/lab?token={token}" in log.read_text(encoding="utf-8"), (
        "make start should print the URL to open"
    )

    # JupyterLab applies overrides.json to the schema defaults; with no user setting,
    # the default is the effective value the front end uses.
    plugin = _get_json(
        f"{base}/lab/api/settings/@jupyterlab/translation-extension:plugin?token={token}"
    )
    default_locale = plugin["schema"]["properties"]["locale"]["default"]
    effective_locale = plugin["settings"].get("locale", default_locale)
    assert effective_locale == "zh_CN", (
        f"effective locale {effective_locale!r}, user settings {plugin['settings']}"
    )
    assert default_locale == "zh_CN", "overrides.json did not reach the server"

    pack = _get_json(f"{base}/lab/api/translations/zh_CN?token={token}")
    strings = pack["data"]["jupyterlab"]
    assert strings[""]["language"] == "zh-CN"
    assert len(strings) > 1000, "the zh_CN language pack looks incomplete"
    assert strings["Save"] == ["保存"]

    # nbgrader's server extensions find the course through deploy/jupyterlab/ (on
    # JUPYTER_CONFIG_PATH): the Assignments tab lists every module make start released,
    # and the course list and formgrader answer without errors.
    modules = [m.id for m in load_curriculum(ROOT).modules(None, None)]
    listed = _get_json(f"{base}/assignments?course_id=shequlab&token={token}")
    assert listed["success"], listed["value"]
    released = [a["assignment_id"] for a in listed["value"] if a["status"] == "released"]
    assert released == modules, f"released {released}, curriculum {modules}"
    assert stat.S_IMODE(lab_server.exchange.stat().st_mode) == 0o777
    formgraders = _get_json(f"{base}/formgraders?token={token}")
    assert formgraders["success"], formgraders["value"]
    courses = [(f["course_id"], f["kind"]) for f in formgraders["value"]]
    assert courses == [("shequlab", "local")], formgraders["value"]
    assert _get_json(f"{base}/formgrader/api/status?token={token}") == {"status": True}
    assignments = _get_json(f"{base}/formgrader/api/assignments?token={token}")
    in_gradebook = {a["name"] for a in assignments}
    assert set(modules) <= in_gradebook, "formgrader does not see the course in grading/"


def test_make_start_fails_loudly_on_a_busy_port(tmp_path: Path) -> None:
    token = secrets.token_hex(16)
    log = tmp_path / "make-start.log"
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]

        proc = spawn_make_start(port, token, log, make_env(tmp_path))
        try:
            returncode = proc.wait(timeout=STARTUP_DEADLINE_S)
        finally:
            stop_group(proc)

        output = log.read_text(encoding="utf-8")
        assert returncode != 0, f"make start succeeded on a busy port:\n{output}"
        # Matches both our pre-check and Jupyter's own refusal (port_retries=0). A server that
        # had moved to another port would still be running, so it would not have exited above.
        assert f"port {port} is already in use" in output, output
