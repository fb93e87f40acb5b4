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

Out of scope: code that inspects or rewrites the running test itself (`sys.settrace`,
`sys._getframe`, `gc`, `ctypes`, or the names the hidden block sets while it runs) — in one
process nothing can stop it; what it could read here is a digest, no more than the fingerprint
the released visible check already carries — and recovering the answer by trying candidates
against such a digest. Grading in a separate process would be the only defence; nbgrader runs the
tests in the trainee's kernel.

`GUARD_SOURCE` is injected as text; `digest` runs the same text at build time, so the build and
the grader cannot disagree.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

BEGIN = "# >>> shequlab guard (written by `shequlab course build`; do not edit)"
END = "# <<< shequlab guard"

GUARD_SOURCE = '''
def _shequlab_guard(name, value, spec):
    """The digest of the canonical form of `value` (the answer stored in variable `name`)."""
    _type = (0).__class__.__class__
    _str, _int, _float, _bool = "".__class__, (0).__class__, (0.0).__class__, True.__class__
    _list, _tuple, _dict, _none = [].__class__, ().__class__, {}.__class__, _type(None)
    _builtin = _type([].append)
    from shequlab.checks.normalise import normalise
    import _hashlib
    sha256 = _hashlib.openssl_sha256
    if _type(sha256) is not _builtin or sha256.__name__ != "openssl_sha256":
        assert False, "环境被改动，隐藏测试无法运行 / the kernel was tampered with"
    parts = []
    add = parts.append
    def walk(x, depth):
        if depth > 40:
            assert False, name + ": 答案嵌套过深 / the answer is nested too deeply"
        t = _type(x)
        if t is _str:
            add("s" + _str.__repr__(x))
        elif t is _bool:
            add("T" if x is True else "F")
        elif t is _int:
            add("i" + _int.__repr__(x))
        elif t is _float:
            add("f" + _float.__repr__(x))
        elif t is _none:
            add("N")
        elif t is _list or t is _tuple:
            add("[")
            for item in x:
                walk(item, depth + 1)
            add("]")
        elif t is _dict:
            add("{")
            for k, v in _dict.items(x):
                walk(k, depth + 1)
                walk(v, depth + 1)
            add("}")
        else:
            assert False, name + ": 答案不是可以评分的值 / the answer cannot be graded"
    assert _type(name) is _str and _type(spec) is _dict, "guard misuse"
    walk(normalise(value, **spec), 0)
    return sha256(_str.encode(name + "\\0" + _str.join("", parts), "utf-8")).hexdigest()
'''

NORMALISE_KEYS = ("digits", "ordered", "key", "index")
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
