"""`make start` really serves JupyterLab in Chinese, stops cleanly, and refuses a busy port."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STARTUP_DEADLINE_S = 180
HTTP_TIMEOUT_S = 5
STOP_TIMEOUT_S = 20

pytestmark = [pytest.mark.server, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_is_free(port: int) -> bool:
    """Whether a server could bind the port now (SO_REUSEADDR, as Jupyter binds)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _make_env(tmp_path: Path) -> dict[str, str]:
    """The caller's environment, minus an outer make's flags, with private Jupyter user dirs.

    The user-level settings are isolated so that a developer's own locale choice cannot
    mask (or fake) the environment-wide override that `make install` puts in place.
    """
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    env["JUPYTERLAB_SETTINGS_DIR"] = str(tmp_path / "user-settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(tmp_path / "workspaces")
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    return env


def _spawn_make_start(port: int, token: str, log: Path, env: dict[str, str]) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(
            ["make", "--no-print-directory", "start", f"PORT={port}", f"TOKEN={token}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: one signal reaches make and Jupyter
        )


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM the whole process group, then SIGKILL whatever is left after a grace period."""
    pgid = proc.pid  # start_new_session: the group id is the leader's pid
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=STOP_TIMEOUT_S)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.killpg(pgid, signal.SIGKILL)
        proc.wait(timeout=STOP_TIMEOUT_S)


def _tail(log: Path, lines: int = 40) -> str:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_S) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _get_json(url: str) -> dict:
    status, body = _get(url)
    assert status == 200, f"GET {url} -> {status}: {body[:500]!r}"
    return json.loads(body)


def _wait_until_lab_serves(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_DEADLINE_S
    last = "no answer yet"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"make start exited with {proc.returncode} before serving:\n{_tail(log)}")
        try:
            status, _ = _get(url)
            if status == 200:
                return
            last = f"HTTP {status}"
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = repr(exc)
        time.sleep(1)
    pytest.fail(f"JupyterLab not serving within {STARTUP_DEADLINE_S}s ({last}):\n{_tail(log)}")


def test_make_start_serves_jupyterlab_in_chinese(tmp_path: Path) -> None:
    port, token = _free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "make-start.log"
    proc = _spawn_make_start(port, token, log, _make_env(tmp_path))
    try:
        _wait_until_lab_serves(proc, f"{base}/lab?token={token}", log)
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
    finally:
        _stop_group(proc)

    deadline = time.monotonic() + STOP_TIMEOUT_S
    while not _port_is_free(port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _port_is_free(port), f"port {port} still taken after stopping make start"


def test_make_start_fails_loudly_on_a_busy_port(tmp_path: Path) -> None:
    token = secrets.token_hex(16)
    log = tmp_path / "make-start.log"
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]

        proc = _spawn_make_start(port, token, log, _make_env(tmp_path))
        try:
            returncode = proc.wait(timeout=STARTUP_DEADLINE_S)
        finally:
            _stop_group(proc)

        output = log.read_text(encoding="utf-8")
        assert returncode != 0, f"make start succeeded on a busy port:\n{output}"
        # Matches both our pre-check and Jupyter's own refusal (port_retries=0). A server that
        # had moved to another port would still be running, so it would not have exited above.
        assert f"port {port} is already in use" in output, output
