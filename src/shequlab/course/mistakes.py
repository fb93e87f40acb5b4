"""`shequlab course check --mistakes PATH`: how many mistakes the checks have never seen they catch.

PATH is a YAML file or a folder of `<module-id>.yml` files; each entry has the wrong_answers.yml
format (grade_id, description {zh, en}, code) and belongs to the module its `module:` key names,
else to the module its file is named after. Each module is built in a throwaway root (sealed with
its own wrong_answers.yml only, as trainees get it) and measured with `course check`'s probe: the
share of the entries the visible part of the test cell catches (hidden blocks removed) and the
share the hidden part alone catches; an entry whose answer cell itself raises counts as caught by
both (it scores zero and the trainee sees the error) and is counted apart. The entries never
enter a seal.
"""

from __future__ import annotations

import multiprocessing
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml
from rich.console import Console
from rich.table import Table

from shequlab.course.check import _text, build_in_temp_root, catch_parts
from shequlab.course.metadata import validate_wrong_answers
from shequlab.curriculum import load_curriculum
from shequlab.layout.project import project_root

PARTS = ("visible", "hidden")


@dataclass
class MistakeMeasure:
    """One module's shares of held-out mistakes caught, per part, and what each part missed."""

    module_id: str
    total: int = 0
    caught: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PARTS, 0))
    missed: dict[str, list[str]] = field(default_factory=lambda: {p: [] for p in PARTS})
    solution_fails: list[str] = field(default_factory=list)
    answer_raises: int = 0  # entries whose answer cell itself raises (caught before any test)
    error: str = ""
    seconds: float = 0.0

    def share(self, part: str) -> float:
        return self.caught[part] / self.total if self.total else 0.0


def load_mistakes(path: Path) -> dict[str, list[dict]]:
    """module id → its entries, from one YAML file or a folder of `<module-id>.yml` files."""
    path = Path(path)
    if path.is_dir():
        files = sorted([*path.glob("*.yml"), *path.glob("*.yaml")])
        if not files:
            raise ValueError(f"{path}: no .yml files in this folder")
    elif path.is_file():
        files = [path]
    else:
        raise ValueError(f"{path}: no such file or folder")
    by_module: dict[str, list[dict]] = {}
    for file in files:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ValueError(f"{file.name}: not readable YAML: {exc}") from exc
        if not isinstance(data, list) or not data:
            raise ValueError(f"{file.name}: must be a non-empty list of entries")
        for i, entry in enumerate(data):
            if not isinstance(entry, dict):
                raise ValueError(f"{file.name}[{i}]: give grade_id, description and code")
            by_module.setdefault(str(entry.get("module", file.stem)), []).append(entry)
    return by_module


def measure_mistakes(
    mistakes: Path,
    program: str | None = None,
    module: str | None = None,
    *,
    root: Path | None = None,
    workers: int = 2,
    console: Console | None = None,
) -> list[MistakeMeasure]:
    """Measure the selected modules that have entries in `mistakes`; print the tables."""
    root = Path(root) if root is not None else project_root()
    console = console or Console()
    entries = load_mistakes(mistakes)
    known = {m.id for m in load_curriculum(root).modules()}
    unknown = sorted(set(entries) - known)
    if unknown:
        raise ValueError(
            f"{mistakes}: no such module: {', '.join(unknown)} (name the file <module-id>.yml "
            "or give each entry `module: <id>`)"
        )
    ids = [m.id for m in load_curriculum(root).modules(program, module) if m.id in entries]
    if not ids:
        raise ValueError(f"{mistakes}: no entries for the selected modules")
    args = ([root] * len(ids), ids, [entries[i] for i in ids])
    if workers <= 1 or len(ids) == 1:
        results = [measure_module(*a) for a in zip(*args, strict=True)]
    else:
        context = multiprocessing.get_context("spawn")  # no forked kernels or sqlite handles
        with ProcessPoolExecutor(min(workers, len(ids)), mp_context=context) as pool:
            results = list(pool.map(measure_module, *args))
    print_measures(results, console)
    return results


def measure_module(root: Path, module_id: str, entries: list[dict]) -> MistakeMeasure:
    """Build one module in a temporary root and probe each entry against its test cells."""
    started = time.perf_counter()
    result = MistakeMeasure(module_id)
    module = load_curriculum(root).modules(module=module_id)[0]
    source_nb = nbformat.read(
        Path(root) / "notebooks" / module.program / module.id / "exercises.ipynb", as_version=4
    )
    try:
        entries = validate_wrong_answers(
            entries, module_id, module, source_nb, extra=frozenset({"module"})
        )
        with tempfile.TemporaryDirectory(prefix=f"shequlab-mistakes-{module_id}-") as tmp:
            build = build_in_temp_root(Path(root), Path(tmp), module)
            parts = catch_parts(build, entries)
    except Exception as exc:  # a crash is reported for the module, not a traceback
        result.error = f"{type(exc).__name__}: {exc}"
        result.seconds = time.perf_counter() - started
        return result
    result.solution_fails = parts["solution_fails"]
    result.answer_raises = parts["answer_raises"]
    for part in PARTS:
        pairs = parts["wrong"][part]
        result.total = len(pairs)
        result.caught[part] = sum(ok for _, ok in pairs)
        result.missed[part] = [
            f"{e['grade_id']}: {_text(e['description'])}" for e, ok in pairs if not ok
        ]
    result.seconds = time.perf_counter() - started
    return result


def _cell(caught: int, total: int) -> str:
    return f"{caught}/{total} ({caught / total:.0%})" if total else "–"


def print_measures(results: list[MistakeMeasure], console: Console) -> None:
    """A table per module and overall, then every mistake the visible part (and hidden) missed."""
    table = Table(title="held-out mistakes caught", title_justify="left")
    columns = ("module", "mistakes", "visible", "hidden", "answer raises", "solution passes", "s")
    for column in columns:
        table.add_column(column)
    for r in results:
        if r.error:
            table.add_row(r.module_id, "–", "–", "–", "–", f"[red]{r.error}[/]", f"{r.seconds:.0f}")
            continue
        solution = "[red]no: " + ", ".join(r.solution_fails) + "[/]" if r.solution_fails else "yes"
        table.add_row(
            r.module_id,
            str(r.total),
            _cell(r.caught["visible"], r.total),
            _cell(r.caught["hidden"], r.total),
            str(r.answer_raises),
            solution,
            f"{r.seconds:.0f}",
        )
    measured = [r for r in results if not r.error]
    total = sum(r.total for r in measured)
    table.add_row(
        "[bold]overall[/]",
        str(total),
        *(_cell(sum(r.caught[p] for r in measured), total) for p in PARTS),
        str(sum(r.answer_raises for r in measured)),
        "yes" if not any(r.solution_fails for r in measured) else "[red]no[/]",
        "",
    )
    console.print(table)
    for part in PARTS:
        for r in measured:
            for line in r.missed[part]:
                console.print(f"{part} missed — {r.module_id} — {line}", soft_wrap=True)


def failures(
    results: list[MistakeMeasure], min_visible: float | None, min_hidden: float | None
) -> list[str]:
    """Why the measure fails: a module that did not run, a solution that fails, or (only when
    asked for) a share under its minimum."""
    reasons = []
    for r in results:
        if r.error:
            reasons.append(f"{r.module_id}: {r.error}")
            continue
        if r.solution_fails:
            reasons.append(f"{r.module_id}: the solution fails {', '.join(r.solution_fails)}")
        for part, minimum in (("visible", min_visible), ("hidden", min_hidden)):
            if minimum is not None and r.share(part) < minimum:
                reasons.append(f"{r.module_id}: {part} {r.share(part):.0%} < {minimum:.0%}")
    return reasons
