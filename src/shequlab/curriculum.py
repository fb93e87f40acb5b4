"""The course as data: typed models of curriculum/ (programs, modules, exercises, competencies)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from shequlab.layout.project import Project

MODULE_ID_PATTERN = r"^(onb|yf)-\d\d-[a-z-]+$"
SNAKE_CASE_PATTERN = r"^[a-z][a-z0-9_]*$"

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
SnakeId = Annotated[str, StringConstraints(pattern=SNAKE_CASE_PATTERN)]
M = TypeVar("M", bound=BaseModel)
ModuleId = Annotated[str, StringConstraints(pattern=MODULE_ID_PATTERN)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    """Learner-facing text: Simplified Chinese first, English beside it; both are required."""

    zh: NonEmpty
    en: NonEmpty


class Competency(_Model):
    """A competency that graded cells assess (curriculum/competencies.yml)."""

    id: SnakeId
    title: Text
    description: Text


class Minutes(_Model):
    """Time budget of a module, in minutes."""

    teaching: int = Field(ge=0)
    exercises: int = Field(ge=0)


class RubricLevel(_Model):
    """One level of a manual exercise's mark scheme: the points and what earns them."""

    points: float = Field(ge=0)
    zh: NonEmpty
    en: NonEmpty


class Exercise(_Model):
    """One graded cell of exercises.ipynb, identified by its nbgrader grade_id."""

    grade_id: SnakeId
    kind: Literal["auto", "manual"]
    points: float = Field(gt=0)
    competencies: list[SnakeId] = Field(min_length=1)
    rubric: list[RubricLevel] | None = None


class Module(_Model):
    """A training module: one nbgrader assignment whose id is the module id."""

    id: ModuleId
    title: Text
    summary: Text
    minutes: Minutes
    objectives: list[Text] = Field(min_length=1)
    datasets: list[SnakeId] = Field(default_factory=list)
    exercises: list[Exercise] = Field(min_length=1)
    program: str = Field(default="", exclude=True)  # set by the loader from the folder name

    @property
    def total_points(self) -> float:
        return sum(e.points for e in self.exercises)

    @property
    def auto_points(self) -> float:
        return sum(e.points for e in self.exercises if e.kind == "auto")

    def exercise(self, grade_id: str) -> Exercise:
        for e in self.exercises:
            if e.grade_id == grade_id:
                return e
        raise KeyError(f"{self.id} has no exercise with grade_id {grade_id!r}")

    def app_text(self) -> dict[str, Any]:
        """What the case app's header shows, as JSON data: id, title, summary, objectives."""
        return self.model_dump(mode="json", include={"id", "title", "summary", "objectives"})


class Program(_Model):
    """A program (e.g. onboarding): its title and its module ids in teaching order."""

    id: str = Field(pattern=r"^[a-z][a-z-]*$")
    title: Text
    summary: Text
    modules: list[ModuleId] = Field(min_length=1)


@dataclass(frozen=True)
class LoadedProgram:
    """A program with its module files loaded, in the order program.yml lists them."""

    program: Program
    modules: list[Module]

    @property
    def id(self) -> str:
        return self.program.id


@dataclass(frozen=True)
class Curriculum:
    """Everything under curriculum/, validated."""

    root: Path
    competencies: list[Competency]
    programs: list[LoadedProgram]

    def modules(self, program: str | None = None, module: str | None = None) -> list[Module]:
        """Modules in program order, optionally narrowed to one program and/or one module id."""
        selected = [
            m
            for p in self.programs
            if program is None or p.id == program
            for m in p.modules
            if module is None or m.id == module
        ]
        if not selected:
            known = ", ".join(m.id for p in self.programs for m in p.modules) or "(none)"
            raise CurriculumError(
                [
                    Problem(
                        self.root / "curriculum",
                        "",
                        f"no module matches program={program!r} module={module!r}; "
                        f"known modules: {known}",
                    )
                ]
            )
        return selected


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one curriculum file, with where it is and how to fix it."""

    file: Path
    path: str
    message: str

    def relative_to(self, root: Path) -> Problem:
        """The same problem with its file shown relative to `root` when it lies inside it."""
        try:
            return Problem(self.file.relative_to(root), self.path, self.message)
        except ValueError:
            return self

    def __str__(self) -> str:
        where = f"{self.file}" + (f" at {self.path}" if self.path else "")
        return f"{where}: {self.message}"


class CurriculumError(ValueError):
    """The curriculum files do not validate; `problems` lists every finding."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"课程数据有误 / the curriculum is invalid ({len(problems)} problems):\n{lines}"
        )

    def __reduce__(self):  # survive pickling between `course check` worker processes
        return (type(self), (self.problems,))


# ---------------------------------------------------------------------------------------------
# Loading


def load_curriculum(root: Path | None = None) -> Curriculum:
    """Load and check curriculum/ under `root` (default: project root); raise CurriculumError."""
    project = Project.at(root)
    root, cdir = project.root, project.curriculum_dir
    problems: list[Problem] = []
    competencies = _load_competencies(project.competencies_file, problems)
    datasets = _dataset_names(project.datapackage_file, problems)
    programs = []
    for program_file in sorted(cdir.glob("*/program.yml")):
        loaded = _load_program(program_file, {c.id for c in competencies}, datasets, problems)
        if loaded is not None:
            programs.append(loaded)
    for orphan_dir in sorted(d for d in cdir.iterdir() if d.is_dir()):
        if not (orphan_dir / "program.yml").exists() and any(orphan_dir.glob("*.yml")):
            problems.append(
                Problem(
                    orphan_dir,
                    "",
                    "folder has no program.yml; add one (id, title, summary, modules) "
                    "or move the module files into a program folder",
                )
            )
    if problems:
        raise CurriculumError([p.relative_to(root) for p in problems])
    return Curriculum(root=root, competencies=competencies, programs=programs)


def _load_competencies(file: Path, problems: list[Problem]) -> list[Competency]:
    data = _read_yaml(file, problems)
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(
            Problem(file, "", "expected a list of competencies (- id: ..., title: ...)")
        )
        return []
    result, seen = [], set()
    for i, item in enumerate(data):
        c = _parse(Competency, item, file, f"[{i}]", problems)
        if c is None:
            continue
        if c.id in seen:
            problems.append(Problem(file, f"[{i}].id", f"duplicate competency id {c.id!r}"))
        seen.add(c.id)
        result.append(c)
    return result


def _dataset_names(datapackage: Path, problems: list[Problem]) -> set[str]:
    try:
        package = json.loads(datapackage.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        problems.append(Problem(datapackage, "", f"cannot read the data package ({exc})"))
        return set()
    return {r["name"] for r in package.get("resources", [])}


def _load_program(
    file: Path, competencies: set[str], datasets: set[str], problems: list[Problem]
) -> LoadedProgram | None:
    program = _parse(Program, _read_yaml(file, problems), file, "", problems)
    if program is None:
        return None
    if program.id != file.parent.name:
        problems.append(
            Problem(
                file, "id", f"id {program.id!r} must equal the folder name {file.parent.name!r}"
            )
        )
    modules = []
    for i, module_id in enumerate(program.modules):
        module_file = file.parent / f"{module_id}.yml"
        if program.modules.index(module_id) != i:
            problems.append(Problem(file, f"modules[{i}]", f"{module_id!r} is listed twice"))
            continue
        if not module_file.exists():
            problems.append(
                Problem(
                    file,
                    f"modules[{i}]",
                    f"module {module_id!r} is listed but {module_file.name} does not exist; "
                    f"create {module_file} or remove it from the list",
                )
            )
            continue
        module = _load_module(module_file, program.id, competencies, datasets, problems)
        if module is not None:
            modules.append(module)
    listed = set(program.modules)
    for orphan in sorted(file.parent.glob("*.yml")):
        if orphan.name != "program.yml" and orphan.stem not in listed:
            problems.append(
                Problem(
                    orphan,
                    "",
                    f"module file is not listed in {file}; add {orphan.stem!r} to its "
                    "`modules:` list (in teaching order) or delete the file",
                )
            )
    return LoadedProgram(program=program, modules=modules)


def _load_module(
    file: Path, program: str, competencies: set[str], datasets: set[str], problems: list[Problem]
) -> Module | None:
    data = _read_yaml(file, problems)
    if isinstance(data, dict):
        data = {**data, "program": program}
    module = _parse(Module, data, file, "", problems)
    if module is None:
        return None
    problems.extend(_check_module(module, file, competencies, datasets))
    return module


def _check_module(
    module: Module, file: Path, competencies: set[str], datasets: set[str]
) -> list[Problem]:
    """Rules that span fields: ids, references to other files, rubrics."""
    found = []
    if module.id != file.stem:
        found.append(
            Problem(file, "id", f"id {module.id!r} must equal the file name {file.stem!r}")
        )
    for i, name in enumerate(module.datasets):
        if name not in datasets:
            found.append(
                Problem(
                    file,
                    f"datasets[{i}]",
                    f"unknown dataset {name!r}; use a resource name from "
                    f"datasets/datapackage.json (known: {', '.join(sorted(datasets))})",
                )
            )
    seen: set[str] = set()
    for i, ex in enumerate(module.exercises):
        here = f"exercises[{i}]"
        if ex.grade_id in seen:
            found.append(
                Problem(
                    file,
                    f"{here}.grade_id",
                    f"duplicate grade_id {ex.grade_id!r}; grade_ids must be unique in a module",
                )
            )
        seen.add(ex.grade_id)
        for j, comp in enumerate(ex.competencies):
            if comp not in competencies:
                found.append(
                    Problem(
                        file,
                        f"{here}.competencies[{j}]",
                        f"unknown competency {comp!r}; use an id from curriculum/competencies.yml "
                        f"(known: {', '.join(sorted(competencies))})",
                    )
                )
        found.extend(_check_rubric(ex, file, here))
    return found


def _check_rubric(ex: Exercise, file: Path, here: str) -> list[Problem]:
    if ex.kind == "auto":
        if ex.rubric is not None:
            return [
                Problem(
                    file,
                    f"{here}.rubric",
                    "an auto exercise is graded by its tests; remove `rubric` or set kind: manual",
                )
            ]
        return []
    if not ex.rubric:
        return [
            Problem(
                file,
                f"{here}.rubric",
                "a manual exercise needs a rubric (评分标准): a list of levels "
                "{points, zh, en}, the top level worth the exercise's points",
            )
        ]
    found = []
    levels = [level.points for level in ex.rubric]
    if levels != sorted(levels, reverse=True):
        found.append(
            Problem(file, f"{here}.rubric", "list the rubric levels from most to fewest points")
        )
    if max(levels) != ex.points:
        found.append(
            Problem(
                file,
                f"{here}.rubric[0].points",
                f"the top rubric level is worth {max(levels):g} points but the exercise is worth "
                f"{ex.points:g}; make them equal",
            )
        )
    return found


# ---------------------------------------------------------------------------------------------
# Helpers


def _read_yaml(file: Path, problems: list[Problem]) -> Any:
    try:
        return yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(Problem(file, "", "file is missing; create it (see curriculum/README.md)"))
    except yaml.YAMLError as exc:
        problems.append(Problem(file, "", f"not valid YAML: {exc}"))
    return None


_HINTS = {
    "missing": "add this key",
    "extra_forbidden": "remove this key (unknown here; check its spelling in curriculum/README.md)",
    "string_pattern_mismatch": "change the value to match the pattern",
    "string_too_short": "give a non-empty text",
    "greater_than": "use a positive number",
    "literal_error": "use one of the allowed values",
    "too_short": "add at least one item",
}


def _parse(model: type[M], data: Any, file: Path, prefix: str, problems: list[Problem]) -> M | None:
    if data is None and prefix == "" and any(p.file == file for p in problems):
        return None  # already reported as unreadable
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            path = prefix + _format_loc(err["loc"])
            hint = _HINTS.get(err["type"], "")
            if err["loc"] and err["loc"][-1] in ("zh", "en") and err["type"] == "missing":
                hint = "bilingual text needs both zh (简体中文) and en (English)"
            message = err["msg"] + (f" — {hint}" if hint else "")
            problems.append(Problem(file, path.lstrip("."), message))
        return None


def _format_loc(loc: tuple[Any, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
