"""A simulated cohort for tests, benchmarks and dry runs: a throwaway course root with one
module built, and submissions made from its release notebook: right, partly right, hostile."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

import nbformat
import yaml

from shequlab.autograder import cells
from shequlab.course.build import build_course
from shequlab.layout.course import Course
from shequlab.layout.project import Project

NOTEBOOK = "exercises.ipynb"  # the graded notebook of our modules (notebook_id "exercises")
REFLECTION = "我会先走访老年人多的居民区。（模拟作答 simulated answer）"


def build_single_module_root(dest: Path, module: str, program: str = "onboarding") -> Path:
    """A project root under `dest` whose curriculum lists only `module`; built into dest/grading."""
    return build_modules_root(dest, [module], program)


def build_modules_root(
    dest: Path, modules: list[str], program: str = "onboarding", config: str = ""
) -> Path:
    """A project root under `dest` whose curriculum lists only `modules` (of one program),
    built into dest/grading; `config` is appended to its nbgrader_config.py (e.g. a db_url)."""
    repo = Project.at()
    dest = Project(Path(dest))
    cur = dest.program_file(program).parent
    cur.mkdir(parents=True)
    shutil.copyfile(repo.competencies_file, dest.competencies_file)
    for module in modules:
        shutil.copyfile(repo.module_file(program, module), dest.module_file(program, module))
    meta = yaml.safe_load(repo.program_file(program).read_text(encoding="utf-8"))
    meta["modules"] = list(modules)
    dest.program_file(program).write_text(
        yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8"
    )
    dest.datasets_dir.symlink_to(repo.datasets_dir, target_is_directory=True)
    for module in modules:
        notebooks = dest.module_dir(program, module)
        notebooks.mkdir(parents=True)
        for item in repo.module_dir(program, module).iterdir():
            if item.is_file():
                shutil.copyfile(item, notebooks / item.name)
    dest.course_dir.mkdir()
    text = (repo.course_dir / "nbgrader_config.py").read_text(encoding="utf-8")
    (dest.course_dir / "nbgrader_config.py").write_text(text + config, encoding="utf-8")
    from rich.console import Console

    for module in modules:
        build_course(program, module, root=dest.root, console=Console(quiet=True))
    return dest.root


def _answer_cells(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if cells.is_answer(c)}


def solution_answers(root: Path, module: str, program: str = "onboarding") -> dict[str, str]:
    """grade_id of each answer cell -> the author's solution code (markers removed)."""
    source = nbformat.read(Project(Path(root)).exercises_notebook(program, module), as_version=4)
    answers = {}
    for grade_id, cell in _answer_cells(source).items():
        if cell.cell_type != "code":
            answers[grade_id] = "我会先走访老年人多的居民区。"
            continue
        lines = [ln for ln in cell.source.splitlines() if "### BEGIN SOLUTION" not in ln
                 and "### END SOLUTION" not in ln]  # fmt: skip
        answers[grade_id] = "\n".join(lines)
    return answers


def wrong_answers(root: Path, module: str, program: str = "onboarding") -> list[dict]:
    """The module's recorded wrong answers (entries marked `right: true` are right, left out)."""
    path = Project(Path(root)).wrong_answers_file(program, module)
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []
    return [e for e in entries or [] if not e.get("right")]


def fill(release: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of the release notebook with `answers` written into the answer cells."""
    nb = nbformat.from_dict(release)
    for grade_id, cell in _answer_cells(nb).items():
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def _cell_by_id(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


GRADEBOOK_GUESSES = ["../../gradebook.db", "../../../gradebook.db"]  # from autograded/<s>/<m>/


def hostile_submissions(
    release: nbformat.NotebookNode, good: dict[str, str], gradebooks: list[str] | None = None
) -> dict[str, Callable[[Path], None]]:
    """name -> writer of a broken or hostile submission folder (the notebook in it).

    `gradebooks`: absolute paths the gradebook attack tries besides GRADEBOOK_GUESSES (the
    course's real gradebook file, so the attack aims where it would hurt)."""
    gradebooks = gradebooks or []
    first = next(iter(good))
    tests = [
        cells.grade_id(c) for c in release.cells if cells.is_graded(c) and c.cell_type == "code"
    ]

    def with_first(code: str) -> Callable[[Path], None]:
        def write(folder: Path) -> None:
            nbformat.write(
                fill(release, {**good, first: good[first] + "\n" + code}), folder / NOTEBOOK
            )

        return write

    def edited_test(folder: Path) -> None:
        nb = fill(release, {**good, first: "pass"})
        for c in nb.cells:
            if c.metadata.get("nbgrader", {}).get("grade_id") in tests:
                c.source = "assert True"
        nbformat.write(nb, folder / NOTEBOOK)

    def deleted_tests(folder: Path) -> None:
        nb = fill(release, {})
        nb.cells = [
            c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in tests
        ]
        nbformat.write(nb, folder / NOTEBOOK)

    def duplicated(folder: Path) -> None:
        nb = fill(release, good)
        nb.cells.append(nbformat.from_dict(_cell_by_id(nb, tests[0])))
        nbformat.write(nb, folder / NOTEBOOK)

    def retyped(folder: Path) -> None:
        nb = fill(release, good)
        _cell_by_id(nb, tests[0]).cell_type = "markdown"
        _cell_by_id(nb, tests[0]).pop("outputs", None)
        _cell_by_id(nb, tests[0]).pop("execution_count", None)
        nbformat.write(nb, folder / NOTEBOOK)

    return {
        "infinite_loop": with_first("while True:\n    pass"),
        "memory_hog": with_first("hog = bytearray(3 * 1024**3)"),
        "kernel_exit": with_first("import os\nos._exit(1)"),
        "huge_output": with_first("print('x' * 10**8)"),
        "gradebook_attack": with_first(
            f"for p in {[*GRADEBOOK_GUESSES, *gradebooks]!r}:\n"
            "    try:\n        open(p, 'w').write('pwned')\n    except OSError:\n        pass"
        ),
        "harness_tamper": with_first(
            "get_ipython().set_custom_exc((AssertionError,), lambda *a, **k: None)"
        ),
        "edited_tests": edited_test,
        "deleted_tests": deleted_tests,
        "duplicated_cells": duplicated,
        "retyped_cell": retyped,
        "malformed_json": lambda f: (f / NOTEBOOK).write_text('{"cells": [', encoding="utf-8"),
        "empty_file": lambda f: (f / NOTEBOOK).write_bytes(b""),
        "renamed": lambda f: nbformat.write(fill(release, good), f / "exercises-张三.ipynb"),
    }


def write_answer_plan(
    course_dir: Path,
    module: str,
    root: Path,
    plan: dict[str, dict[str, str]],
    program: str = "onboarding",
) -> None:
    """Write one submission per trainee of `plan` (trainee id -> {grade_id: answer code}): the
    author's solution everywhere except the answers the plan replaces (e.g. with wrong answers),
    and a short text in every written reflection, so that it waits for a trainer's grade (nbgrader
    scores an unchanged reflection 0 by itself)."""
    course = Course.load(course_dir)
    release = nbformat.read(course.release(module) / NOTEBOOK, as_version=4)
    good = solution_answers(root, module, program)
    for student, replaced in plan.items():
        folder = course.submitted(student, module)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "timestamp.txt").write_text("2026-05-01 10:00:00.000000 UTC")
        nb = fill(release, {**good, **{f"{g}_answer": code for g, code in replaced.items()}})
        for cell in nb.cells:
            if cell.cell_type == "markdown" and cells.is_graded(cell) and not cells.is_test(cell):
                cell.source = REFLECTION
        nbformat.write(nb, folder / NOTEBOOK)


def write_cohort(
    course_dir: Path,
    module: str,
    root: Path,
    *,
    right: int = 0,
    partly: int = 0,
    blank: int = 0,
    hostile: list[str] | None = None,
    seed: int = 7,
    program: str = "onboarding",
    first: int = 1,
) -> dict[str, str]:
    """Write submitted/<student>/<module>/ folders for trainees t<first>, t<first+1>, ...;
    return student id -> kind of submission."""
    rng = random.Random(seed)
    course = Course.load(course_dir)
    release = nbformat.read(course.release(module) / NOTEBOOK, as_version=4)
    good = solution_answers(root, module, program)
    wrong = wrong_answers(root, module, program)
    plan: dict[str, str] = {}

    def folder(student: str) -> Path:
        path = course.submitted(student, module)
        path.mkdir(parents=True, exist_ok=True)
        (path / "timestamp.txt").write_text("2026-05-01 10:00:00.000000 UTC")
        return path

    n = first - 1
    for kind, count in (("right", right), ("partly", partly), ("blank", blank)):
        for _ in range(count):
            n += 1
            student = f"t{n:03d}"
            answers = dict(good)
            if kind == "partly" and wrong:
                for entry in rng.sample(wrong, k=min(len(wrong), rng.randint(1, 3))):
                    answers[f"{entry['grade_id']}_answer"] = entry["code"]
            if kind == "blank":
                answers = {}
            nbformat.write(fill(release, answers), folder(student) / NOTEBOOK)
            plan[student] = kind
    gradebooks = [str(course.sqlite_file)] if course.sqlite_file else []
    writers = hostile_submissions(release, good, gradebooks)
    for name in hostile or []:
        n += 1
        student = f"t{n:03d}"
        writers[name](folder(student))
        plan[student] = name
    return plan
