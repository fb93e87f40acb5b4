"""Host side of a warm kernel fork-server: starts it (inside bubblewrap or not) and talks to it.

Used by the grader's sandbox and by the app server's kernel provisioner. What a sandbox holds
(bwrap available): the system and the Python environment read-only, the `shequlab` package's own
code read-only when installed editable, the folders a caller names (read-only or writable), a
private scratch folder, its own pid/ipc/uts namespaces (and network, unless shared), no
capabilities and an unprivileged uid. Everything else of the machine is not mounted at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

FORKSERVER = Path(__file__).with_name("forkserver.py")

# Only what Python, fonts and time zones need from /etc (not /etc as a whole: secrets live there).
ETC = [
    "/etc/ld.so.cache", "/etc/localtime", "/etc/fonts", "/etc/passwd", "/etc/group",
    "/etc/nsswitch.conf", "/etc/mime.types", "/etc/ssl", "/etc/alternatives",
]  # fmt: skip


class ForkServerError(RuntimeError):
    """The fork-server (not the code run in its kernels) failed: bwrap missing, dead or stuck."""


def bwrap_available() -> bool:
    """True when bubblewrap exists and can create the namespaces we ask for."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return False
    probe = [bwrap, *_namespace_args(False), "--ro-bind", "/", "/", "--proc", "/proc", "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _namespace_args(share_network: bool) -> list[str]:
    args = [
        "--unshare-user", "--uid", "65534", "--gid", "65534",
        "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
    ]  # fmt: skip
    return args if share_network else [*args, "--unshare-net"]


def _python_roots() -> list[str]:
    """Folders the interpreter and its packages live in (bound read-only)."""
    roots = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        str(Path(sys.executable).resolve().parents[1]),
    }
    return sorted(r for r in roots if r and Path(r).exists())


def _package_root() -> Path:
    """The installed `shequlab` package folder (Python code only: no notebooks, no data)."""
    return Path(__file__).resolve().parents[1]


@dataclass
class ForkServer:
    """One warm fork-server process and its request pipe (one request at a time)."""

    isolation: str = "bwrap"  # "bwrap" or "none"
    scratch: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sqg-")))
    preimport: list[str] = field(default_factory=list)
    block_modules: list[str] = field(default_factory=list)  # unimportable in kernels
    python_flags: list[str] = field(default_factory=list)  # e.g. ["-OO"], inherited by forks
    read_only: list[Path] = field(default_factory=list)  # extra folders kernels may read
    writable: list[Path] = field(default_factory=list)  # extra folders kernels may write
    share_network: bool = False
    _proc: subprocess.Popen | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ready: bool = False

    def command(self, mpl_dir: Path) -> list[str]:
        """The command line: bwrap around the script, or the script alone."""
        python = [sys.executable, "-I", *self.python_flags]
        if self.isolation != "bwrap":
            return [*python, str(FORKSERVER)]
        args = ["bwrap", *_namespace_args(self.share_network)]
        for system in ("/usr", "/opt", *ETC):
            if Path(system).exists():
                args += ["--ro-bind", system, system]
        for link in ("/bin", "/lib", "/lib64", "/sbin"):
            if Path(link).is_symlink():
                args += ["--symlink", os.readlink(link), link]
            elif Path(link).exists():
                args += ["--ro-bind", link, link]
        args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
        for root in _python_roots():
            args += ["--ro-bind", root, root]
        package = _package_root()
        if not any(package.is_relative_to(root) for root in _python_roots()):
            # An editable install lives in the project: bind the package's own code, and only it
            # (notebooks import helpers such as shequlab.widgets.charts).
            args += ["--ro-bind", str(package), str(package)]
        # Parents before children: a later bind of a parent folder (the store's folder, say)
        # would hide a read-only bind below it (the apps folder) and make it writable.
        binds = [("--ro-bind", Path(f)) for f in self.read_only]
        binds += [("--bind", Path(f)) for f in [*self.writable, self.scratch, mpl_dir]]
        for flag, folder in sorted(binds, key=lambda bind: len(bind[1].parts)):
            args += [flag, str(folder), str(folder)]
        args += ["--ro-bind", str(FORKSERVER), "/run/shequlab/forkserver.py"]
        args += ["--chdir", str(self.scratch)]
        return [*args, *python, "/run/shequlab/forkserver.py"]

    def environment(self, mpl_dir: Path) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "TZ")}
        return {
            **keep,
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.scratch),
            "LANG": keep.get("LANG", "C.UTF-8"),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "MPLCONFIGDIR": str(mpl_dir),
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "SHEQULAB_PREIMPORT": json.dumps(self.preimport),
            "SHEQULAB_BLOCK_MODULES": json.dumps(self.block_modules),
        }

    def start(self, wait: bool = True) -> None:
        """Launch the fork-server; with `wait=False` its warm-up (imports) overlaps with whatever
        the caller does next, and the first request waits for it."""
        mpl_dir = self.scratch / "mpl"
        mpl_dir.mkdir(parents=True, exist_ok=True)
        _seed_font_cache(mpl_dir)
        self._proc = subprocess.Popen(
            self.command(mpl_dir),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=open(self.scratch / "forkserver.log", "wb"),  # noqa: SIM115
            env=self.environment(mpl_dir),
            cwd=self.scratch,
            text=True,
            bufsize=1,
        )
        self._ready = False
        if wait:
            with self._lock:
                self._wait_ready()

    def _wait_ready(self) -> None:
        if self._ready:
            return
        hello = self._read(timeout=120)
        if not hello.get("ready"):
            raise ForkServerError(f"fork-server did not start: {self.log_tail()}")
        self._ready = True

    def log_tail(self) -> str:
        try:
            return (self.scratch / "forkserver.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def request(self, timeout: float = 90, secret: dict | None = None, **message) -> dict:
        """Send one request and wait for its reply; ForkServerError if the server is gone or
        stuck. A `secret` goes on the line after the request, for the forked kernel alone."""
        lines = json.dumps({**message, "secret": secret is not None}) + "\n"
        if secret is not None:
            lines += json.dumps(secret) + "\n"
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                raise ForkServerError("fork-server is not running")
            self._wait_ready()
            try:
                self._proc.stdin.write(lines)
                self._proc.stdin.flush()
            except (BrokenPipeError, OSError) as exc:
                raise ForkServerError(f"fork-server is gone: {exc}") from exc
            return self._read(timeout)

    def _read(self, timeout: float) -> dict:
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self._proc.stdout.readline()))
        reader.daemon = True
        reader.start()
        reader.join(timeout)
        if not result or not result[0]:
            self.stop()
            raise ForkServerError(f"fork-server did not answer: {self.log_tail()}")
        return json.loads(result[0])

    def new_job_dir(self, name: str) -> Path:
        """A fresh, empty working folder for one job (the previous ones are removed)."""
        for old in self.scratch.glob("job-*"):
            shutil.rmtree(old, ignore_errors=True)
        job = self.scratch / f"job-{name}"
        job.mkdir()
        return job

    @property
    def pid(self) -> int | None:
        """The host's pid of the started command (bwrap, or the server itself)."""
        return self._proc.pid if self._proc is not None else None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(timeout=10)
        self._proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.scratch, ignore_errors=True)


def _seed_font_cache(mpl_dir: Path) -> None:
    """Copy the host's matplotlib font list into the sandbox's fresh config folder.

    Otherwise every fork-server rebuilds it (a scan of the system fonts) at each run. A copy, so
    nothing the sandbox writes reaches the host's own cache; matplotlib rebuilds a stale one.
    """
    home = Path(os.environ.get("HOME", "~")).expanduser()
    folders = [
        os.environ.get("MPLCONFIGDIR", ""),
        Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "matplotlib",
    ]
    for folder in folders:
        if folder and Path(folder).is_dir():
            for cache in Path(folder).glob("fontlist-v*.json"):
                with contextlib.suppress(OSError):
                    shutil.copyfile(cache, mpl_dir / cache.name)
            return
