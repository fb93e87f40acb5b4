"""Trainee code cannot turn a failing check into points.

Graded through our real autograder (`autograde_module`, sandboxed) and the real nbgrader
gradebook, once per module. Every submission answers every exercise with a recorded wrong answer
and adds tampering code; every autograded cell must score 0.

- onb-02 (whose tests call check()): hiding the error (set_custom_exc, a silenced showtraceback)
  is caught by nbgrader's own Execute (on_cell_executed adds an error output when the kernel
  replies "error" without one), which our sandboxed executor inherits; patching or redefining
  `check` is caught by the hidden tests, which never use the helper; a kernel rewritten to reply
  "ok" to every cell is caught by the guard's digests, judged outside the kernel.
- onb-02 (integers, rates, Series), onb-04 (Series and tables compared with `.to_dict()`, sets,
  `.abs() < 1e-9`) and yf-05 (tables read with `.loc`, rates, lists): the visible check is
  neutralised first (as above), then the answers are made to lie (subclasses of int, float and
  str, or any object, whose comparisons, `abs` and arithmetic say "equal") and/or the libraries
  and builtins the hidden asserts use are patched while the tests run (the answers themselves are
  computed with the real ones). The hidden guard (`shequlab.checks.guard`, written into every
  hidden block by the build) must give 0 to all of them.
"""

from __future__ import annotations

import nbformat
import pytest
from nbgrader.api import Gradebook

from shequlab.autograder.autograde import autograde_module
from shequlab.autograder.sandbox import Limits
from shequlab.course.seal import check_calls, split_test
from shequlab.course.seal import test_cells as _test_cells
from shequlab.curriculum import load_curriculum
from shequlab.rehearsal.simulate import build_single_module_root, fill, solution_answers
from shequlab.rehearsal.simulate import wrong_answers as recorded_wrong_answers

PROGRAMS = {"onb-02-hotline": "onboarding", "onb-04-pairing": "onboarding"}
PROGRAMS["yf-05-foundation"] = "youth-forum"

HARNESS = {
    # IPython swallows the exception: no error output, but the kernel still replies "error".
    "custom_exc": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)",
    # The display of every traceback silenced.
    "showtraceback": "_ip = get_ipython()\n_ip.showtraceback = lambda *a, **k: None\n"
    "_ip._showtraceback = lambda *a, **k: None",
    # The visible helper replaced by one that always passes.
    "patched_check": "import shequlab.checks, shequlab.checks.core\n"
    "shequlab.checks.check = shequlab.checks.core.check = lambda *a, **k: None",
    # A check of their own defined after the import (the test cell re-imports the real one).
    "redefined_check": "def check(*a, **k):\n    return None",
    # The kernel itself rewritten: every cell, failing or not, replies "ok" with no error output.
    # nbgrader scores a test cell by its error output, so this alone would give full points;
    # the grader judges the hidden guard's digests outside the kernel (checks.guard.judge).
    "kernel_reply": "_ip = get_ipython()\n"
    "_ip.showtraceback = _ip._showtraceback = lambda *a, **k: None\n"
    "_run = _ip.run_cell_async\n"
    "async def _ok(*a, **k):\n"
    "    result = await _run(*a, **k)\n"
    "    result.error_before_exec = result.error_in_exec = None\n"
    "    return result\n"
    "_ip.run_cell_async = _ok",
}

# Defines _lie(value) and _patch(names)/_unpatch(); runs once, in the first answer cell.
PRELUDE = r'''
import builtins as _b, math as _math, numbers as _numbers
import numpy as _np, pandas as _pd
import shequlab.checks, shequlab.checks.core
shequlab.checks.check = shequlab.checks.core.check = lambda *a, **k: None  # visible check gone


class _Lies:
    def __eq__(s, o): return True
    def __ne__(s, o): return False
    def __lt__(s, o): return True
    def __le__(s, o): return True
    def __gt__(s, o): return True
    def __ge__(s, o): return True
    def __abs__(s): return _LFloat(0.0)
    def __sub__(s, o): return _LFloat(0.0)
    def __rsub__(s, o): return _LFloat(0.0)
    def __add__(s, o): return _LFloat(0.0)
    def __radd__(s, o): return _LFloat(0.0)
    def __truediv__(s, o): return _LFloat(0.0)
    def __rtruediv__(s, o): return _LFloat(0.0)
    def __bool__(s): return True


class _LInt(_Lies, int):
    __hash__ = int.__hash__


class _LFloat(_Lies, float):
    __hash__ = float.__hash__


class _LStr(_Lies, str):
    __hash__ = str.__hash__


class _Liar(_Lies):
    """Any object: every attribute, item and call is itself, every comparison true."""
    __hash__ = object.__hash__
    def __init__(s, v): object.__setattr__(s, "_v", v)
    def __getattr__(s, name): return s
    def __getitem__(s, key): return s
    def __call__(s, *a, **k): return s
    def __iter__(s): return iter(())
    def __len__(s): return 0
    def __contains__(s, x): return True
    def __int__(s): return 0
    def __float__(s): return 0.0
    def __str__(s): return ""
    def __round__(s, n=None): return s


def _lie(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, _numbers.Integral):
        return _LInt(int(v))
    if isinstance(v, _numbers.Real):
        return _LFloat(float(v))
    if isinstance(v, str):
        return _LStr(v)
    return _Liar(v)


def _true(*a, **k): return True
def _none(*a, **k): return None


_PATCHES = {
    "pandas_testing": [
        (_pd.testing, "assert_frame_equal", _none), (_pd.testing, "assert_series_equal", _none),
        (_pd.testing, "assert_index_equal", _none), (_pd.DataFrame, "equals", _true),
        (_pd.Series, "equals", _true), (_np, "isclose", _true), (_np, "allclose", _true),
        (_np, "array_equal", _true), (_math, "isclose", _true),
        (_np.testing, "assert_allclose", _none),
    ],
    "builtins_numeric": [
        (_b, "abs", lambda x: 0), (_b, "round", lambda x, n=None: 0),
        (_b, "sum", lambda *a, **k: 0),
        (_b, "max", lambda *a, **k: 0), (_b, "min", lambda *a, **k: 0),
    ],
    "builtins_logic": [(_b, "all", _true), (_b, "any", _true), (_b, "bool", _true)],
    "builtins_isinstance": [(_b, "isinstance", _true)],
    "builtins_collections": [
        (_b, "len", lambda x: 0), (_b, "set", lambda *a: {0}.__class__()),
        (_b, "sorted", lambda *a, **k: []), (_b, "list", lambda *a: []),
        (_b, "dict", lambda *a, **k: {}), (_b, "tuple", lambda *a: ()),
    ],
    "pandas_methods": [
        (_pd.Series, "items", lambda s: iter(())),
        (_pd.Series, "to_numpy", lambda s, *a, **k: _np.array([])),
        (_pd.Series, "to_dict", lambda s, *a, **k: {}), (_pd.Series, "to_list", lambda s: []),
        (_pd.Series, "tolist", lambda s: []), (_pd.Series, "sum", lambda s, *a, **k: 0),
        (_pd.Series, "mean", lambda s, *a, **k: 0.0),
        (_pd.Series, "median", lambda s, *a, **k: 0.0),
        (_pd.Series, "is_monotonic_increasing", property(_true)),
        (_pd.Series, "is_monotonic_decreasing", property(_true)),
        (_pd.Series, "__iter__", lambda s: iter(())), (_pd.Index, "__iter__", lambda s: iter(())),
        (_pd.DataFrame, "itertuples", lambda s, *a, **k: iter(())),
    ],
    "read_csv_empty": [(_pd, "read_csv", lambda *a, _r=_pd.read_csv, **k: _r(*a, **k).iloc[:0])],
}
_PATCHES["everything"] = (
    _PATCHES["pandas_testing"] + _PATCHES["builtins_numeric"] + _PATCHES["pandas_methods"]
)
_saved = []
_absent = object()


def _patch(name):
    for owner, attr, new in _PATCHES.get(name, []):
        _saved.append((owner, attr, owner.__dict__.get(attr, _absent)))
        setattr(owner, attr, new)


def _unpatch():
    while _saved:
        owner, attr, old = _saved.pop()
        if old is _absent:
            delattr(owner, attr)
        else:
            setattr(owner, attr, old)


def _hooks(name):
    """Patched while each test cell runs (it calls check), real again afterwards: the answers are
    computed with the real functions, and the kernel's own machinery keeps working between cells."""
    def pre(info):
        if "check(" in (info.raw_cell or ""):
            _patch(name)
    ip = get_ipython()
    ip.events.register("pre_run_cell", pre)
    ip.events.register("post_run_cell", lambda result: _unpatch())
'''

# attack → (answers made to lie?, patch set active while the tests run)
ATTACKS = {
    "lying_values": (True, None),
    "lying_values_patched_numbers": (True, "pandas_testing"),
    "pandas_testing": (False, "pandas_testing"),
    "builtins_numeric": (True, "builtins_numeric"),
    "builtins_logic": (True, "builtins_logic"),
    "builtins_isinstance": (True, "builtins_isinstance"),
    "builtins_collections": (False, "builtins_collections"),
    "pandas_methods": (False, "pandas_methods"),
    "read_csv_empty": (False, "read_csv_empty"),
    "everything": (True, "everything"),
}
STUDENTS = [("onb-02-hotline", s) for s in HARNESS] + [(m, a) for m in PROGRAMS for a in ATTACKS]


def _checked_names(release: nbformat.NotebookNode) -> dict[str, list[str]]:
    """grade_id → the answer variables its test cell checks (check's first argument)."""
    return {
        grade_id: [c.args[0].value for c in check_calls(split_test(cell.source)[0])]
        for grade_id, cell in _test_cells(release).items()
    }


def _attack_answers(
    answers: dict[str, str], names: dict[str, list[str]], lie: bool, patch: str | None
) -> dict[str, str]:
    """Each answer cell: the (wrong) answer, its values made to lie; the first one also sets up
    the patches, switched on while each test cell runs."""
    out = {}
    for i, (cell, code) in enumerate(answers.items()):
        grade_id = cell.removesuffix("_answer")
        lines = [PRELUDE, f"_hooks({patch!r})"] if i == 0 else []
        lines.append(code)
        if lie:
            lines += [f"{n} = _lie({n})" for n in names.get(grade_id, [])]
        out[cell] = "\n".join(lines)
    return out


def _grade(tmp_path_factory, module: str, students: list[str]):
    program = PROGRAMS[module]
    root = build_single_module_root(tmp_path_factory.mktemp(module) / "root", module, program)
    release = nbformat.read(root / "grading" / "release" / module / "exercises.ipynb", 4)
    good = solution_answers(root, module, program)
    wrong = {}
    for entry in recorded_wrong_answers(root, module, program):
        wrong.setdefault(f"{entry['grade_id']}_answer", entry["code"])
    answers = {**good, **wrong}
    names = _checked_names(release)
    for student in students:
        if student in HARNESS:
            first = next(iter(good))
            code = {**answers, first: HARNESS[student] + "\n" + answers[first]}
        else:
            code = _attack_answers(answers, names, *ATTACKS[student])
        folder = root / "grading" / "submitted" / student / module
        folder.mkdir(parents=True)
        nbformat.write(fill(release, code), folder / "exercises.ipynb")
    limits = Limits(notebook_seconds=60)
    run = autograde_module(root / "grading", module, workers=2, limits=limits)
    notes = {r.student_id: r.notes for r in run.results}
    statuses = {r.student_id: r.status for r in run.results}
    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}") as gb:
        scores = {
            student: {
                g.name: g.auto_score
                for g in gb.find_submission_notebook("exercises", module, student).grades
                if g.cell_type == "code"  # the autograded cells
            }
            for student in students
        }
    return scores, notes, statuses


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """module → (student → grade_id → auto score, student → notes); each module graded once."""
    done: dict[str, tuple] = {}

    def get(module: str):
        if module not in done:
            students = [s for m, s in STUDENTS if m == module]
            done[module] = _grade(tmp_path_factory, module, students)
        return done[module]

    return get


@pytest.mark.slow
@pytest.mark.parametrize(("module", "student"), STUDENTS)
def test_tampering_cannot_score_wrong_answers(graded, module: str, student: str) -> None:
    all_scores, all_notes, statuses = graded(module)
    scores, notes = all_scores[student], all_notes[student]
    exercises = load_curriculum().modules(module=module)[0].exercises
    auto = {e.grade_id for e in exercises if e.kind == "auto"}
    assert set(scores) == auto  # every autograded cell of the module was graded
    if statuses[student] in ("crashed", "timed_out") and student in ATTACKS and ATTACKS[student][1]:
        # A patched builtin can also break the kernel's own machinery: a patched isinstance
        # made it sign a reply wrongly in CI ("Invalid Signature"); a patched max stalls each
        # flush of its output for 10 s ("IOStream.flush timed out"), which on a loaded machine
        # runs past the notebook's wall-time limit. The grader then records no score at all and
        # flags the submission: still no points, and a trainer looks at it.
        assert scores == dict.fromkeys(scores), (scores, notes)
        assert notes, "a crashed submission says why"
        return
    assert scores == dict.fromkeys(scores, 0), (statuses[student], scores, notes)
    if student in ("custom_exc", "showtraceback", "patched_check", "kernel_reply"):
        assert any("test harness" in n for n in notes), notes
    if student == "kernel_reply":
        # The attack worked on the kernel (every test cell replied "ok" without an error), and
        # the grader overruled each of those cells: without that, all of them would score.
        overruled = [n for n in notes if "the kernel reported passing test cells" in n]
        assert overruled, notes
        assert set(overruled[0].split(": ")[-1].split(", ")) == auto, notes
