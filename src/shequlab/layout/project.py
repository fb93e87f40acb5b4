"""Where the project's folders and files are, so every command finds the same ones.

Pure standard library: app kernels import it (through shequlab.data.load), within their memory
budget. The nbgrader course (grading/ and everything nbgrader derives from its config) is
shequlab.layout.course.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

COURSE_FOLDER = "grading"
# A module's two notebooks. The graded one is what grading/nbgrader_config.py names as
# CourseDirectory.notebook_id; grading code asks the course (layout.course), never this name.
EXERCISES_NOTEBOOK = "exercises.ipynb"
CASE_NOTEBOOK = "case.ipynb"  # a module's case study, also its Voila app (never graded)
WRONG_ANSWERS = "wrong_answers.yml"


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


@dataclass(frozen=True)
class Project:
    """One checkout of shequlab (or a copy of its parts, e.g. a scratch course for a check)."""

    root: Path

    @classmethod
    def at(cls, root: Path | str | None = None) -> Project:
        """The project at `root`, default project_root()."""
        return cls(Path(root).resolve() if root is not None else project_root())

    # --- content ---
    @property
    def curriculum_dir(self) -> Path:
        return self.root / "curriculum"

    @property
    def competencies_file(self) -> Path:
        return self.curriculum_dir / "competencies.yml"

    def program_file(self, program: str) -> Path:
        return self.curriculum_dir / program / "program.yml"

    def module_file(self, program: str, module: str) -> Path:
        """curriculum/<program>/<module>.yml"""
        return self.curriculum_dir / program / f"{module}.yml"

    @property
    def notebooks_dir(self) -> Path:
        return self.root / "notebooks"

    def module_dir(self, program: str, module: str) -> Path:
        """notebooks/<program>/<module>/: the module's source notebooks and wrong answers."""
        return self.notebooks_dir / program / module

    def exercises_notebook(self, program: str, module: str) -> Path:
        return self.module_dir(program, module) / EXERCISES_NOTEBOOK

    def case_notebook(self, program: str, module: str) -> Path:
        return self.module_dir(program, module) / CASE_NOTEBOOK

    def wrong_answers_file(self, program: str, module: str) -> Path:
        return self.module_dir(program, module) / WRONG_ANSWERS

    @property
    def workshop_apps_dir(self) -> Path:
        """notebooks/workshop/: the participation apps (vote, rating)."""
        return self.notebooks_dir / "workshop"

    # --- data ---
    @property
    def datasets_dir(self) -> Path:
        return self.root / "datasets"

    @property
    def datapackage_file(self) -> Path:
        return self.datasets_dir / "datapackage.json"

    @cached_property
    def table_files(self) -> dict[str, Path]:
        """Each table's file, as datapackage.json names it (read once per Project)."""
        package = json.loads(self.datapackage_file.read_text(encoding="utf-8"))
        return {res["name"]: self.datasets_dir / res["path"] for res in package["resources"]}

    def table_file(self, table: str) -> Path:
        """The file of one table; KeyError (bilingual) names the known tables."""
        try:
            return self.table_files[table]
        except KeyError:
            known = ", ".join(self.table_files)
            raise KeyError(
                f"没有名为 {table!r} 的表 / no table named {table!r}; known: {known}"
            ) from None

    # --- generated and deployed ---
    @property
    def course_dir(self) -> Path:
        """The nbgrader course root (holds nbgrader_config.py); see shequlab.layout.course."""
        return self.root / COURSE_FOLDER

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def apps_build_dir(self) -> Path:
        """build/apps/: what `shequlab apps serve` serves (copied notebooks, gallery)."""
        return self.build_dir / "apps"

    @property
    def workshop_store_file(self) -> Path:
        """The embedded (SQLite) workshop store; $SHEQULAB_WORKSHOP_DB may point elsewhere."""
        return self.build_dir / "workshop.db"

    @property
    def deploy_dir(self) -> Path:
        return self.root / "deploy"

    @property
    def hub_config_file(self) -> Path:
        return self.deploy_dir / "hub" / "jupyterhub_config.py"

    @property
    def hub_singleuser_dir(self) -> Path:
        """deploy/hub/singleuser/: the trainee's and trainer's Jupyter config folders."""
        return self.deploy_dir / "hub" / "singleuser"

    @property
    def jupyterlab_deploy_dir(self) -> Path:
        return self.deploy_dir / "jupyterlab"


def datasets_dir() -> Path:
    """Folder holding the CSV tables, datapackage.json and the data card."""
    return Project.at().datasets_dir
