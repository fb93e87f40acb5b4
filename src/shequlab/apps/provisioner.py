"""The `shequlab-fork` kernel provisioner: app kernels forked from a warm, sandboxed fork-server.

A cold app kernel costs ~1.7 s of CPU (Python, ipykernel, pandas, widgets); a fork of a server
that imported them once starts in tens of milliseconds, and shares those pages with every other
kernel. The fork-server runs in bubblewrap (when available) as the grader's does: an
unprivileged uid without capabilities, its own pid namespace, and only the served apps and the
sample data (read-only), the workshop store's folder and its own scratch folder mounted. Its
kernels are not dumpable (no ptrace, no /proc/<pid>/mem for another kernel), get the facilitator
key only as a salted hash, and each receives its connection key on a line the server itself
never reads. The network is shared: a workshop store may be a database server.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import tempfile
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import KernelProvisionerBase

from shequlab.apps.ipykernel_launcher import APP_KERNEL_CONFIG, BLOCKED_MODULES
from shequlab.forking.host import ForkServer, ForkServerError, bwrap_available
from shequlab.layout.project import Project

APPS_ROOT_ENV = "SHEQULAB_APPS_ROOT"  # the served folder, set by `shequlab apps serve`
# What a forked app kernel inherits of the server's environment: Voila's request variables and
# the workshop's settings, nothing else (the server's own secrets stay out).
KERNEL_ENV_PREFIXES = ("VOILA_", "SERVER_", "LC_")
KERNEL_ENV_NAMES = {
    "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "LANG", "TZ",
    "SHEQULAB_WORKSHOP_DB", "SHEQULAB_FACILITATOR_KEY_HASH", "SHEQULAB_ROOT",
}  # fmt: skip
PREIMPORT = [
    "numpy",
    "pandas",
    "sqlalchemy",
    "ipywidgets",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.font_manager",
    "matplotlib.backends.backend_agg",
    "IPython",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "IPython.core.completerlib",
    "IPython.extensions.storemagic",
    "matplotlib_inline.backend_inline",
    # What IPKernelApp.initialize would otherwise import in every fork (a third of its start).
    "ipykernel.debugger",
    "IPython.core.debugger",
    "IPython.core.oinspect",
    "tornado.gen",
    "tornado.locks",
    "tornado.queues",
    "tornado.platform.asyncio",
    "faulthandler",
    "shequlab.apps.ipykernel_launcher",
    "shequlab.widgets.charts",
    "shequlab.widgets.header",
    "shequlab.workshop.vote_app",
    "shequlab.workshop.rating_app",
]

_server: ForkServer | None = None
_server_lock = asyncio.Lock()


def app_forkserver_settings() -> ForkServer:
    """The app server's fork-server, not yet started: what it mounts and pre-imports."""
    read_only = [Path(os.environ[APPS_ROOT_ENV])] if os.environ.get(APPS_ROOT_ENV) else []
    # The sample tables' schemas (the own-data app checks uploads against them); nothing else
    # of the project is mounted.
    read_only.append(Project.at().datasets_dir)
    writable = [_store_folder()] if _store_folder() else []
    return ForkServer(
        isolation="bwrap" if bwrap_available() else "none",
        scratch=Path(tempfile.mkdtemp(prefix="sqa-")),
        preimport=PREIMPORT,
        block_modules=BLOCKED_MODULES,
        python_flags=["-OO"],
        read_only=read_only,
        writable=writable,
        share_network=True,
    )


def _store_folder() -> Path | None:
    """The SQLite store's folder (its -wal and -shm files are written beside it)."""
    url = os.environ.get("SHEQULAB_WORKSHOP_DB", "")
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///") :]).parent
    if url and "://" not in url:  # a file path, as the store itself accepts
        return Path(url).resolve().parent
    return None


def _launch_app_forkserver(wait: bool) -> ForkServer:
    server = app_forkserver_settings()
    (server.scratch / "ipc").mkdir(parents=True)
    (server.scratch / "logs").mkdir()
    server.start(wait=wait)
    return server


def prestart_app_forkserver() -> None:
    """Launch the fork-server now, without waiting for its imports: they run while the app
    server itself starts (on another core), and the first kernel request waits for them."""
    global _server
    if _server is None or not _server.alive():
        _server = _launch_app_forkserver(wait=False)


async def app_forkserver() -> ForkServer:
    """The one fork-server of this process, started (and warmed up) on first use."""
    global _server
    async with _server_lock:
        if _server is None or not _server.alive():
            _server = await asyncio.to_thread(_launch_app_forkserver, True)
        return _server


def stop_app_forkserver() -> None:
    """Stop the fork-server (its kernels die with it) and remove its scratch folder."""
    global _server
    if _server is not None:
        _server.close()
        _server = None


def kernel_environment(env: dict[str, str]) -> dict[str, str]:
    """The part of Voila's kernel environment a forked app kernel gets."""
    return {
        k: v for k, v in env.items() if k in KERNEL_ENV_NAMES or k.startswith(KERNEL_ENV_PREFIXES)
    }


class ForkProvisioner(KernelProvisionerBase):
    """Starts each kernel as a fork of the app fork-server; signals and polls it through it."""

    pid: int | None = None
    _server: ForkServer | None = None

    @property
    def has_process(self) -> bool:
        return self.pid is not None

    async def _ask(self, **message: Any) -> dict:
        if self._server is None:
            raise ForkServerError("no fork-server")
        return await asyncio.to_thread(self._server.request, timeout=30, **message)

    async def poll(self) -> int | None:
        if self.pid is None:
            return 0
        try:
            reply = await self._ask(op="alive", pid=self.pid)
        except ForkServerError:
            return -1
        if reply.get("alive"):
            return None
        status = reply.get("status")
        return os.waitstatus_to_exitcode(status) if status is not None else -1

    async def wait(self) -> int | None:
        while (status := await self.poll()) is None:
            await asyncio.sleep(0.05)
        self.pid = None
        return status

    async def send_signal(self, signum: int) -> None:
        if self.pid is not None:
            try:
                await self._ask(op="signal", pid=self.pid, signal=int(signum))
            except ForkServerError:
                self.pid = None  # the server (and with it every kernel) is gone

    async def kill(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGTERM)

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        kwargs = await super().pre_launch(**kwargs)
        return {"cmd": list(self.kernel_spec.argv), **kwargs}

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> dict[str, Any]:
        self._server = await app_forkserver()
        name = uuid.uuid4().hex[:12]
        info = {
            "transport": "ipc",
            "ip": str(self._server.scratch / "ipc" / name),
            "shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5,
            "key": secrets.token_hex(32),
            "signature_scheme": "hmac-sha256",
        }  # fmt: skip
        reply = await self._ask(
            op="start",
            connection_file=f"{info['ip']}.json",  # never written: the key stays in memory
            cwd=str(kwargs.get("cwd") or self._server.scratch),
            log_file=str(self._server.scratch / "logs" / f"{name}.log"),
            env=kernel_environment(kwargs.get("env") or {}),
            kernel_config=APP_KERNEL_CONFIG,
            after_init="shequlab.apps.ipykernel_launcher:after_init",
            secret=info,
        )
        if not reply.get("ok"):
            raise ForkServerError(reply.get("error", "kernel did not start"))
        self.pid = int(reply["pid"])
        self.connection_info = {**info, "key": info["key"].encode()}
        return self.connection_info

    async def cleanup(self, restart: bool = False) -> None:
        if self._server is not None and self.connection_info:
            for port in range(1, 6):  # ipc socket files of a kernel that could not remove them
                Path(f"{self.connection_info['ip']}-{port}").unlink(missing_ok=True)

    def get_shutdown_wait_time(self, recommended: float = 5.0) -> float:
        return min(recommended, 2.0)

    def get_stable_start_time(self, recommended: float = 10.0) -> float:
        return min(recommended, 2.0)
