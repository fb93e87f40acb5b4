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
The fork-server and its sandbox are shared with the app server (shequlab.forking); this module
holds what is the grader's: its limits and what its kernels pre-import.
Without bwrap (`isolation="none"`), only the rlimits, the private scratch folder as working
directory and the deadlines apply: trainee code then runs with the grader's own user and rights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shequlab.forking.host import ForkServer as _ForkServer
from shequlab.forking.host import ForkServerError, bwrap_available

__all__ = ["PREIMPORT", "ForkServer", "Limits", "SandboxError", "bwrap_available"]

SandboxError = ForkServerError  # the sandbox (not the submission) failed

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


@dataclass
class ForkServer(_ForkServer):
    """A grading worker's fork-server: no network, the grader's pre-imports."""

    preimport: list[str] = field(default_factory=lambda: list(PREIMPORT))
