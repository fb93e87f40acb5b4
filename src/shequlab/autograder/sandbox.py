"""The sandbox trainee code runs in: bubblewrap around a warm kernel fork-server, with rlimits.

What the sandbox isolates (bwrap available):
- network: none (its own empty network namespace);
- file system: the system and the Python environment are read-only; the project, the gradebook,
  grading/ (source, release, submitted, autograded), hidden tests and other trainees' work are not
  mounted at all (of the project, only the `shequlab` package's Python code is, read-only, when it
  is installed editable: notebooks import its helpers, as under plain nbgrader); the only
  writable place is one private scratch folder per worker, emptied and
  recreated for every submission, holding that submission's data files and nothing else;
- processes: own pid/ipc/uts namespaces, no capabilities, unprivileged uid; every process a
  submission leaves behind is killed before the next submission starts;
- resources: address space, CPU seconds and file size per kernel (rlimits); wall time is enforced
  from outside (cell timeout, then a notebook deadline that kills the kernel).
Without bwrap (`isolation="none"`), only the rlimits, the private scratch folder as working
directory and the deadlines apply: trainee code then runs with the grader's own user and rights.
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
PREIMPORT = [
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.font_manager",
    "IPython",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    # Imported by every kernel during start-up (debugpy alone is ~60 ms per kernel) ...
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.extensions.storemagic",
    "matplotlib_inline.backend_inline",
    # ... and by the first traceback a kernel shows.
    "IPython.core.logger",
    "stack_data",
    "executing",
    "asttokens",
    "pure_eval",
    "pygments.formatters.terminal256",
]


# Only what Python, fonts and time zones need from /etc (not /etc as a whole: secrets live there).
ETC = [
    "/etc/ld.so.cache", "/etc/localtime", "/etc/fonts", "/etc/passwd", "/etc/group",
    "/etc/nsswitch.conf", "/etc/mime.types", "/etc/ssl", "/etc/alternatives",
]  # fmt: skip


class SandboxError(RuntimeError):
    """The sandbox (not the submission) failed: bwrap missing, fork-server dead or unresponsive."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one trainee kernel."""

    memory_mb: int = 2048  # address space (RLIMIT_AS); a 3 GB allocation raises MemoryError
    cpu_seconds: int = 120  # CPU time of the kernel process (RLIMIT_CPU)
    file_mb: int = 64  # largest file the kernel may write (RLIMIT_FSIZE)
    notebook_seconds: int = 300  # wall time for the whole notebook; then the kernel is killed
    output_kb: int = 1024  # output kept per cell; the rest is dropped with a note

    def rlimits(self) -> dict[str, int]:
        return {
            "memory_bytes": self.memory_mb * 2**20,
            "cpu_seconds": self.cpu_seconds,
            "file_bytes": self.file_mb * 2**20,
        }


def bwrap_available() -> bool:
    """True when bubblewrap exists and can create the namespaces we ask for."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return False
    probe = [bwrap, *_namespace_args(), "--ro-bind", "/", "/", "--proc", "/proc", "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _namespace_args() -> list[str]:
    return [
        "--unshare-user", "--uid", "65534", "--gid", "65534",
        "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
        "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
    ]  # fmt: skip


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


def bwrap_command(scratch: Path, mpl_dir: Path) -> list[str]:
    """The bwrap command line for one worker's fork-server."""
    args = ["bwrap", *_namespace_args()]
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
        # (notebooks import helpers such as shequlab.widgets.charts, as they do under nbgrader).
        args += ["--ro-bind", str(package), str(package)]
    args += ["--ro-bind", str(FORKSERVER), "/run/shequlab/forkserver.py"]
    args += ["--bind", str(scratch), str(scratch), "--bind", str(mpl_dir), str(mpl_dir)]
    args += ["--chdir", str(scratch)]
    return [*args, sys.executable, "-I", "/run/shequlab/forkserver.py"]


def _sandbox_env(scratch: Path, mpl_dir: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "TZ")}
    return {
        **keep,
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(scratch),
        "LANG": keep.get("LANG", "C.UTF-8"),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "MPLCONFIGDIR": str(mpl_dir),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "SHEQULAB_PREIMPORT": json.dumps(PREIMPORT),
    }


def _seed_font_cache(mpl_dir: Path) -> None:
    """Copy the grader's matplotlib font list into the sandbox's fresh config folder.

    Otherwise every fork-server rebuilds it (a scan of the system fonts) at each run. A copy, so
    nothing the sandbox writes reaches the grader's own cache; matplotlib rebuilds a stale one.
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


@dataclass
class ForkServer:
    """Host side of one worker's warm fork-server (inside bwrap, or a plain process without it)."""

    isolation: str = "bwrap"  # "bwrap" or "none"
    scratch: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sqg-")))
    _proc: subprocess.Popen | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ready: bool = False

    def start(self, wait: bool = True) -> None:
        """Launch the fork-server; with `wait=False` its warm-up (imports) overlaps with whatever
        the caller does next, and the first request waits for it."""
        mpl_dir = self.scratch / "mpl"
        mpl_dir.mkdir(parents=True, exist_ok=True)
        _seed_font_cache(mpl_dir)
        env = _sandbox_env(self.scratch, mpl_dir)
        if self.isolation == "bwrap":
            cmd = bwrap_command(self.scratch, mpl_dir)
        else:
            cmd = [sys.executable, "-I", str(FORKSERVER)]
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=open(self.scratch / "forkserver.log", "wb"),  # noqa: SIM115
            env=env,
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
            raise SandboxError(f"fork-server did not start: {self.log_tail()}")
        self._ready = True

    def log_tail(self) -> str:
        try:
            return (self.scratch / "forkserver.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def request(self, timeout: float = 90, **message) -> dict:
        """Send one request and wait for its reply; SandboxError if the server is gone or stuck."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                raise SandboxError("fork-server is not running")
            self._wait_ready()
            try:
                self._proc.stdin.write(json.dumps(message) + "\n")
                self._proc.stdin.flush()
            except (BrokenPipeError, OSError) as exc:
                raise SandboxError(f"fork-server is gone: {exc}") from exc
            return self._read(timeout)

    def _read(self, timeout: float) -> dict:
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self._proc.stdout.readline()))
        reader.daemon = True
        reader.start()
        reader.join(timeout)
        if not result or not result[0]:
            self.stop()
            raise SandboxError(f"fork-server did not answer: {self.log_tail()}")
        return json.loads(result[0])

    def new_job_dir(self, name: str) -> Path:
        """A fresh, empty working folder for one submission (the previous one is removed)."""
        for old in self.scratch.glob("job-*"):
            shutil.rmtree(old, ignore_errors=True)
        job = self.scratch / f"job-{name}"
        job.mkdir()
        return job

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
