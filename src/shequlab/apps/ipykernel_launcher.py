"""App kernels: the IPython kernels of `shequlab apps serve`, lighter than JupyterLab's.

An app kernel is an ordinary IPython kernel (ipykernel) that
- runs without ipykernel's debugger: ipykernel imports debugpy as each kernel starts so that
  JupyterLab can debug it (8 MB per kernel), and nobody debugs a workshop app;
- keeps no input history database: every visitor's kernel would otherwise write the app's cells
  to the same SQLite file;
- runs Python with `-OO`: no docstrings and asserts in memory (11 MB per kernel), nobody reads
  a docstring in an app. `make install` compiles the optimised bytecode once
  (`compileall -o 2`), so kernels do not compile it on every start;
- gives freed memory back once it has run cells and gone idle (a preheated kernel that waits for
  its visitor): discarded figures are collected, matplotlib's open fonts closed and the C heap
  trimmed (5-6 MB).

`AppKernelSpecManager` makes Voila start its Python kernels with
`python -OO -m shequlab.apps.ipykernel_launcher -f <connection file>` (this module's `main`) instead
of ipykernel's own `python -m ipykernel_launcher`; with `fork=True` it names the `shequlab-fork`
provisioner instead, which forks the same app kernel from a warm fork-server
(shequlab.apps.provisioner).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from traitlets import Bool

IPYKERNEL_ARGS = ["-m", "ipykernel_launcher"]
APP_KERNEL_ARGS = ["-OO", "-m", "shequlab.apps.ipykernel_launcher"]
RELEASE_AFTER_IDLE = 0.5  # seconds without running a cell before memory is given back
FORK_PROVISIONER = "shequlab-fork"  # entry point in pyproject.toml
APP_KERNEL_CONFIG = {"HistoryManager": {"enabled": False}}
BLOCKED_MODULES = ["debugpy"]  # `import debugpy` fails: ipykernel runs without its debugger


class AppKernelSpecManager(KernelSpecManager):
    """Kernel specs whose IPython kernels are app kernels; other kernels are left as they are.

    The interpreter and the arguments stay those of the installed spec (usually `python3`).
    """

    fork = Bool(False, config=True, help="Fork app kernels from a warm fork-server.")

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        spec = super().get_kernel_spec(kernel_name)
        if spec.argv[1:3] == IPYKERNEL_ARGS:
            spec.argv = [spec.argv[0], *APP_KERNEL_ARGS, *spec.argv[3:]]
            spec.metadata = {**spec.metadata, "debugger": False}
            if self.fork:
                provisioner = {"provisioner_name": FORK_PROVISIONER, "config": {}}
                spec.metadata["kernel_provisioner"] = provisioner
        return spec


def release_memory() -> None:
    """Collect unreachable objects (figures form reference cycles), close the fonts matplotlib
    keeps open, and trim glibc's heap."""
    import ctypes
    import gc

    # An open CJK font holds ~2 MB; the next chart reopens it at no measurable cost (<1 ms).
    font_manager = sys.modules.get("matplotlib.font_manager")
    if font_manager is not None:
        with contextlib.suppress(AttributeError):  # a private cache of matplotlib's: may go away
            font_manager._get_font.cache_clear()
    gc.collect()
    # glibc keeps freed heap pages; elsewhere (macOS, musl) there is nothing to trim.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class IdleRelease:
    """Calls release_memory once no cell has run for RELEASE_AFTER_IDLE seconds."""

    def __init__(self) -> None:
        self._pending = None

    def after_cell(self, *_args: object) -> None:
        import asyncio

        if self._pending is not None:
            self._pending.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a cell run outside the kernel's event loop
            release_memory()
            return
        self._pending = loop.call_later(RELEASE_AFTER_IDLE, release_memory)


def main() -> None:
    """Start an app kernel; arguments as for ipykernel_launcher."""
    # As ipykernel_launcher does: keep the notebook's folder off sys.path while the kernel loads
    # (IPython puts it back for the notebook's code).
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    # `import debugpy` now fails, so ipykernel runs as it does when debugpy is not installed:
    # no debugger, and no "debugger" among the features in its kernel_info reply.
    for name in BLOCKED_MODULES:
        sys.modules[name] = None  # type: ignore[assignment]
    from ipykernel.kernelapp import IPKernelApp
    from traitlets.config import Config

    app = IPKernelApp.instance(config=Config(APP_KERNEL_CONFIG))
    app.initialize()
    after_init(app)
    app.start()


def after_init(app) -> None:
    """What an initialised kernel app needs to be an app kernel (also run in forked kernels)."""
    app.shell.events.register("post_run_cell", IdleRelease().after_cell)


if __name__ == "__main__":
    main()
