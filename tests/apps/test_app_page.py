"""The app page: shequlab's Voila template, its page script, and the widget state it carries."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest

from shequlab.apps import serve
from shequlab.apps.serve import ServeError, ServeOptions, prepare_apps, use_app_template, voila_argv


def test_voila_serves_apps_with_the_shequlab_template(tmp_path, monkeypatch):
    from voila.paths import collect_template_paths

    argv = voila_argv(ServeOptions(), prepare_apps(tmp_path))
    assert "--VoilaConfiguration.template=shequlab" in argv
    monkeypatch.setenv("JUPYTER_PATH", "/elsewhere")
    use_app_template()
    assert os.environ["JUPYTER_PATH"].split(os.pathsep) == [str(serve.TEMPLATE_ROOT), "/elsewhere"]
    paths = collect_template_paths(["voila", "nbconvert"], "shequlab")
    ours = serve.TEMPLATE_ROOT / "voila" / "templates" / "shequlab"
    assert str(ours) in paths
    assert any(p.endswith(os.path.join("nbconvert", "templates", "lab")) for p in paths)


def test_an_unbuilt_page_script_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(serve, "APP_SCRIPT", tmp_path / "missing.js")
    with pytest.raises(ServeError, match="make install"):
        use_app_template()


def test_page_script_is_built():
    """`make install` builds them; the browser tests run against these files: the light page
    script (small: a room's phones run it), the full ipywidgets client and the stylesheet."""
    static = serve.APP_SCRIPT.parent
    assert 5_000 < serve.APP_SCRIPT.stat().st_size < 64 * 1024
    assert (static / "shequlab-widgets.js").stat().st_size > 500_000
    assert (static / "shequlab.css").stat().st_size > 50_000


NOTEBOOK = [
    "import ipywidgets as w\nold = w.Label('gone')\nold.close()",
    "pick = w.Dropdown(options=['a', 'b'], value='b')\nbox = w.VBox([pick])\nbox",
    "pick.value = 'a'",
]


def test_executor_records_the_state_of_live_widgets_only():
    """The page gets each widget's latest state; closed widgets are left out."""
    from shequlab.apps.server import WidgetStateExecutor

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in NOTEBOOK])
    nb.metadata.kernelspec = {"name": "python3", "language": "python", "display_name": "Python 3"}
    executor = WidgetStateExecutor(nb, kernel_name="python3")

    async def run():
        async with executor.async_setup_kernel():
            for index, cell in enumerate(nb.cells):
                await executor.execute_cell(cell, None, index, store_history=False)

    # In a thread of its own: the browser tests' Playwright keeps an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    by_model = {}
    for model in state.values():
        by_model.setdefault(model["model_name"], []).append(model["state"])
    assert "LabelModel" not in by_model, "a closed widget must not be sent to the page"
    (dropdown,) = by_model["DropdownModel"]
    assert dropdown["index"] == 0  # the value set in the last cell, not the first
    (box,) = by_model["VBoxModel"]
    assert len(box["children"]) == 1


def test_an_unknown_page_template_is_refused_before_anything_starts(tmp_path):
    with pytest.raises(ServeError, match="no page template 'fancy'"):
        serve.serve(ServeOptions(template="fancy", port=0, build_dir=tmp_path / "b"))
    assert not (tmp_path / "b").exists()
