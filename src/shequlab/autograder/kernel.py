"""nbgrader's Execute step, with the kernel forked inside the sandbox instead of started cold.

nbclient (the harness, trusted) runs in the grading process exactly as in `nbgrader autograde`;
only the kernel is different: a warm fork from the sandboxed fork-server, reached over unix
sockets in the submission's private scratch folder. Outputs therefore have the same form as
plain nbgrader's, and so do the grades computed from them.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Any as AnyTrait
from traitlets import DottedObjectName, default

from shequlab.autograder.cells import grade_id, is_test
from shequlab.autograder.sandbox import ForkServer, Limits, SandboxError
from shequlab.checks import guard
from shequlab.forking.client import QuickReadyClient

TRUNCATED = "\n[… 输出过长，其余部分已省略 output too long, the rest was dropped (shequlab) …]\n"


@dataclass
class ExecutionEvents:
    """What happened while one notebook ran, for the submission's status."""

    kernel_died: bool = False
    deadline_hit: bool = False
    output_truncated: bool = False
    exit_status: int | None = None
    sandbox_error: str = ""
    output_bytes: dict[int, int] = field(default_factory=dict)
    truncated_cells: set[int] = field(default_factory=set)
    # Test cells the kernel reported as passing that the guard's digests, judged here, fail.
    overruled: list[str] = field(default_factory=list)


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel is a fork inside the sandbox, not a subprocess of ours."""

    forkserver = AnyTrait()
    job_dir = AnyTrait()
    limits = AnyTrait()
    kernel_env = AnyTrait()
    _pid: int | None = None

    client_class = DottedObjectName("shequlab.forking.client.QuickReadyClient")

    @default("client_factory")
    def _quick_ready_client(self) -> type:
        # Setting client_class alone is not enough: AsyncKernelManager's own client_factory
        # default (AsyncKernelClient) wins, and each notebook then paid a 200 ms iopub flush.
        return QuickReadyClient

    @property
    def has_kernel(self) -> bool:
        return self._pid is not None

    async def start_kernel(self, **kwargs: Any) -> None:
        job: Path = self.job_dir
        info = {
            "transport": "ipc",
            "ip": str(job / "k"),
            "shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5,
            "key": uuid.uuid4().hex,
            "signature_scheme": "hmac-sha256",
            "kernel_name": "python3",
        }  # fmt: skip
        connection_file = job / "kernel.json"
        connection_file.write_text(json.dumps(info))
        self.load_connection_info(info)
        self.connection_file = str(connection_file)
        reply = self.forkserver.request(
            op="start",
            connection_file=str(connection_file),
            cwd=str(job / "work"),
            log_file=str(job / "kernel.log"),
            env=self.kernel_env,
            limits=self.limits.rlimits(),
            # No history database: nothing reads it, and In/Out/_i still work from memory.
            kernel_args=["--HistoryManager.enabled=False"],
        )
        if not reply.get("ok"):
            raise SandboxError(reply.get("error", "kernel did not start"))
        self._pid = int(reply["pid"])

    async def _async_is_alive(self) -> bool:
        if self._pid is None:
            return False
        try:
            return bool(self.forkserver.request(op="alive", pid=self._pid, timeout=20)["alive"])
        except SandboxError:
            return False

    is_alive = _async_is_alive

    def exit_status(self) -> int | None:
        if self._pid is None:
            return None
        try:
            return self.forkserver.request(op="alive", pid=self._pid, timeout=20).get("status")
        except SandboxError:
            return None

    async def interrupt_kernel(self) -> None:
        if self._pid is not None:
            self.forkserver.request(op="signal", pid=self._pid, signal=int(signal.SIGINT))

    def kill_now(self) -> None:
        if self._pid is not None:
            self.forkserver.request(op="signal", pid=self._pid, signal=int(signal.SIGKILL))

    async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        # No polite shutdown: whatever the submission started dies with the kernel.
        self.forkserver.request(op="reap")
        self._pid = None

    async def restart_kernel(self, now: bool = False, newports: bool = False, **kw: Any) -> None:
        raise RuntimeError("sandboxed kernels are not restarted; each notebook gets a fresh fork")

    async def cleanup_resources(self, restart: bool = False) -> None:
        pass


class SandboxedExecute(Execute):
    """nbgrader's Execute preprocessor with a sandboxed warm kernel and an output cap per cell.

    Configured like Execute (the course's `c.Execute.timeout` applies: a subclass reads its
    parents' config sections).
    """

    forkserver: ForkServer | None = None  # set once per grading process
    limits: Limits = Limits()
    events: ExecutionEvents | None = None  # the notebook being executed
    _reply: dict | None = None  # the last execute reply (on_cell_executed)

    def create_kernel_manager(self) -> SandboxKernelManager:
        if self.forkserver is None:
            raise SandboxError("no sandbox: call shequlab.autograder.worker.init_worker first")
        run_path = Path(self.resources.get("metadata", {}).get("path") or ".")
        job = self.forkserver.new_job_dir(uuid.uuid4().hex[:8])
        _copy_data_files(run_path, job / "work")
        self.km = SandboxKernelManager(
            forkserver=self.forkserver,
            job_dir=job,
            limits=self.limits,
            kernel_env={"NBGRADER_EXECUTION": "autograde", "HOME": str(job / "work")},
        )
        return self.km

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None):
        events = type(self).events = ExecutionEvents()
        timer = threading.Timer(self.limits.notebook_seconds, self._deadline)
        timer.daemon = True
        timer.start()
        try:
            return super().preprocess(nb, resources, km)
        except Exception as exc:
            if isinstance(exc, SandboxError):
                events.sandbox_error = str(exc)
            events.kernel_died = True
            raise
        finally:
            timer.cancel()

    def preprocess_cell(self, cell, resources, index):
        """Run a guarded test cell blinded (the kernel never sees a right answer's digest) and
        judge the digests its reply brings here, where trainee code cannot reach (see
        shequlab.checks.guard): a cell the kernel reports as passing gets the in-kernel assert's
        error output when a digest is missing or wrong."""
        blinded = guard.blind(cell.source) if is_test(cell) else None
        if blinded is None:
            return super().preprocess_cell(cell, resources, index)
        source, self._reply = cell.source, None
        cell.source = blinded.source
        kc = self.kc
        kc.execute = functools.partial(
            type(kc).execute, kc, user_expressions={"guard": guard.RECORD}
        )
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        finally:
            cell.source = source
            del kc.execute
        content = (self._reply or {}).get("content", {})
        if content.get("status") != "ok":
            return cell, resources  # an error reply has its error output (on_cell_executed)
        failed = guard.judge(content.get("user_expressions", {}).get("guard"), blinded)
        if failed is not None and not any(o.output_type == "error" for o in cell.outputs):
            cell.outputs.append(
                NotebookNode(
                    output_type="error",
                    ename="AssertionError",
                    evalue=failed,
                    traceback=[f"\x1b[0;31mAssertionError\x1b[0m: {failed}"],
                )
            )
            if type(self).events is not None:
                type(self).events.overruled.append(grade_id(cell) or f"cell {index}")
        return cell, resources

    def on_cell_executed(self, **kwargs):
        self._reply = kwargs.get("execute_reply")
        return super().on_cell_executed(**kwargs)

    def _deadline(self) -> None:
        km = self.km
        if isinstance(km, SandboxKernelManager):
            type(self).events.deadline_hit = True
            with contextlib.suppress(SandboxError):
                km.kill_now()

    async def _async_cleanup_kernel(self) -> None:
        km = self.km
        if isinstance(km, SandboxKernelManager) and type(self).events is not None:
            type(self).events.exit_status = km.exit_status()
        await super()._async_cleanup_kernel()

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most `limits.output_kb` of output per cell; note once that the rest was dropped.

        Errors are always kept, and so is the start of the first stderr stream: both decide grades.
        """
        events = type(self).events
        if events is None or msg["msg_type"] == "error":
            return super().output(outs, msg, display_id, cell_index)
        size = len(json.dumps(msg.get("content", {}), ensure_ascii=False))
        used = events.output_bytes.get(cell_index, 0)
        events.output_bytes[cell_index] = used + size
        if used + size <= self.limits.output_kb * 1024:
            return super().output(outs, msg, display_id, cell_index)
        events.output_truncated = True
        content = msg.get("content", {})
        if content.get("name") == "stderr" and not any(
            o.get("name") == "stderr" for o in outs if o.get("output_type") == "stream"
        ):
            text = content.get("text", "")[:1000]
            outs.append(NotebookNode(output_type="stream", name="stderr", text=text))
        if cell_index not in events.truncated_cells:
            events.truncated_cells.add(cell_index)
            outs.append(NotebookNode(output_type="stream", name="stdout", text=TRUNCATED))
        return None


def _copy_data_files(run_path: Path, work: Path) -> None:
    """The kernel's working folder: the submission's files except notebooks (so no hidden tests)."""
    work.mkdir(parents=True)
    if not run_path.is_dir():
        return
    for item in run_path.iterdir():
        if item.suffix == ".ipynb" or item.name.startswith("."):
            continue
        if item.is_dir():
            shutil.copytree(item, work / item.name, ignore=shutil.ignore_patterns("*.ipynb"))
        elif item.is_file():
            shutil.copy2(item, work / item.name)
    os.chmod(work, 0o777)
