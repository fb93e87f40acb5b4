"""`shequlab research report DIR`: run the workspace notebook, write report.docx and report.html.

The notebook runs top to bottom in a fresh kernel (nbclient). The report is built from what it
published — its Markdown cells and the findings it displayed (tables already suppressed, charts
drawn from them) — plus the generated methods-and-limits section. Code, printed output and raw
tables never reach it. Both files are written under temporary names and renamed only when both
are complete, so a failed run leaves the previous report (or none), never half of one.
"""

from __future__ import annotations

import base64
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shequlab.errors import ExpectedError

if TYPE_CHECKING:
    import nbformat

# pandas, matplotlib and the rest are imported only once the kernel is starting (make_report), so
# the two processes load their libraries at the same time on the two cores.

SKIP_TAG = "no-report"
KERNEL_TIMEOUT = 600  # seconds per cell
# Sent to the kernel as soon as it starts, silently and inside a function (no name reaches the
# notebook): it imports what the analyses use while this process loads its own writers, so the
# two cores work at once. The notebook's own cells then find the modules loaded. A failure here
# is ignored: the notebook meets it again and reports it.
WARM_UP = """def _shequlab_warm_up():
    import importlib
    for name in {modules!r}:
        importlib.import_module(name)
    {more}
_shequlab_warm_up()
del _shequlab_warm_up
"""
WARM_MODULES = (
    "shequlab.research.workspace",
    "shequlab.research.stats",
    "shequlab.research.scales",
    "shequlab.widgets.charts",
)
# jieba's dictionary (about 2 s to load) only when the workspace has an open question.
WARM_JIEBA = "import jieba, jieba.posseg; jieba.setLogLevel(30); jieba.initialize()"


class ReportProblem(ExpectedError):
    """The notebook failed, or the workspace cannot be reported on."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")


@dataclass
class Report:
    docx: Path
    html: Path
    findings: int
    suppressed: list[str]
    seconds: float


def start_kernel(root: Path):
    """A python3 kernel started in `root`, told to import the analyses' modules (WARM_UP); it
    boots and imports while the caller goes on (on 2 cores the report's own imports and the
    workspace check overlap with the kernel's). The client that sent the warm-up is `km.warm`."""
    from jupyter_client.manager import KernelManager
    from jupyter_client.session import Session

    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(root))
    # A session of its own: the kernel routes by the client socket's identity (the session id),
    # and nbclient's client, made later with km's session, would share it. Whichever reached the
    # kernel first owned it; when that was this client, nbclient's requests went unanswered (at
    # random; more often with nbclient on jupyter_core's runner thread, as beside Playwright).
    session = Session(key=km.session.key, signature_scheme=km.session.signature_scheme)
    km.warm = km.client(session=session)
    km.warm.start_channels()  # messages wait in the socket until the kernel listens
    warm_up(km, WARM_MODULES)
    return km


def warm_up(km, modules: tuple[str, ...] = (), more: str = "pass") -> None:
    """Ask the kernel of `start_kernel` to import `modules` and run `more` (one line), silently."""
    km.warm.execute(WARM_UP.format(modules=modules, more=more), silent=True, store_history=False)


def _stop(km) -> None:
    warm = getattr(km, "warm", None)
    if warm is not None:
        warm.stop_channels()
    if km.has_kernel:
        km.shutdown_kernel(now=True)


def execute(root: Path, timeout: int = KERNEL_TIMEOUT, km=None) -> nbformat.NotebookNode:
    """The workspace notebook, run in a fresh kernel with the workspace as its folder (`km`: one
    from `start_kernel`, which this shuts down)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    from shequlab.research.templates import NOTEBOOK

    path = root / NOTEBOOK
    if not path.is_file():
        raise ReportProblem(f"{root} 中没有 {NOTEBOOK}", f"{root} has no {NOTEBOOK}")
    nb = nbformat.read(path, as_version=4)
    # The kernel answers nbclient's first request only after the warm-up's imports (WARM_UP),
    # work the cells would otherwise do: allow it a cell's time, not nbclient's 60 s.
    client = NotebookClient(nb, timeout=timeout, startup_timeout=timeout, kernel_name="python3",
                            km=km, resources={"metadata": {"path": str(root)}})  # fmt: skip
    try:
        client.execute(cleanup_kc=True)
    except (CellExecutionError, CellTimeoutError) as exc:
        cell = next((i for i, c in enumerate(nb.cells, 1) if _failed(c)), "?")
        reason = getattr(exc, "ename", type(exc).__name__), getattr(exc, "evalue", str(exc))
        raise ReportProblem(
            f"{NOTEBOOK} 第 {cell} 个单元格运行出错（{reason[0]}: {reason[1]}）；请在 JupyterLab "
            "中打开它改正后重试，未生成报告",
            f"cell {cell} of {NOTEBOOK} failed ({reason[0]}: {reason[1]}); fix it in JupyterLab "
            "and try again — no report was written",
        ) from None
    finally:
        if km is not None:
            _stop(km)
    return nb


def _failed(cell) -> bool:
    return any(o.get("output_type") == "error" for o in cell.get("outputs", []))


def blocks(nb: nbformat.NotebookNode) -> list[tuple[str, object]]:
    """What the report shows, in order: ("markdown", text), ("finding", json), ("image", png)."""
    from shequlab.research.findings import MIME

    out: list[tuple[str, object]] = []
    for cell in nb.cells:
        if SKIP_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "markdown":
            out.append(("markdown", cell.source))
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if MIME in data:
                out.append(("finding", data[MIME]))
            elif "image/png" in data:  # a chart the worker drew: no table, no data
                out.append(("image", base64.b64decode(data["image/png"])))
    return out


def _replace_together(files: dict[Path, bytes]) -> None:
    temps = {}
    try:
        for target, content in files.items():
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            temps[target] = tmp
        for target, tmp in temps.items():
            os.replace(tmp, target)
    finally:
        for tmp in temps.values():
            Path(tmp).unlink(missing_ok=True)


def make_report(root: Path | str, timeout: int = KERNEL_TIMEOUT) -> Report:
    """Execute the notebook of workspace `root` and write report.docx and report.html there."""
    import time

    start = time.perf_counter()
    root = Path(root).resolve()
    if not root.is_dir():  # no folder to start a kernel in: the workspace check says so
        from shequlab.research.workspace import open_workspace

        open_workspace(root)
    km = start_kernel(root)
    try:
        from shequlab.research.methods import methods_section
        from shequlab.research.report_docx import write_docx
        from shequlab.research.report_html import write_html
        from shequlab.research.suppress import DEFAULT_MIN_CELL
        from shequlab.research.workspace import open_workspace

        ws = open_workspace(root)
        if ws.questions("text"):
            warm_up(km, more=WARM_JIEBA)
    except BaseException:
        _stop(km)
        raise
    nb = execute(root, timeout, km)
    shown = blocks(nb)
    findings = [b for kind, b in shown if kind == "finding"]
    suppressed = [s for f in findings for s in f.get("suppressed", [])]
    min_cell = next((f["min_cell"] for f in findings if f.get("min_cell")), DEFAULT_MIN_CELL)
    sections = methods_section(ws, suppressed, min_cell)
    docx, html = root / "report.docx", root / "report.html"
    _replace_together({docx: write_docx(shown, sections), html: write_html(shown, sections)})
    return Report(docx, html, len(findings), suppressed, time.perf_counter() - start)
