"""Run cells in real kernels, as JupyterLab (friendly) or nbgrader (plain) would start them."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbformat.notebooknode import NotebookNode

ROOT = Path(__file__).resolve().parents[2]
CELL_TIMEOUT_S = 60


def module_folder(tmp: Path) -> Path:
    """A trainee's module folder: the notebook's working folder with data/ tables in it."""
    (tmp / "data").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "datasets" / "residential_areas.csv", tmp / "data")
    # A trainee's own table, saved from Excel in GBK (synthetic).
    (tmp / "data" / "my_visits.csv").write_bytes("居民区,走访次数\n番禺,3\n".encode("gbk"))
    return tmp


def run_cells(sources: list[str], folder: Path, specs: KernelSpecManager) -> list[NotebookNode]:
    """Run the sources as the cells of one notebook, top to bottom, errors allowed; the cells
    with their outputs as a front end would store them."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    manager = KernelManager(kernel_name="python3", kernel_spec_manager=specs)
    client = NotebookClient(
        nb, km=manager, timeout=CELL_TIMEOUT_S, allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
    )  # fmt: skip
    client.execute()
    return nb.cells


def error_of(cell: NotebookNode) -> NotebookNode:
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert len(errors) == 1, cell.outputs
    return errors[0]


def friendly_box(cell: NotebookNode) -> NotebookNode | None:
    """The friendly explanation a cell displayed, or None."""
    boxes = [
        o for o in cell.outputs
        if o.output_type == "display_data" and "shequlab" in o.get("metadata", {})
    ]  # fmt: skip
    assert len(boxes) <= 1, cell.outputs
    return boxes[0] if boxes else None
