"""`shequlab course check`: prove each module: solution full, release zero, wrong fail.

Entries of wrong_answers.yml marked `right: true` are other right answers: they must score full.

Each module is built into a throwaway course root and autograded there (the real gradebook is
never touched); fake students submit the solution, the untouched release and every recorded wrong
answer, so a single `nbgrader autograde` run grades them all.

With `grade_wrong=False` (`--probe-wrong`) only the solution, the release and the `right: true`
entries are autograded; each wrong answer is judged by the probe that measures the visible and
hidden shares anyway (one kernel per module): it fails when its test cell, visible or hidden part,
raises after the answer ran — what makes nbgrader score it zero. The probe leaves out the hidden
guard, which only ever fails more, so a wrong answer the probe proves failing scores zero when
graded too. tests/course/test_check.py shows both ways agree on a real module.
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbgrader.api import Gradebook
from rich.console import Console
from rich.table import Table

from shequlab.autograder import cells
from shequlab.autograder.nbgrader import nbgrader_api, quiet_gradebook, run
from shequlab.course.build import ModuleBuild, build_module
from shequlab.course.metadata import load_wrong_answers, metadata_problems
from shequlab.course.seal import SealError, probe_results
from shequlab.curriculum import Module, load_curriculum
from shequlab.layout.course import course_root
from shequlab.layout.project import project_root

SOLUTION, RELEASE = "solution", "release"
CASE_CELL_TIMEOUT = 60  # seconds per cell of case.ipynb
# Share of wrong_answers.yml entries the visible checks (hidden blocks removed) must catch, and
# the hidden tests alone must catch, in every module (issue #12).
VISIBLE_SHARE, HIDDEN_SHARE = 0.9, 1.0


@dataclass
class CheckResult:
    """One proof about one module."""

    check: str
    ok: bool
    detail: str = ""


@dataclass
class ModuleCheck:
    """All proofs about one module, and how long they took."""

    module_id: str
    results: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(r.ok for r in self.results)

    def add(self, check: str, ok: bool, detail: str = "") -> bool:
        self.results.append(CheckResult(check, ok, detail))
        return ok


def check_course(
    program: str | None = None,
    module: str | None = None,
    *,
    root: Path | None = None,
    workers: int = 2,
    console: Console | None = None,
    engine: str = "shequlab",
    grade_wrong: bool = True,
) -> list[ModuleCheck]:
    """Check the selected modules (default: all), in parallel processes; print a table for each.

    `engine` grades the fake students with `shequlab grade`'s sandboxed grader (default) or
    with plain `nbgrader autograde` ("nbgrader"); `grade_wrong=False` judges the wrong answers
    by the probe instead of grading each (module docstring)."""
    root = Path(root) if root is not None else project_root()
    console = console or Console()
    ids = [m.id for m in load_curriculum(root).modules(program, module)]
    if workers <= 1 or len(ids) == 1:
        checks = [check_module(root, module_id, engine, grade_wrong) for module_id in ids]
    else:
        context = multiprocessing.get_context("spawn")  # no forked kernels or sqlite handles
        n = len(ids)
        with ProcessPoolExecutor(min(workers, n), mp_context=context) as pool:
            checks = list(pool.map(check_module, [root] * n, ids, [engine] * n, [grade_wrong] * n))
    for result in checks:
        print_module_check(result, console)
    return checks


def check_module(
    root: Path, module_id: str, engine: str = "shequlab", grade_wrong: bool = True
) -> ModuleCheck:
    """Run every check for one module in a temporary course root."""
    started = time.perf_counter()
    module = load_curriculum(root).modules(module=module_id)[0]
    result = ModuleCheck(module_id)
    notebook_dir = root / "notebooks" / module.program / module.id
    with tempfile.TemporaryDirectory(prefix=f"shequlab-check-{module_id}-") as tmp:
        try:
            _run_checks(result, module, Path(root), notebook_dir, Path(tmp), engine, grade_wrong)
        except Exception as exc:  # a crash is a failed check, reported, not a traceback
            result.add("check ran", False, f"{type(exc).__name__}: {exc}")
    result.seconds = time.perf_counter() - started
    return result


def _run_checks(
    result: ModuleCheck,
    module: Module,
    root: Path,
    notebook_dir: Path,
    tmp: Path,
    engine: str,
    grade_wrong: bool,
) -> None:
    exercises, case = notebook_dir / "exercises.ipynb", notebook_dir / "case.ipynb"
    missing = [p.name for p in (exercises, case) if not p.is_file()]
    if not result.add(
        "notebooks present",
        not missing,
        f"missing in {notebook_dir.relative_to(root)}: {', '.join(missing)}" if missing else "",
    ):
        return
    problems = metadata_problems(module, exercises, case)
    result.add("metadata agrees with module file", not problems, "; ".join(problems))

    source_nb = nbformat.read(exercises, as_version=4)
    try:
        wrong = load_wrong_answers(notebook_dir / "wrong_answers.yml", module, source_nb)
        result.add("wrong answers recorded", True, f"{len(wrong)} in wrong_answers.yml")
    except ValueError as exc:
        wrong = []
        result.add("wrong answers recorded", False, str(exc))

    build = build_in_temp_root(root, tmp, module)
    result.add("build", True, "generate_assignment ok")
    graded = wrong if grade_wrong else [w for w in wrong if w.get("right")]
    students = write_fake_submissions(build, source_nb, graded)
    started = time.perf_counter()
    if engine == "nbgrader":
        with quiet_gradebook():
            run(build.api.autograde(module.id, "*", force=True, create=True), "autograde")
    else:  # the sandboxed fast grader; tests/grading proves it scores as plain nbgrader does
        from shequlab.autograder.autograde import autograde_module

        autograde_module(course_root(build.root), module.id, workers=1, force=True,
                         console=Console(quiet=True))  # fmt: skip
    per_notebook = (time.perf_counter() - started) / len(students)
    scores = read_scores(build, students)
    auto = {e.grade_id: e.points for e in module.exercises if e.kind == "auto"}

    lost = {
        g: (scores[SOLUTION].get(g), p) for g, p in auto.items() if scores[SOLUTION].get(g) != p
    }
    result.add(
        "solution scores full marks",
        not lost,
        ", ".join(f"{g}: {s}/{p:g}" for g, (s, p) in lost.items())
        or f"{sum(auto.values()):g}/{sum(auto.values()):g} (≈{per_notebook:.1f} s per notebook)",
    )
    earned = {g: s for g, s in scores[RELEASE].items() if g in auto and s}
    result.add(
        "release scores zero",
        not earned,
        ", ".join(f"{g}: {s:g}" for g, s in earned.items()) or f"0/{sum(auto.values()):g}",
    )
    probed = None
    if any(not w.get("right") for w in wrong):
        try:
            probed = catch_parts(build, wrong)
        except SealError as exc:  # e.g. the solution itself fails: reported above, and here
            result.add("wrong answers probed", False, str(exc))
    graded_scores = dict(zip(map(id, graded), students[2:], strict=True))
    probe_fails = {id(e): fails for e, fails in probed["test_fails"]} if probed else {}
    for entry in wrong:
        grade_id, right = entry["grade_id"], bool(entry.get("right"))
        check = f"{'right answer scores full' if right else 'wrong answer fails'}: {grade_id}"
        if id(entry) not in graded_scores:  # judged by the probe (grade_wrong=False)
            if probed is None:
                result.add(check, False, f"{_text(entry['description'])} → not probed")
                continue
            fails = probe_fails[id(entry)]
            verdict = "test cell fails (probe)" if fails else "test cell passes (probe)"
            result.add(check, fails, f"{_text(entry['description'])} → {verdict}")
            continue
        score, points = scores[graded_scores[id(entry)]].get(grade_id), auto[grade_id]
        result.add(
            check,
            score == points if right else score == 0,
            f"{_text(entry['description'])} → {score:g}/{points:g}"
            if score is not None
            else "not graded",
        )
    if probed:
        measure_shares(result, probed)
    error = execute_case(build.source_dir)
    result.add("case.ipynb executes", error is None, error or "")


def measure_shares(result: ModuleCheck, probed: dict[str, Any]) -> None:
    """Which wrong answers the visible part alone, and the hidden part alone, of each test cell
    catch (`catch_parts` of the module), against the thresholds."""
    caught = probed["wrong"]
    for part, minimum in (("visible", VISIBLE_SHARE), ("hidden", HIDDEN_SHARE)):
        hits = sum(ok for _, ok in caught[part])
        share = hits / len(caught[part])
        missed = [f"{e['grade_id']}: {_text(e['description'])}" for e, ok in caught[part] if not ok]
        detail = f"{hits}/{len(caught[part])} ({share:.0%}, need ≥ {minimum:.0%})"
        if missed:
            detail += "; missed: " + "; ".join(missed)
        result.add(f"{part} tests catch wrong answers", share >= minimum, detail)


def catch_parts(build: ModuleBuild, wrong: list[dict]) -> dict[str, Any]:
    """Run the built, sealed solution notebook once with a probe before each answer cell.

    "wrong": part ("visible", "hidden") → [(entry, caught)] for each entry not `right: true`; an
    answer that itself raises counts as caught (it scores zero, and the trainee sees the error).
    "solution_fails": grade_ids whose visible or hidden part fails with the solution;
    "answer_raises": how many of those entries raise in the answer cell itself;
    "test_fails": [(entry, the visible or hidden part raised after the answer ran)] for the same
    entries."""
    sealed = nbformat.read(build.source_dir / "exercises.ipynb", as_version=4)
    outcomes = probe_results(build.source_dir, sealed, wrong, "measure")
    caught: dict[str, list] = {"visible": [], "hidden": []}
    test_fails = []
    raises = 0
    for grade_id in dict.fromkeys(w["grade_id"] for w in wrong):
        entries = [w for w in wrong if w["grade_id"] == grade_id]
        for entry, outcome in zip(entries, outcomes[grade_id]["wrong"], strict=True):
            if entry.get("right"):  # another right answer: proven to score full, not measured
                continue
            raises += bool(outcome.get("answer_error"))
            test_fails.append((entry, bool(outcome["visible"] or outcome["hidden"])))
            for part in caught:
                caught[part].append((entry, bool(outcome.get("answer_error") or outcome[part])))
    solution_fails = sorted(
        g
        for g, o in outcomes.items()
        if o["right"].get("answer_error") or o["right"].get("visible") or o["right"].get("hidden")
    )
    return {
        "wrong": caught,
        "solution_fails": solution_fails,
        "answer_raises": raises,
        "test_fails": test_fails,
    }


def _text(description: str | dict) -> str:
    """A wrong answer's description: plain text, or bilingual {zh, en}."""
    if isinstance(description, dict):
        return " / ".join(str(description[k]) for k in ("zh", "en") if k in description)
    return str(description)


def build_in_temp_root(root: Path, tmp: Path, module: Module) -> ModuleBuild:
    """A project root in `tmp` that shares curriculum, datasets, notebooks; own grading/."""
    for name in ("curriculum", "datasets", "notebooks"):
        (tmp / name).symlink_to(root / name, target_is_directory=True)
    course_root(tmp).mkdir()
    shutil.copyfile(
        course_root(root) / "nbgrader_config.py", course_root(tmp) / "nbgrader_config.py"
    )
    build = ModuleBuild(
        module=module,
        root=tmp,
        api=nbgrader_api(course_root(tmp)),
        seal_cache=root / "build" / "seals",  # the project's cache: unchanged modules seal fast
    )
    build_module(build)
    return build


def write_fake_submissions(
    build: ModuleBuild, source_nb: nbformat.NotebookNode, wrong: list[dict]
) -> list[str]:
    """submitted/<student>/<module>/exercises.ipynb for solution, release and each wrong answer."""
    release_nb = nbformat.read(build.release_dir / "exercises.ipynb", as_version=4)
    submissions = {SOLUTION: source_nb, RELEASE: release_nb}
    for i, entry in enumerate(wrong, start=1):
        submissions[f"wrong-{i:02d}"] = with_answer(source_nb, entry["grade_id"], entry["code"])
    for student, nb in submissions.items():
        folder = course_root(build.root) / "submitted" / student / build.module.id
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / "exercises.ipynb")
    return list(submissions)


def with_answer(nb: nbformat.NotebookNode, grade_id: str, code: str) -> nbformat.NotebookNode:
    """A copy of `nb` whose answer cell `<grade_id>_answer` holds `code` instead of its source."""
    copy = nbformat.from_dict(nb)
    for cell in copy.cells:
        if cells.grade_id(cell) == f"{grade_id}_answer":
            cell.source = code
            return copy
    raise ValueError(f"no answer cell {grade_id}_answer")


def read_scores(build: ModuleBuild, students: list[str]) -> dict[str, dict[str, float | None]]:
    """Autograded score of each grade cell, per fake student."""
    api = build.api
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        return {
            student: {
                grade.name: grade.auto_score
                for nb in gb.find_submission(build.module.id, student).notebooks
                for grade in nb.grades
            }
            for student in students
        }


def execute_case(folder: Path) -> str | None:
    """Run case.ipynb with `folder` as working directory (so data/ resolves); None if it works."""
    nb = nbformat.read(folder / "case.ipynb", as_version=4)
    client = NotebookClient(
        nb,
        timeout=CASE_CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    try:
        client.execute()
    except Exception as exc:
        return (
            f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"
        )
    return None


def print_module_check(result: ModuleCheck, console: Console) -> None:
    """A table per module: check, result, detail."""
    status = "[green]通过 passed[/]" if result.ok else "[red]未通过 FAILED[/]"
    table = Table(
        title=f"{result.module_id} — {status} ({result.seconds:.1f} s)", title_justify="left"
    )
    table.add_column("check")
    table.add_column("result")
    table.add_column("detail", overflow="fold")
    for r in result.results:
        table.add_row(r.check, "[green]ok[/]" if r.ok else "[red]FAIL[/]", r.detail)
    console.print(table)
