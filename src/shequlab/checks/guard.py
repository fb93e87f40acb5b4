"""The hidden guard: lines the course build writes around every test cell's hidden block.

Threat model. A trainee's code runs in the same kernel as the tests, before them, and may change
anything importable or reachable by name: builtins (`abs`, `isinstance`, `len`, `__import__`,
…), library functions and classes (`pd.read_csv`, `pd.testing.*`, `DataFrame.equals`,
`Series.items`, `np.isclose`, `math.isclose`, …), our own helpers (`shequlab.checks.*`), global
names, and IPython hooks that switch such patches on only while a test cell runs; and it may
answer with a lying value (a subclass of int, float, str, or any object, whose `__eq__`,
`__abs__`, `__lt__`, … say whatever passes). It does not know the right answer (whoever knows it
can type it). The authored hidden asserts compute their expected values with pandas and compare
with operators and functions, so such code can make them pass: patching `pd.read_csv` or
`Series.items` changes the expected value as much as the answer.

The guard trusts none of that. For each `check(name, value, ...)` of the test cell, its first
lines (before any authored assert has computed an expected value the answer could copy):

1. turn the answer into its canonical form with `shequlab.checks.normalise.normalise` (which the
   trainee may have replaced: then the canonical form is one the trainee chose — no better than
   typing a value);
2. serialise that form, accepting only values whose exact type (`type(x) is ...`, subclasses
   refused) is str, int, float, bool, None, list, tuple or dict: a lying object cannot get through;
3. hash it with OpenSSL's SHA-256 (`_hashlib.openssl_sha256`, checked to be that C function: no
   other built-in function has that name), salted with the name.

Its last lines fail unless each digest is one the build computed from the solution (or a
`right: true` answer) and wrote into the hidden block, which trainees never see. It reaches types
and functions only through literals (`(0).__class__.__class__` is `type`) and the methods of
built-in types, which no Python code can replace; it looks up no global or built-in name except
the import statement's. Code that breaks builtins generally makes the cell fail with an error:
zero points as well.

The verdict outside the kernel. Code in the kernel can also rewrite the kernel itself (wrap
`get_ipython().run_cell_async`, say) so that a failing test cell replies "ok" with no error
output: nbgrader, which scores a test cell by its error output, then gives the points. So
`shequlab grade autograde` does not let the kernel judge the digests. Before a test cell runs,
`blind` takes the right answers' digests out of the source sent to the kernel (its last lines
only keep the digests its first lines computed); the grader asks for them in the execute
request, and `judge` compares what the reply brings with the digests the grader kept. A cell
that reported success scores only if every digest arrived and is a right answer's; otherwise the
grader adds the error output the in-kernel assert would have made. The kernel never sees a right
answer's digest, so no code in it can produce one except by computing the right answer. Plain
`nbgrader autograde` runs the source as written (the in-kernel asserts), and scores honest work
the same.

Out of scope: code that reads the running test cell (its source, or the names the hidden block
sets while it runs) and computes the right answer from the authored asserts, and recovering the
answer by trying candidates against the released visible check's fingerprint.

`GUARD_SOURCE` is injected as text; `digest` runs the same text at build time, so the build and
the grader cannot disagree.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Any

BEGIN = "# >>> shequlab guard (written by `shequlab course build`; do not edit)"
END = "# <<< shequlab guard"

GUARD_SOURCE = '''
def _shequlab_guard(_sqg_name, _sqg_value, _sqg_spec):
    """shequlab guard: the digest of the canonical form of an answer."""
    _sqg_type = (0).__class__.__class__
    _sqg_str, _sqg_int, _sqg_float = "".__class__, (0).__class__, (0.0).__class__
    _sqg_bool, _sqg_none = True.__class__, _sqg_type(None)
    _sqg_list, _sqg_tuple, _sqg_dict = [].__class__, ().__class__, {}.__class__
    _sqg_builtin = _sqg_type([].append)
    from shequlab.checks.normalise import normalise as _sqg_normalise
    import _hashlib as _sqg_hashlib
    _sqg_sha256 = _sqg_hashlib.openssl_sha256
    if _sqg_type(_sqg_sha256) is not _sqg_builtin or _sqg_sha256.__name__ != "openssl_sha256":
        assert False, "环境被改动，隐藏测试无法运行 / the kernel was tampered with"
    _sqg_parts = []
    _sqg_add = _sqg_parts.append
    def _sqg_walk(_sqg_x, _sqg_depth):
        if _sqg_depth > 40:
            assert False, _sqg_name + ": 答案嵌套过深 / the answer is nested too deeply"
        _sqg_t = _sqg_type(_sqg_x)
        if _sqg_t is _sqg_str:
            _sqg_add("s" + _sqg_str.__repr__(_sqg_x))
        elif _sqg_t is _sqg_bool:
            _sqg_add("T" if _sqg_x is True else "F")
        elif _sqg_t is _sqg_int:
            _sqg_add("i" + _sqg_int.__repr__(_sqg_x))
        elif _sqg_t is _sqg_float:
            _sqg_add("f" + _sqg_float.__repr__(_sqg_x))
        elif _sqg_t is _sqg_none:
            _sqg_add("N")
        elif _sqg_t is _sqg_list or _sqg_t is _sqg_tuple:
            _sqg_add("[")
            for _sqg_item in _sqg_x:
                _sqg_walk(_sqg_item, _sqg_depth + 1)
            _sqg_add("]")
        elif _sqg_t is _sqg_dict:
            _sqg_add("{")
            for _sqg_k, _sqg_v in _sqg_dict.items(_sqg_x):
                _sqg_walk(_sqg_k, _sqg_depth + 1)
                _sqg_walk(_sqg_v, _sqg_depth + 1)
            _sqg_add("}")
        else:
            assert False, _sqg_name + ": 答案不是可以评分的值 / the answer cannot be graded"
    assert _sqg_type(_sqg_name) is _sqg_str and _sqg_type(_sqg_spec) is _sqg_dict, "guard misuse"
    _sqg_walk(_sqg_normalise(_sqg_value, **_sqg_spec), 0)
    _sqg_text = _sqg_name + "\\0" + _sqg_str.join("", _sqg_parts)
    return _sqg_sha256(_sqg_str.encode(_sqg_text, "utf-8")).hexdigest()
'''

NORMALISE_KEYS = ("digits", "ordered", "key", "index")
# Every line of the guard longer than 8 characters names _sqg_ or _shequlab_: the feedback leak
# check (shequlab.grading.feedback.leaks) looks for hidden lines in the page, trainee code included.
_GUARD = re.compile(rf"^{re.escape(BEGIN)}\n.*?^{re.escape(END)}\n?", re.S | re.M)
_BEGIN_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[^\n]*\n", re.M)
_END_HIDDEN = re.compile(r"^[ \t]*### END HIDDEN TESTS", re.M)


@dataclass(frozen=True)
class Guarded:
    """One check(...) of a test cell: its name, the value expression, how it is normalised, and
    the digests of the right answers (the solution's, then any `right: true` entry's)."""

    name: str
    expression: str
    spec: dict[str, Any]
    digests: tuple[str, ...]


def digest(name: str, value: Any, spec: dict[str, Any]) -> str:
    """The digest the guard computes for `value` (run at build time on right answers)."""
    namespace: dict[str, Any] = {}
    exec(compile(GUARD_SOURCE, "<shequlab guard>", "exec"), namespace)  # our own constant code
    return namespace["_shequlab_guard"](name, value, dict(spec))


def _top(calls: list[Guarded]) -> str:
    """First lines of the hidden block: every answer's digest, before any hidden assert runs (so
    the answer cannot be built from what the asserts compute)."""
    seen = ", ".join(
        f"_shequlab_guard({json.dumps(c.name, ensure_ascii=False)}, ({c.expression}), {c.spec!r})"
        for c in calls
    )
    body = f"{GUARD_SOURCE.strip()}\n_shequlab_seen = ({seen},)\ndel _shequlab_guard"
    return f"{BEGIN}\n{body}\n{END}\n"


def _end(calls: list[Guarded]) -> str:
    """Last lines of the hidden block: each digest must be a right answer's."""
    lines = [BEGIN]
    for i, c in enumerate(calls):
        name = json.dumps(c.name, ensure_ascii=False)[1:-1]
        lines.append(
            f'assert (0).__class__.__class__(_shequlab_seen[{i}]) is "".__class__ '
            f"and _shequlab_seen[{i}] in {tuple(c.digests)!r}, "
            f'"{name} 与正确答案不一致 / {name} does not match the right answer"'
        )
    lines += ["del _shequlab_seen", END]
    return "\n".join(lines) + "\n"


def strip(source: str) -> str:
    """`source` without guard lines (what the author wrote)."""
    return _GUARD.sub("", source)


def inject(source: str, calls: list[Guarded]) -> str:
    """A test cell's source with the guard around its (first) hidden block; one is added at the
    end when the cell has none."""
    source = strip(source)
    if not calls:
        return source
    begin, end = _BEGIN_HIDDEN.search(source), _END_HIDDEN.search(source)
    if begin is None or end is None or end.start() < begin.end():
        tail = "" if source.endswith("\n") else "\n"
        block = f"### BEGIN HIDDEN TESTS\n{_top(calls)}{_end(calls)}### END HIDDEN TESTS\n"
        return f"{source}{tail}{block}"
    return (
        source[: begin.end()]
        + _top(calls)
        + source[begin.end() : end.start()]
        + _end(calls)
        + source[end.start() :]
    )


# The blinded guard's last lines leave the digests, joined by spaces, in this name; the grader
# asks for it in the execute request's user_expressions, which the kernel evaluates after the
# cell and its hooks have run and sends back in the reply, not on the output channel (writing to
# stdout from the cell waits on the kernel's output thread, which patched builtins stall).
RECORD = "_shequlab_record"
_EMIT = f"""{BEGIN}
{RECORD} = " ".join(_shequlab_seen)
del _shequlab_seen
{END}
"""


@dataclass(frozen=True)
class Blinded:
    """A test cell's source as the grader sends it to the kernel, and what it kept back: per
    checked answer, the right answers' digests and the message of its in-kernel assert."""

    source: str
    expected: tuple[tuple[tuple[str, ...], str], ...]


def blind(source: str) -> Blinded | None:
    """`source` with its last guard lines (which compare digests) replaced by lines that only
    write the digests out; None when the cell has no guard."""
    blocks = list(_GUARD.finditer(source))
    if len(blocks) != 2:
        return None
    last = blocks[1]
    expected = []
    for node in ast.parse(last.group(0)).body:
        if not isinstance(node, ast.Assert):
            continue
        # assert <type is str> and _shequlab_seen[i] in (digests...), "message"
        test, msg = node.test, node.msg
        if not (
            isinstance(test, ast.BoolOp)
            and isinstance(test.values[-1], ast.Compare)
            and isinstance(test.values[-1].ops[0], ast.In)
            and isinstance(msg, ast.Constant)
        ):
            raise ValueError("the guard's last lines are not the ones the build writes")
        digests = ast.literal_eval(test.values[-1].comparators[0])
        expected.append((tuple(digests), str(msg.value)))
    first = blocks[0]
    reset = f"{BEGIN}\n{RECORD} = None\n"  # no digests left over from an earlier test cell
    text = (
        source[: first.start()]
        + reset
        + source[first.start() + len(BEGIN) + 1 : last.start()]
        + _EMIT
        + source[last.end() :]
    )
    return Blinded(text, tuple(expected))


def judge(record: Any, blinded: Blinded) -> str | None:
    """The message of the first checked answer whose digest is not a right answer's (or of a
    missing record), None when all are right. `record` is the reply's user_expressions entry for
    RECORD: {"status": "ok", "data": {"text/plain": "'<digest> <digest>'"}}."""
    missing = "隐藏测试的结果没有送到评分程序 / the hidden test's result did not reach the grader"
    try:
        text = ast.literal_eval(record["data"]["text/plain"]) if record["status"] == "ok" else None
    except (KeyError, TypeError, ValueError, SyntaxError):
        return missing
    if type(text) is not str:
        return missing
    seen = text.split(" ") if text else []
    if len(seen) != len(blinded.expected):
        return missing
    for digest_seen, (digests, message) in zip(seen, blinded.expected, strict=True):
        if digest_seen not in digests:
            return message
    return None
