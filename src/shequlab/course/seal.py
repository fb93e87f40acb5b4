"""Seal the visible checks: fingerprints of the solution's and the known wrong values, written
into source/<module>/exercises.ipynb by the build (never by hand), cached by a hash of the inputs.

One kernel runs the solution notebook; before each answer cell whose test cell calls `check`, a
probe cell (shequlab.checks.probe) runs the solution and every wrong_answers.yml entry of that
grade_id on copies of the namespace and records what each check() call fingerprints; entries
marked `right: true` are sealed as also right. The same run records the hidden guard's digests
of the right answers, and the guard (shequlab.checks.guard) is written around each hidden block.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import nbformat
import yaml
from nbclient import NotebookClient

import shequlab.checks
from shequlab.checks import guard
from shequlab.checks.normalise import DEFAULT_DIGITS
from shequlab.checks.probe import MARKER

HIDDEN = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS[^\n]*\n(.*?)^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.S | re.M
)
PROBE_CELL_TIMEOUT = 120  # seconds: the solution and every wrong answer of one exercise
CACHE_VERSION = "3"  # 2: "also" (right: true entries); 3: the hidden guard's digests


class SealError(RuntimeError):
    """A check cannot be sealed; the message names the cell and why."""


def split_test(source: str) -> tuple[str, str]:
    """(visible part, hidden part) of a test cell's source."""
    hidden = "\n".join(m.group(1) for m in HIDDEN.finditer(source))
    return HIDDEN.sub("", source), hidden


def check_calls(source: str) -> list[ast.Call]:
    """The `check(...)` calls of a cell (by name, as trainees' test cells write them)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "check"
    ]


def _meta(cell: Any) -> dict[str, Any]:
    return cell.metadata.get("nbgrader", {})


def test_cells(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """grade_id → autograded test cell (graded, not a solution)."""
    return {
        _meta(c)["grade_id"]: c
        for c in nb.cells
        if c.cell_type == "code" and _meta(c).get("grade") and not _meta(c).get("solution")
    }


def answer_cells(nb: nbformat.NotebookNode) -> dict[str, int]:
    """grade_id of the exercise → index of its answer cell `<grade_id>_answer`."""
    return {
        _meta(c)["grade_id"][: -len("_answer")]: i
        for i, c in enumerate(nb.cells)
        if _meta(c).get("solution")
        and not _meta(c).get("grade")
        and _meta(c).get("grade_id", "").endswith("_answer")
    }


def _check_names(call: ast.Call, where: str) -> str:
    if (
        not call.args
        or not isinstance(call.args[0], ast.Constant)
        or not isinstance(call.args[0].value, str)
    ):
        raise SealError(
            f"{where}: check(...) needs the variable name as a literal first argument (a string)"
        )
    if any(k.arg == "seal" for k in call.keywords):
        raise SealError(f"{where}: remove seal=…; the build writes seals, authors never do")
    return call.args[0].value


def probe_results(
    folder: Path,
    nb: nbformat.NotebookNode,
    wrong: list[dict],
    mode: str,
    only: set[str] | None = None,
) -> dict[str, dict]:
    """Run `nb` (solution) in `folder` with a probe before each answer cell; grade_id → result."""
    tests, answers = test_cells(nb), answer_cells(nb)
    run = nbformat.from_dict(nb)
    order = []
    for grade_id, index in sorted(answers.items(), key=lambda kv: -kv[1]):
        if grade_id not in tests or (only is not None and grade_id not in only):
            continue
        visible, hidden = split_test(tests[grade_id].source)
        spec = {
            "mode": mode,
            "solution": nb.cells[index].source,
            "visible": visible,
            "hidden": guard.strip(hidden),  # the authored tests, measured without the guard
            "wrong": [w["code"] for w in wrong if w["grade_id"] == grade_id],
        }
        code = (
            "from shequlab.checks.probe import probe as _shequlab_probe\n"
            f"_shequlab_probe({json.dumps(json.dumps(spec))})\ndel _shequlab_probe"
        )
        run.cells.insert(index, nbformat.v4.new_code_cell(code, metadata={"probe": grade_id}))
        order.append(grade_id)
    if mode == "seal":  # the checks are not sealed yet: the solution runs the hidden tests only
        for cell in test_cells(run).values():
            cell.source = guard.strip(split_test(cell.source)[1])
    client = NotebookClient(
        run,
        timeout=PROBE_CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    try:
        client.execute()
    except Exception as exc:
        doing = "sealing" if mode == "seal" else "probing the wrong answers"
        raise SealError(
            f"the solution notebook failed while {doing}: {type(exc).__name__}: "
            f"{str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"
        ) from exc
    results = {}
    for cell in run.cells:
        grade_id = cell.metadata.get("probe")
        if grade_id:
            text = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
            line = next((ln for ln in text.splitlines() if ln.startswith(MARKER)), None)
            if line is None:
                raise SealError(f"{grade_id}: the probe printed nothing")
            results[grade_id] = json.loads(line[len(MARKER) :])
    return results


def _description(entry: dict) -> list[str]:
    d = entry["description"]
    return [str(d.get("zh", "")), str(d.get("en", ""))] if isinstance(d, dict) else [str(d), str(d)]


def compute_seals(
    nb: nbformat.NotebookNode, wrong: list[dict], results: dict[str, dict]
) -> dict[str, dict[str, dict]]:
    """grade_id → check name → {"ok": fp, "wrong": {fp: [zh, en]}, "also": [fp, …]}; "also"
    (only when there are any) holds the values of `right: true` entries; loud if unsealable."""
    seals: dict[str, dict[str, dict]] = {}
    for grade_id, cell in test_cells(nb).items():
        calls = check_calls(split_test(cell.source)[0])
        if not calls:
            continue
        where = f"test cell {grade_id!r}"
        right = results.get(grade_id, {}).get("right", {})
        if right.get("answer_error"):
            raise SealError(f"{where}: the solution of {grade_id}_answer raises an error")
        prints = right.get("fingerprints", {})
        entries = [w for w in wrong if w["grade_id"] == grade_id]
        for call in calls:
            name = _check_names(call, where)
            if not prints.get(name):
                raise SealError(
                    f"{where}: check({name!r}, …) did not run or its value cannot be "
                    "fingerprinted with the solution; every check call must run once"
                )
            seal: dict[str, Any] = {"ok": prints[name], "wrong": {}}
            also: list[str] = []
            pairs = list(zip(entries, results[grade_id]["wrong"], strict=True))
            for entry, outcome in pairs:
                fp = outcome.get("fingerprints", {}).get(name)
                if entry.get("right"):
                    if not fp or outcome.get("answer_error"):
                        raise SealError(
                            f"{where}: a `right: true` answer ({_description(entry)[1]}) raises "
                            f"an error or its {name!r} cannot be fingerprinted"
                        )
                    if fp != seal["ok"] and fp not in also:
                        also.append(fp)
            for entry, outcome in pairs:
                fp = outcome.get("fingerprints", {}).get(name)
                if entry.get("right") or not fp or fp == seal["ok"]:
                    continue
                if fp in also:
                    raise SealError(
                        f"{where}: the wrong answer {_description(entry)[1]!r} gives the same "
                        f"{name!r} as a `right: true` answer"
                    )
                seal["wrong"].setdefault(fp, _description(entry))
            if also:
                seal["also"] = also
            seals.setdefault(grade_id, {})[name] = seal
    return seals


def _normalise_spec(call: ast.Call, where: str) -> dict[str, Any]:
    """The normalise() arguments of a check call, as check() passes them (literals only)."""
    spec: dict[str, Any] = {"digits": DEFAULT_DIGITS, "ordered": True, "key": None, "index": True}
    for keyword in call.keywords:
        if keyword.arg in guard.NORMALISE_KEYS:
            try:
                spec[keyword.arg] = ast.literal_eval(keyword.value)
            except ValueError as exc:
                raise SealError(f"{where}: check(..., {keyword.arg}=…) must be a literal") from exc
    return spec


def compute_guards(
    nb: nbformat.NotebookNode, wrong: list[dict], results: dict[str, dict]
) -> dict[str, dict[str, list[str]]]:
    """grade_id → check name → the guard digests of the right answers: the solution's first,
    then each `right: true` entry's (see shequlab.checks.guard)."""
    guards: dict[str, dict[str, list[str]]] = {}
    for grade_id, cell in test_cells(nb).items():
        calls = check_calls(split_test(cell.source)[0])
        entries = [w for w in wrong if w["grade_id"] == grade_id]
        outcomes = results.get(grade_id, {})
        for call in calls:
            name = call.args[0].value
            ok = outcomes.get("right", {}).get("guards", {}).get(name)
            if not ok:
                raise SealError(
                    f"test cell {grade_id!r}: the hidden guard cannot digest {name!r} with the "
                    "solution (its canonical form holds a value that is not str, int, float, "
                    "bool, None, list, tuple or dict)"
                )
            digests = [ok]
            for entry, outcome in zip(entries, outcomes.get("wrong", []), strict=True):
                found = outcome.get("guards", {}).get(name)
                if entry.get("right") and found and found not in digests:
                    digests.append(found)
            guards.setdefault(grade_id, {})[name] = digests
    return guards


def write_guard(source: str, digests: dict[str, list[str]], where: str) -> str:
    """`source` (a test cell) with the hidden guard around its hidden block."""
    visible = split_test(guard.strip(source))[0]
    calls = []
    for call in check_calls(visible):
        name = _check_names(call, where)
        if len(call.args) < 2:
            raise SealError(f"{where}: check({name!r}, value, …) needs the value 2nd, by position")
        expression = ast.get_source_segment(visible, call.args[1])
        spec = _normalise_spec(call, where)
        calls.append(guard.Guarded(name, expression, spec, tuple(digests[name])))
    return guard.inject(source, calls)


def write_seals(source: str, seals: dict[str, dict]) -> str:
    """`source` with `seal={...}` added to each check(...) call (before its closing bracket)."""
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line.encode("utf-8")))
    data = source.encode("utf-8")
    edits = []
    for call in check_calls(source):
        name = call.args[0].value
        end = offsets[call.end_lineno - 1] + call.end_col_offset - 1  # the closing ")"
        before = data[:end].rstrip()
        sep = b" " if before.endswith(b",") else b", "
        literal = json.dumps(seals[name], ensure_ascii=False)
        edits.append((len(before), end, sep + f"seal={literal}".encode()))
    for start, end, text in sorted(edits, reverse=True):
        data = data[:start] + text + data[start:end].lstrip() + data[end:]
    return data.decode("utf-8")


def inputs_hash(notebook: Path, wrong_file: Path, data_dir: Path) -> str:
    """What the seals depend on: notebook, wrong answers, data files, the helper's code."""
    h = hashlib.sha256(CACHE_VERSION.encode())
    helper = Path(shequlab.checks.__file__).parent
    files = [notebook, wrong_file, *sorted(data_dir.glob("*")), *sorted(helper.glob("*.py"))]
    for path in files:
        if path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:20]


def seal_notebook(folder: Path, wrong_file: Path, cache_dir: Path) -> int:
    """Seal folder/exercises.ipynb in place; return the number of sealed check calls."""
    path = folder / "exercises.ipynb"
    nb = nbformat.read(path, as_version=4)
    cells = {g: c for g, c in test_cells(nb).items() if check_calls(split_test(c.source)[0])}
    if not cells:
        return 0
    wrong = yaml.safe_load(wrong_file.read_text(encoding="utf-8")) if wrong_file.exists() else []
    cache = cache_dir / f"{inputs_hash(path, wrong_file, folder / 'data')}.json"
    if cache.is_file():
        cached = json.loads(cache.read_text(encoding="utf-8"))
        seals, guards = cached["seals"], cached["guards"]
    else:
        results = probe_results(folder, nb, wrong or [], "seal", only=set(cells))
        seals = compute_seals(nb, wrong or [], results)
        guards = compute_guards(nb, wrong or [], results)
        cache_dir.mkdir(parents=True, exist_ok=True)
        cache.write_text(
            json.dumps({"seals": seals, "guards": guards}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    for grade_id, cell in cells.items():
        where = f"test cell {grade_id!r}"
        for call in check_calls(cell.source):
            _check_names(call, where)
        guarded = write_guard(cell.source, guards[grade_id], where)
        cell.source = write_seals(guarded, seals[grade_id])
    nbformat.write(nb, path)
    return sum(len(s) for s in seals.values())
