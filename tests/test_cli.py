"""The `shequlab` command as a user runs it: data generate, validate and describe."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from shequlab.cli import app
from shequlab.layout.project import datasets_dir

runner = CliRunner()


def test_help_lists_the_data_verbs() -> None:
    result = runner.invoke(app, ["data", "--help"])
    assert result.exit_code == 0
    for verb in ("generate", "validate", "describe"):
        assert verb in result.output


def test_generate_into_a_folder_matches_the_committed_data(tmp_path: Path) -> None:
    result = runner.invoke(app, ["data", "generate", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "24 tables" in result.output
    for name in ("hotline_orders.csv", "datapackage.json"):
        assert filecmp.cmp(tmp_path / name, datasets_dir() / name, shallow=False)


def test_describe_prints_meaning_columns_and_samples() -> None:
    result = runner.invoke(app, ["data", "describe", "market_relocation"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "新华农贸市场搬迁" in result.output and "179 行 rows" in result.output
    assert "signed_on" in result.output and "签约日期" in result.output
    assert "MK001" in result.output


def test_describe_unknown_table_names_the_known_ones() -> None:
    result = runner.invoke(app, ["data", "describe", "orders"])
    assert result.exit_code == 2
    assert "hotline_orders" in result.output and "no table named" in result.output


def test_installed_command_validates_the_committed_data() -> None:
    exe = Path(sys.executable).with_name("shequlab")
    done = subprocess.run(
        [str(exe), "data", "validate"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "24" in done.stdout


def test_starting_the_command_does_not_import_the_heavy_libraries() -> None:
    # every verb pays the start-up cost: subcommands import their libraries when they run
    code = (
        "import sys, shequlab.cli; "
        "print(' '.join(m for m in ('pandas', 'nbformat', 'nbgrader', 'voila', 'jupyterhub', "
        "'frictionless', 'matplotlib') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"imported at start-up: {done.stdout.strip()}"
