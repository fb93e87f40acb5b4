"""Run the real `make start` in its own process group, wait for JupyterLab, and stop it cleanly."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTUP_DEADLINE_S = 180
HTTP_TIMEOUT_S = 5
STOP_TIMEOUT_S = 20

# Variables that would let an outer make, or the developer's own Jupyter set-up, leak in.
_LEAKY = {
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
    "JUPYTER_CONFIG_DIR",
    "JUPYTER_CONFIG_PATH",
    "JUPYTER_DATA_DIR",
    "JUPYTER_PATH",
    "JUPYTER_TOKEN",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Whether a server could bind the port now (SO_REUSEADDR, as Jupyter binds)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def make_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The caller's environment, minus an outer make's flags, with private Jupyter user dirs.

    The user-level settings are isolated so that a developer's own locale choice cannot
    mask (or fake) the environment-wide override that `make install` puts in place; the
    nbgrader exchange and the trainee's folder are private to the test. `extra` overrides.
    """
    env = {k: v for k, v in os.environ.items() if k not in _LEAKY}
    env["JUPYTERLAB_SETTINGS_DIR"] = str(tmp_path / "user-settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(tmp_path / "workspaces")
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    # make start releases every module into the exchange: a private one, never grading/exchange.
    env["SHEQULAB_EXCHANGE"] = str(tmp_path / "exchange")
    env["SHEQULAB_TRAINEE_DIR"] = str(tmp_path / "trainee")
    env.update(extra)
    return env


def spawn_make_start(port: int, token: str, log: Path, env: dict[str, str]) -> subprocess.Popen:
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


def stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM the process group, then SIGKILL what is left, kernels included.

    Jupyter starts kernels in sessions of their own, so they are found by parentage first;
    on SIGTERM Jupyter shuts them down itself, and any it leaves are killed here.
    """
    kernels: list[psutil.Process] = []
    with contextlib.suppress(psutil.NoSuchProcess):
        kernels = psutil.Process(proc.pid).children(recursive=True)
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
    for child in kernels:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()


def tail(log: Path, lines: int = 40) -> str:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def http_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_S) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_until_lab_serves(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_DEADLINE_S
    last = "no answer yet"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"make start exited with {proc.returncode} before serving:\n{tail(log)}")
        try:
            status, _ = http_get(url)
            if status == 200:
                return
            last = f"HTTP {status}"
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = repr(exc)
        time.sleep(1)
    pytest.fail(f"JupyterLab not serving within {STARTUP_DEADLINE_S}s ({last}):\n{tail(log)}")
