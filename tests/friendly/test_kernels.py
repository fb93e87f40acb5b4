"""Which kernels explain errors: JupyterLab's under `make start` and the hub trainees'; never
nbgrader's (Validate, autograde) nor the Voila app kernels."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from friendly.conftest import ROOT
from shequlab.apps.ipykernel_launcher import AppKernelSpecManager
from shequlab.friendly.kernelspec import FriendlyKernelSpecManager
from shequlab.hub.spawner import SINGLEUSER

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
MISTAKE = "x = 1\nprint(“新华路”)"  # full-width quotes from a Chinese input method
RUN_TIMEOUT_S = 120


def make_start_config_path() -> Path:
    """The folder `make start` puts on JUPYTER_CONFIG_PATH (LAB_CONFIG in the Makefile)."""
    found = re.search(r"^LAB_CONFIG := (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert found, "LAB_CONFIG not found in the Makefile"
    return ROOT / found.group(1)


def jupyter_env(tmp_path: Path, config_path: Path) -> dict[str, str]:
    """The environment of a server with this config path, without the developer's own config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env["JUPYTER_CONFIG_PATH"] = str(config_path)
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "user-config")
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    env["IPYTHONDIR"] = str(tmp_path / "ipython")
    return env


def server_kernel_messages(tmp_path: Path, config_path: Path) -> list[dict]:
    """Run MISTAKE in a kernel of a Jupyter server configured from `config_path`."""
    done = subprocess.run(
        [sys.executable, str(HERE / "server_kernel.py"), MISTAKE],
        cwd=tmp_path, env=jupyter_env(tmp_path, config_path),
        capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=True,
    )  # fmt: skip
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.parametrize(
    "config_path",
    [make_start_config_path(), SINGLEUSER / "trainee"],
    ids=["make start", "hub trainee"],
)
def test_trainees_servers_start_friendly_kernels(tmp_path: Path, config_path: Path) -> None:
    messages = server_kernel_messages(tmp_path, config_path)
    kinds = [m["msg_type"] for m in messages]
    assert kinds == ["display_data", "error"], messages
    assert "切换到英文输入法" in messages[0]["content"]["data"]["text/html"]
    assert messages[1]["content"]["ename"] == "SyntaxError"


def test_trainers_hub_servers_are_left_plain(tmp_path: Path) -> None:
    messages = server_kernel_messages(tmp_path, SINGLEUSER / "trainer")
    assert [m["msg_type"] for m in messages] == ["error"], messages


NBGRADER_EXECUTE = """
import json, sys
import nbformat
from nbgrader.preprocessors import Execute
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(sys.argv[1])])
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
Execute().preprocess(nb, {"metadata": {"path": "."}})
print(json.dumps(nb.cells[0].outputs))
"""


def test_nbgrader_kernels_are_left_plain_even_under_make_start(tmp_path: Path) -> None:
    """nbgrader's Execute step (Validate in the lab, `nbgrader autograde`) starts its kernels
    itself, from the lab server's environment: no friendly box, Python's whole traceback."""
    done = subprocess.run(
        [sys.executable, "-c", NBGRADER_EXECUTE, 'import pandas as pd\npd.DataFrame()["b"]'],
        cwd=tmp_path, env=jupyter_env(tmp_path, make_start_config_path()),
        capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=True,
    )  # fmt: skip
    outputs = json.loads(done.stdout.splitlines()[-1])
    assert [o["output_type"] for o in outputs] == ["error"], outputs
    assert outputs[0]["ename"] == "KeyError" and len(outputs[0]["traceback"]) > 1


def test_app_kernels_do_not_load_it() -> None:
    """Voila's app kernels stay light: their spec manager is not the friendly one."""
    argv = AppKernelSpecManager().get_kernel_spec("python3").argv
    assert not any("shequlab.friendly" in a for a in argv), argv
    friendly = FriendlyKernelSpecManager().get_kernel_spec("python3").argv
    assert friendly[-1] == "--ext=shequlab.friendly"
    assert friendly.count("--ext=shequlab.friendly") == 1
