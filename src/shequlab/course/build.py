"""`shequlab course build`: curriculum/ + notebooks/ → nbgrader's source/ and release/."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import nbformat
from rich.console import Console
from rich.progress import Progress

from shequlab.autograder.nbgrader import nbgrader_api, run
from shequlab.course.seal import SealError, seal_notebook
from shequlab.curriculum import Module, load_curriculum
from shequlab.layout.course import Course, course_root
from shequlab.layout.project import CASE_NOTEBOOK, EXERCISES_NOTEBOOK, Project, project_root
from shequlab.permissions import BUILD_UMASK, private_writes

NOTEBOOKS = (EXERCISES_NOTEBOOK, CASE_NOTEBOOK)


class BuildError(RuntimeError):
    """A module cannot be built; the message says what is missing and where."""


@dataclass
class ModuleBuild:
    """Where one module's build reads from and writes to."""

    module: Module
    root: Path  # the project root
    api: object  # NbGraderAPI on root/grading
    seal_cache: Path | None = None  # where seals are cached (default <root>/build/seals)

    @property
    def project(self) -> Project:
        return Project(self.root)

    @cached_property
    def course(self) -> Course:
        return Course.load(self.project.course_dir)

    @property
    def notebook_dir(self) -> Path:
        """The authored module folder: notebooks/<program>/<module>/."""
        return self.project.module_dir(self.module.program, self.module.id)

    @property
    def source_dir(self) -> Path:
        """nbgrader's source/<module>/ (notebooks with solutions + data/)."""
        return self.course.source(self.module.id)

    @property
    def release_dir(self) -> Path:
        """nbgrader's release/<module>/ (what trainees fetch)."""
        return self.course.release(self.module.id)


def require_notebooks(build: ModuleBuild) -> None:
    """Fail early, and clearly, when the module folder is incomplete."""
    missing = [n for n in NOTEBOOKS if not (build.notebook_dir / n).is_file()]
    if missing:
        raise BuildError(
            f"{build.module.id}: {', '.join(missing)} missing in {build.notebook_dir}; "
            "write the notebooks (see curriculum/README.md) or remove the module from program.yml"
        )


def copy_notebooks_to_source(build: ModuleBuild) -> None:
    """Start source/<module>/ afresh so files deleted by the author do not linger."""
    if build.source_dir.exists():
        shutil.rmtree(build.source_dir)
    build.source_dir.mkdir(parents=True)
    for name in NOTEBOOKS:
        shutil.copyfile(build.notebook_dir / name, build.source_dir / name)


def copy_datasets(build: ModuleBuild) -> None:
    """Copy the module's tables into source/<module>/data/ and beside the authored notebooks."""
    for target in (build.source_dir / "data", build.notebook_dir / "data"):
        target.mkdir(parents=True, exist_ok=True)
        for name in build.module.datasets:
            table = build.project.table_file(name)
            shutil.copyfile(table, target / table.name)


def seal_checks(build: ModuleBuild) -> None:
    """Write the fingerprints of the solution's and known wrong values into source's check calls.

    Runs before generate_assignment, so the release and the gradebook's locked copies carry them.
    """
    cache = build.seal_cache or build.project.build_dir / "seals"
    try:
        seal_notebook(
            build.source_dir,
            build.project.wrong_answers_file(build.module.program, build.module.id),
            cache / build.module.id,
        )
    except SealError as exc:
        raise BuildError(f"{build.module.id}: cannot seal the visible checks: {exc}") from exc


def generate_release(build: ModuleBuild) -> None:
    """nbgrader generate_assignment: stubs for solutions, no hidden tests, gradebook entry."""
    if build.release_dir.exists():
        # with a notebook_id other than "*", --force would keep the old files
        shutil.rmtree(build.release_dir)
    run(build.api.generate_assignment(build.module.id, force=True, create=True), "generate")


def release_case_notebook(build: ModuleBuild) -> None:
    """Put case.ipynb beside the exercises, every cell locked (read-only), sources unchanged.

    nbgrader only converts exercises.ipynb (CourseDirectory.notebook_id) and skips other
    notebooks, so the case study would otherwise be missing from the release.
    """
    nb = nbformat.read(build.source_dir / CASE_NOTEBOOK, as_version=4)
    for cell in nb.cells:
        cell.metadata["editable"] = False
        cell.metadata["deletable"] = False
    nbformat.write(nb, build.release_dir / CASE_NOTEBOOK)


# The build of one module, in order. generate_release rebuilds release/<module>/ from scratch, so
# release_case_notebook must come after it.
BUILD_STEPS: list[Callable[[ModuleBuild], None]] = [
    require_notebooks,
    copy_notebooks_to_source,
    copy_datasets,
    seal_checks,
    generate_release,
    release_case_notebook,
]


def build_module(build: ModuleBuild) -> None:
    """Run every build step for one module."""
    for step in BUILD_STEPS:
        step(build)


def build_course(
    program: str | None = None,
    module: str | None = None,
    *,
    root: Path | None = None,
    console: Console | None = None,
) -> list[ModuleBuild]:
    """Build the selected modules (default: all) into <root>/grading; return what was built."""
    root = Path(root) if root is not None else project_root()
    console = console or Console(stderr=True)
    modules = load_curriculum(root).modules(program, module)
    course_root(root).mkdir(exist_ok=True)
    api = nbgrader_api(course_root(root))
    builds = [ModuleBuild(module=m, root=root, api=api) for m in modules]
    # A cohort course keeps its solutions and hidden tests (source/) closed to trainees: the
    # folder is closed already, and what the build writes in it is closed again at the end.
    cohort = private_writes(course_root(root), umask=BUILD_UMASK)
    with cohort, Progress(console=console, transient=True) as progress:
        task = progress.add_task("building", total=len(builds))
        for build in builds:
            progress.update(task, description=f"building {build.module.id}")
            build_module(build)
            console.print(f"[green]✓[/] {build.module.id} → {build.release_dir.relative_to(root)}")
            progress.advance(task)
    return builds
