"""Run deploy/hub/jupyterhub_config.py as a child process; stop it and all it started."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from shequlab.hub.settings import CONFIG_FILE, HubSettings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_busy(ip: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((ip or "0.0.0.0", port))
        except OSError:
            return True
    return False


def hub_command(settings: HubSettings) -> list[str]:
    return [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(CONFIG_FILE)]


def hub_env(settings: HubSettings) -> dict[str, str]:
    env = {**os.environ, **settings.to_env()}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


@dataclass
class RunningHub:
    """A hub started by start_hub(); stop() ends it and every process in its process group."""

    settings: HubSettings
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return self.settings.url

    def api(self, method: str, path: str, token: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {token}"}
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers,
                                timeout=kwargs.pop("timeout", 60), **kwargs)  # fmt: skip

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM the hub (it stops user servers and the proxy), then SIGKILL its group."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


def start_hub(settings: HubSettings, log_path: Path, timeout: float = 90) -> RunningHub:
    """Start the hub; return once its API answers through the proxy, or raise with the log."""
    for port in (settings.port, settings.api_port, settings.proxy_api_port):
        if port_busy(settings.ip if port == settings.port else "127.0.0.1", port):
            raise RuntimeError(
                f"端口 {port} 已被占用 / port {port} is already in use; choose another "
                "(--port, --api-port, --proxy-api-port)"
            )
    log_path.parent.mkdir(parents=True, exist_ok=True)
    Path(settings.state).mkdir(parents=True, exist_ok=True, mode=0o700)
    log = open(log_path, "ab")  # noqa: SIM115 — the child writes to it after we return
    process = subprocess.Popen(
        hub_command(settings), env=hub_env(settings), stdout=log, stderr=subprocess.STDOUT,
        cwd=settings.state, start_new_session=True,
    )  # fmt: skip
    hub = RunningHub(settings, process, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the hub exited ({process.returncode}); log:\n{_tail(log_path)}")
        try:
            if requests.get(f"{settings.url}/hub/api", timeout=2).ok:
                return hub
        except requests.RequestException:
            pass
        time.sleep(0.3)
    hub.stop()
    raise RuntimeError(f"the hub did not answer in {timeout:.0f} s; log:\n{_tail(log_path)}")


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
