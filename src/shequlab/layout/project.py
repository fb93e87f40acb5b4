"""Where the project's folders are, so every command finds the same datasets and course root."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The repository root: $SHEQULAB_ROOT, else the checkout this package was installed from."""
    env = os.environ.get("SHEQULAB_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "datasets").is_dir():
            return parent
    return Path.cwd().resolve()


def datasets_dir() -> Path:
    """Folder holding the CSV tables, datapackage.json and the data card."""
    return project_root() / "datasets"
