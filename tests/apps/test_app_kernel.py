"""App kernels load less: no debugger, no history database, no docstrings, no curriculum,
matplotlib on demand and never pyplot."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

from jupyter_client.multikernelmanager import AsyncMultiKernelManager

from shequlab.apps.ipykernel_launcher import AppKernelSpecManager
from shequlab.apps.serve import prepare_apps
from shequlab.curriculum import load_curriculum
from shequlab.widgets import header

# Run in an app kernel: a cyclic object is dropped with automatic collection off, so that only the
# kernel's release after going idle can free it.
FIRST = """
import gc, sys, weakref
import pandas as pd
from shequlab.widgets.charts import bar_chart, figure_png
figure_png(bar_chart(pd.Series([3, 1], index=["香花桥", "新华"]), title="测试"))
gc.disable()
class Cycle: pass
c = Cycle(); c.me = c; ref = weakref.ref(c); del c
"""
SECOND = """
import json
print(json.dumps({
    "debugpy": sys.modules.get("debugpy", "absent") is None,
    "pydevd": sorted(m for m in sys.modules if "pydevd" in m),
    "history": get_ipython().history_manager.enabled,
    "released": ref() is None,
    "fonts open": sys.modules["matplotlib.font_manager"]._get_font.cache_info().currsize,
    "optimize": sys.flags.optimize,
    "docstrings": pd.DataFrame.__doc__ is not None,
}))
gc.enable()
"""


def test_app_kernel_runs_without_debugger_or_history_and_releases_memory_when_idle(tmp_path):
    """Started as Voila starts it: a multi-kernel manager with shequlab's kernel spec manager."""

    async def run() -> tuple[dict, dict, list[str]]:
        manager = AsyncMultiKernelManager(kernel_spec_manager=AppKernelSpecManager())
        kernel_id = await manager.start_kernel(kernel_name="python3", cwd=str(tmp_path))
        kernel = manager.get_kernel(kernel_id)
        client = kernel.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            info = await client.kernel_info(reply=True, timeout=60)
            await client.execute_interactive(FIRST, timeout=60)
            await asyncio.sleep(1.5)  # idle: the kernel gives memory back
            out: list[str] = []
            reply = await client.execute_interactive(
                SECOND,
                timeout=60,
                output_hook=lambda m: out.append(m["content"].get("text", "")),
            )
            assert reply["content"]["status"] == "ok", reply["content"]
            return info["content"], json.loads("".join(out)), kernel.kernel_spec.argv
        finally:
            client.stop_channels()
            await manager.shutdown_all(now=True)

    # In a thread of its own: the browser tests' Playwright keeps an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        info, seen, argv = pool.submit(asyncio.run, run()).result()
    assert argv[1:4] == ["-OO", "-m", "shequlab.apps.ipykernel_launcher"]
    assert "debugger" not in info.get("supported_features", [])
    assert seen == {
        "debugpy": True,
        "pydevd": [],
        "history": False,
        "released": True,
        "fonts open": 0,
        "optimize": 2,
        "docstrings": False,
    }


def test_only_ipykernel_specs_become_app_kernels(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    argv = ["other-kernel", "-m", "ipykernel_launcher_not", "{connection_file}"]
    (other / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "Other", "language": "r"})
    )
    specs = AppKernelSpecManager(kernel_dirs=[str(tmp_path)])
    assert specs.get_kernel_spec("other").argv == argv
    python = specs.get_kernel_spec("python3")
    assert python.argv[1:] == [
        "-OO",
        "-m",
        "shequlab.apps.ipykernel_launcher",
        "-f",
        "{connection_file}",
    ]
    assert python.metadata["debugger"] is False


def test_served_header_is_the_curriculum_header(tmp_path, monkeypatch):
    """Beside each served app, the header reads module.json and shows exactly the same HTML."""
    prepared = prepare_apps(tmp_path)
    from_curriculum = {
        (m.id, lang): header.header_html(m.id, lang)
        for p in load_curriculum().programs
        for m in p.modules
        for lang in ("zh", "en")
    }

    def no_curriculum():
        raise AssertionError("a served app must not load curriculum/")

    monkeypatch.setattr(header, "_modules", no_curriculum)
    served = 0
    for loaded in load_curriculum().programs:
        for module in loaded.modules:
            folder = prepared.root / loaded.id / module.id
            if not folder.exists():
                continue
            monkeypatch.chdir(folder)
            for lang in ("zh", "en"):
                assert header.header_html(module.id, lang) == from_curriculum[module.id, lang]
            served += 1
    assert served == len([c for c in prepared.cards if not c.path.startswith("workshop/")])


def test_app_imports_stay_light(tmp_path):
    """What a served case app and the workshop apps import before they draw anything."""
    prepared = prepare_apps(tmp_path)
    folder = prepared.root / "onboarding" / "onb-01-neighbourhood"
    code = textwrap.dedent(
        """
        import sys
        from shequlab.widgets.charts import chart, figure
        from shequlab.widgets.header import header
        import shequlab.workshop.rating_app, shequlab.workshop.vote_app
        header("onb-01-neighbourhood")
        heavy = {"pydantic", "yaml", "shequlab.curriculum", "matplotlib"}
        print(sorted(heavy & set(sys.modules)))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"imported too early: {done.stdout}"


def _run_in_app_kernel(folder) -> str:
    """Run the case notebook in `folder` as Voila would, in an app kernel; prints the modules it
    left loaded that an app must not load, then the kernel's optimisation level."""
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    notebook = nbformat.read(folder / "case.ipynb", as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            "import sys; print(sorted({'matplotlib.pyplot', 'pandas.plotting._matplotlib'}"
            " & set(sys.modules)), sys.flags.optimize)"
        )
    )
    manager = KernelManager(kernel_spec_manager=AppKernelSpecManager(), kernel_name="python3")
    NotebookClient(
        notebook, km=manager, timeout=120, resources={"metadata": {"path": str(folder)}}
    ).execute()
    return notebook.cells[-1].outputs[0]["text"].strip()


def test_every_case_app_runs_in_an_app_kernel_without_pyplot(tmp_path):
    """pyplot (and pandas' plotting, which loads it) costs an app kernel ~8 MB: charts are drawn
    on bare Figures. Also shows every case runs with -OO (no docstrings, no asserts)."""
    prepared = prepare_apps(tmp_path)
    folders = [
        prepared.root / card.path.rsplit("/", 1)[0]
        for card in prepared.cards
        if not card.path.startswith("workshop/")
    ]
    assert folders
    with ThreadPoolExecutor(2) as pool:
        left = dict(zip(folders, pool.map(_run_in_app_kernel, folders), strict=True))
    assert {f.name: seen for f, seen in left.items() if seen != "[] 2"} == {}


def test_fork_server_imports_make_no_widget():
    """App kernels are forked from a server that imported PREIMPORT. A widget made there (e.g. a
    module-level Layout) has no comm in the forked kernel, and the page fails with 'widget model
    not found' wherever it is used."""
    code = textwrap.dedent(
        """
        import importlib
        import ipywidgets.widgets.widget as widget
        from shequlab.apps.provisioner import PREIMPORT
        for name in PREIMPORT:
            importlib.import_module(name)
        print(sorted(type(w).__name__ for w in widget._instances.values()))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", f"widgets made at import: {done.stdout}"
