"""Warm kernel fork-server: inside a sandbox, forks a fresh pre-imported ipykernel per request.

Shared by the grader (one sandboxed kernel per submitted notebook) and the app server (one kernel
per app visitor). Started as a plain script (`python -I forkserver.py`) so that it needs nothing
from the project but the Python environment. Importing pandas, numpy, matplotlib and ipykernel
costs about a second per kernel; here it is paid once, and every kernel is a clean fork with those
modules loaded (their pages shared between kernels until written).

Protocol: one JSON object per line on stdin, one JSON reply per line on stdout.
  {"op": "start", "connection_file": ..., "cwd": ..., "env": {...}, "limits": {...}}
      -> {"ok": true, "pid": N}  once the kernel's sockets are bound (or {"ok": false, ...})
      With "secret": true, the next line on stdin is the kernel's connection info (transport,
      ip, ports, key) and is read by the forked kernel alone: the server never holds a kernel's
      key, so no later fork inherits one in its memory. Optional: "kernel_config" (traitlets
      config as a dict) and "after_init" ("module:function", called with the kernel app).
  {"op": "alive", "pid": N}   -> {"ok": true, "alive": bool, "status": exit status or null}
  {"op": "signal", "pid": N, "signal": 2}  -> {"ok": true}
  {"op": "reap"}  -> kills every other process in the sandbox's pid namespace -> {"ok": true}
Kernels close the protocol pipes before running trainee code, so they cannot speak for the server.
$SHEQULAB_PREIMPORT lists modules to import once; $SHEQULAB_BLOCK_MODULES modules to make
unimportable (as if not installed) before that.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import json
import os
import resource
import select
import signal
import sys

PR_SET_PDEATHSIG, PR_SET_DUMPABLE = 1, 4
LIMITS = {
    "memory_bytes": resource.RLIMIT_AS,
    "cpu_seconds": resource.RLIMIT_CPU,
    "file_bytes": resource.RLIMIT_FSIZE,
}
_libc = ctypes.CDLL(None, use_errno=True)
_exits: dict[int, int] = {}  # pid -> raw wait status, for kernels already reaped
_started: set[int] = set()  # kernels started by this server (their sessions are killed by reap)


def warm_up(modules: list[str]) -> None:
    """Import what notebooks commonly import, so each forked kernel starts with it loaded."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # a missing optional module only costs speed
            print(f"forkserver: cannot pre-import {name}: {exc}", file=sys.stderr)
    pandas_as_in_a_kernel()
    warm_tracebacks()
    gc.collect()
    gc.freeze()  # keep the imported objects' pages shared between forks


def pandas_as_in_a_kernel() -> None:
    """Give pandas the display default it would have picked if imported inside a kernel.

    pandas fixes `display.max_columns` at import: 0 (fit the terminal, elide with "...") when no
    Jupyter kernel is running, 20 (wrap wide tables) inside one. Imported here, before any kernel,
    it would pick 0, and wide DataFrames would print unlike under plain nbgrader.
    """
    try:
        from pandas._config import config
    except Exception:
        return
    key = "display.max_columns"
    option = config._registered_options.get(key)
    if option is not None and option.defval == 0:
        config._registered_options[key] = option._replace(defval=20)
        config.set_option(key, 20)


# Errors trainees commonly raise inside pandas. The first traceback through a library file makes
# IPython (stack_data/executing) parse that whole file: 0.1–0.3 s for pandas' frame.py and friends.
# Only the commonest (KeyError) are warmed here: each warmed file costs start-up time too.
WARM_ERRORS = [
    "pd.DataFrame({'a': [1]})['b']",  # a column that is not there: frame.py, indexes/base.py
    "pd.Series([1], index=['a'])['b']",  # a label that is not there: series.py
]


def warm_tracebacks() -> None:
    """Format, once, the tracebacks of a few pandas errors the way IPython shows them to kernels.

    Only caches fill (parsed library sources, keyed by file name); what a kernel later shows for
    an error is unchanged, it just does not pay for parsing pandas again in every fork.
    """
    try:
        import pandas as pd
        from IPython.core.ultratb import VerboseTB
    except Exception:
        return
    formatter = VerboseTB()
    for code in WARM_ERRORS:
        try:
            eval(code, {"pd": pd})  # fixed strings above, not trainee code
        except Exception:
            etype, value, tb = sys.exc_info()
            with contextlib.suppress(Exception):
                formatter.structured_traceback(etype, value, tb)
        finally:
            etype = value = tb = None


def start_kernel(request: dict) -> dict:
    """Fork a kernel; reply once it has bound its sockets, or with why it did not."""
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the kernel: never returns
        os.close(ready_r)
        _become_kernel(request, ready_w)
    os.close(ready_w)
    timeout = float(request.get("startup_timeout", 60))
    if request.get("secret") and _read_ready(ready_r, timeout) != b"s":
        _read_line(0)  # the kernel never took its secret line: drop it, or it reads as a request
    ok = _read_ready(ready_r, timeout) == b"1"
    os.close(ready_r)
    if not ok:
        _kill_and_wait(pid)
        return {"ok": False, "error": "kernel did not start (see kernel.log)"}
    _started.add(pid)
    return {"ok": True, "pid": pid}


def _read_ready(ready_r: int, timeout: float) -> bytes:
    readable, _, _ = select.select([ready_r], [], [], timeout)
    return os.read(ready_r, 1) if readable else b""


def _read_line(fd: int) -> bytes:
    """One line from fd, read byte by byte: nothing after the newline is consumed, so the line
    that follows a request can be left for a forked kernel to read."""
    line = bytearray()
    while True:
        byte = os.read(fd, 1)
        if not byte or byte == b"\n":
            return bytes(line)
        line += byte


def _become_kernel(request: dict, ready_w: int) -> None:
    try:
        secret = {}
        if request.get("secret"):
            secret = json.loads(_read_line(0))
            os.write(ready_w, b"s")
        os.setsid()
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        for key, value in request.get("limits", {}).items():
            if key in LIMITS and value:
                resource.setrlimit(LIMITS[key], (int(value), int(value)))
        cwd = request["cwd"]
        os.chdir(cwd)
        os.environ.update(request.get("env", {}))
        # Detach from the protocol pipes: trainee code must not be able to answer for the server.
        null = os.open(os.devnull, os.O_RDWR)
        log = os.open(request["log_file"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.closerange(3, ready_w)
        os.closerange(ready_w + 1, 1 << 16)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        sys.argv = ["ipykernel_launcher"]

        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance(config=_kernel_config(request, secret))
        if secret:
            app.write_connection_file = lambda **_: None  # the key stays in this process only
        app.initialize(["-f", request["connection_file"], *request.get("kernel_args", [])])
        if request.get("after_init"):
            module, _, function = request["after_init"].partition(":")
            getattr(importlib.import_module(module), function)(app)
        os.write(ready_w, b"1")
        os.close(ready_w)
        app.start()
    except BaseException as exc:
        try:
            print(f"forkserver: kernel failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        finally:
            os._exit(1)
    os._exit(0)


def _kernel_config(request: dict, secret: dict):
    """Traitlets config of the kernel: the request's, plus the connection info of a secret line."""
    from traitlets.config import Config

    config = Config(request.get("kernel_config", {}))
    if secret:
        for name in ("transport", "ip", "shell_port", "iopub_port", "stdin_port", "hb_port"):
            config.IPKernelApp[name] = secret[name]
        config.IPKernelApp.control_port = secret["control_port"]
        config.Session.key = secret["key"].encode()
        config.Session.signature_scheme = secret.get("signature_scheme", "hmac-sha256")
    return config


def _kill_and_wait(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        _exits[pid] = status
    except (ProcessLookupError, ChildProcessError):
        pass


def alive(pid: int) -> dict:
    if pid in _exits:
        return {"ok": True, "alive": False, "status": _exits[pid]}
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return {"ok": True, "alive": False, "status": None}
    if done:
        _exits[pid] = status
        _started.discard(pid)  # collected: its pid may be reused, never signal it again
        return {"ok": True, "alive": False, "status": status}
    return {"ok": True, "alive": True, "status": None}


def reap() -> dict:
    """Kill every process of the sandbox but this server and bwrap's init; collect them.

    kill(-1) reaches every process the server may signal: inside bwrap's own pid namespace
    that is the sandbox, but without bwrap (isolation "none") it would be every process of the
    user on the machine. There only the sessions of the kernels this server started are killed.
    """
    if os.getpid() <= 2:  # bwrap --unshare-pid: its init is 1, this server 2
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)
    else:
        for pid in list(_started):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)  # each kernel leads its own session (setsid)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        _exits[pid] = status
    _started.clear()
    return {"ok": True}


def handle(request: dict) -> dict:
    op = request.get("op")
    if op == "start":
        return start_kernel(request)
    if op == "alive":
        return alive(int(request["pid"]))
    if op == "signal":
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(request["pid"]), int(request["signal"]))
        return {"ok": True}
    if op == "reap":
        return reap()
    return {"ok": False, "error": f"unknown op {op!r}"}


def main() -> None:
    # Not dumpable: kernels (same uid) can neither ptrace this process nor read its memory.
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    for name in json.loads(os.environ.get("SHEQULAB_BLOCK_MODULES", "[]")):
        sys.modules[name] = None  # type: ignore[assignment]
    warm_up(json.loads(os.environ.get("SHEQULAB_PREIMPORT", "[]")))
    out = sys.stdout
    out.write(json.dumps({"ok": True, "ready": True}) + "\n")
    out.flush()
    while line := _read_line(0):
        try:
            reply = handle(json.loads(line))
        except Exception as exc:
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
