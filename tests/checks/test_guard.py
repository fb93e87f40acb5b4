"""The hidden guard (shequlab.checks.guard), in-process: what it accepts, refuses and ignores.

The end-to-end proof (real autograder, real gradebook, wrong answers plus each attack scoring 0)
is tests/grading/test_tamper.py.
"""

from __future__ import annotations

import builtins

import pandas as pd
import pytest

import shequlab.checks.normalise
from shequlab.checks import guard

SPEC = {"digits": 4, "ordered": True, "key": None, "index": True}
CELL = (
    "from shequlab.checks import check\n"
    "check('rate', rate, exercise=1)\n"
    "### BEGIN HIDDEN TESTS\n"
    "assert abs(rate - 0.25) < 1e-9, 'wrong'\n"
    "### END HIDDEN TESTS\n"
)


def _guarded(name: str, right) -> guard.Guarded:
    return guard.Guarded(name, name, SPEC, (guard.digest(name, right, SPEC),))


RATE = _guarded("rate", 0.25)  # digested here, before any test patches the normaliser


def _hidden(source: str) -> str:
    begin = source.index("### BEGIN HIDDEN TESTS")
    return source[begin : source.index("### END HIDDEN TESTS")]


def test_digest_is_the_canonical_value_salted_by_name() -> None:
    series = pd.Series([0.25, 0.5], index=["a", "b"])
    assert guard.digest("s", series, SPEC) == guard.digest("s", series.copy(), SPEC)
    assert guard.digest("s", series, SPEC) == guard.digest("s", series + 1e-12, SPEC)  # noise
    assert guard.digest("s", series, SPEC) != guard.digest("s", series * 2, SPEC)
    assert guard.digest("s", series, SPEC) != guard.digest("t", series, SPEC)
    assert guard.digest("n", 3, SPEC) == guard.digest("n", 3.0, SPEC)  # as check() compares


def test_inject_wraps_the_hidden_block_and_strip_undoes_it() -> None:
    calls = [_guarded("rate", 0.25)]
    source = guard.inject(CELL, calls)
    hidden = _hidden(source)
    assert hidden.index(guard.BEGIN) < hidden.index("assert abs(rate") < hidden.rindex(guard.END)
    assert guard.strip(source) == CELL
    assert guard.inject(source, calls) == source  # rebuilding does not stack guards
    bare = guard.inject("check('rate', rate, exercise=1)\n", calls)
    assert "### BEGIN HIDDEN TESTS" in bare and guard.BEGIN in _hidden(bare)


def _run_hidden(value, namespace_extra=None, builtins_extra=None) -> None:
    """Run the guard's part of the hidden block (the authored assert left out) on `value`."""
    guarded = _hidden(guard.inject(CELL, [RATE])).replace(
        "assert abs(rate - 0.25) < 1e-9, 'wrong'\n", ""
    )
    scope = dict(builtins.__dict__, **(builtins_extra or {}))
    namespace = {"__builtins__": scope, "rate": value, **(namespace_extra or {})}
    exec(compile(guarded, "<hidden>", "exec"), namespace)


def test_right_answer_passes_wrong_fails() -> None:
    _run_hidden(0.25)
    _run_hidden(pd.Series([0.25]).iloc[0])  # a numpy float is the same answer
    with pytest.raises(AssertionError, match="does not match the right answer"):
        _run_hidden(0.5)


class LyingFloat(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = float.__hash__


class Liar:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


def test_lying_values_do_not_pass() -> None:
    with pytest.raises(AssertionError):
        _run_hidden(LyingFloat(0.5))
    with pytest.raises(AssertionError):
        _run_hidden(Liar())


def test_rebound_names_are_never_used() -> None:
    """Globals and builtins that lie (everything the guard could look up by name) change nothing."""
    lies = {
        name: (lambda *a, **k: True)
        for name in ("abs", "isinstance", "type", "len", "str", "int", "float", "repr", "all",
                     "any", "bool", "set", "sorted", "list", "dict", "tuple", "hash", "id")
    }  # fmt: skip
    _run_hidden(0.25, namespace_extra=lies, builtins_extra=lies)
    with pytest.raises(AssertionError, match="does not match"):
        _run_hidden(0.5, namespace_extra=lies, builtins_extra=lies)


def test_a_replaced_normaliser_cannot_smuggle_a_liar(monkeypatch: pytest.MonkeyPatch) -> None:
    class LyingStr(str):
        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

    monkeypatch.setattr(shequlab.checks.normalise, "normalise", lambda v, **k: LyingStr("x"))
    with pytest.raises(AssertionError, match="the answer cannot be graded"):
        _run_hidden(0.5)
    monkeypatch.setattr(shequlab.checks.normalise, "normalise", lambda v, **k: 0.0)
    with pytest.raises(AssertionError, match="does not match"):
        _run_hidden(0.5)  # a constant of the trainee's choosing is just another answer


def test_a_fake_hash_function_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import _hashlib

    monkeypatch.setattr(_hashlib, "openssl_sha256", lambda data: None)
    with pytest.raises(AssertionError, match="tampered"):
        _run_hidden(0.25)


def test_guard_lines_cannot_be_mistaken_for_trainee_code() -> None:
    """The feedback leak check removes a page quoting any hidden line (> 8 characters) anywhere,
    trainee code included: every such guard line is one no trainee writes."""
    source = guard.inject(CELL, [RATE])
    ours = guard.strip(_hidden(source))
    for line in _hidden(source).splitlines():
        line = line.strip()
        if len(line) > 8 and line not in ours:
            assert (
                "_sqg_" in line
                or "_shequlab_" in line
                or "/ the " in line
                or "shequlab guard" in line
            ), line


def _run_blinded(value) -> tuple[guard.Blinded, dict]:
    """Run the blinded hidden block on `value` as the kernel would; the record as the execute
    reply's user_expressions brings it."""
    blinded = guard.blind(guard.inject(CELL, [RATE, _guarded("count", 3)]))
    assert blinded is not None
    code = _hidden(blinded.source).replace("assert abs(rate - 0.25) < 1e-9, 'wrong'\n", "")
    namespace = {"rate": value, "count": 3}
    exec(compile(code, "<hidden>", "exec"), namespace)
    return blinded, {"status": "ok", "data": {"text/plain": repr(namespace[guard.RECORD])}}


def test_blinded_source_holds_no_right_digest_and_the_grader_judges_it() -> None:
    source = guard.inject(CELL, [RATE, _guarded("count", 3)])
    blinded = guard.blind(source)
    assert blinded is not None
    assert [digests for digests, _ in blinded.expected] == [
        RATE.digests,
        (guard.digest("count", 3, SPEC),),
    ]
    for digests, _ in blinded.expected:
        assert not any(d in blinded.source for d in digests)  # the kernel never sees them
    assert "assert abs(rate - 0.25)" in blinded.source  # the authored asserts still run
    assert guard.strip(blinded.source) == CELL  # the guard lines are still the guard's
    assert guard.blind(CELL) is None  # no guard, nothing to blind

    right, record = _run_blinded(0.25)
    assert guard.judge(record, right) is None
    wrong, record = _run_blinded(0.5)
    assert (
        guard.judge(record, wrong) == "rate 与正确答案不一致 / rate does not match the right answer"
    )


def test_a_missing_or_forged_record_is_not_a_pass() -> None:
    blinded = guard.blind(guard.inject(CELL, [RATE]))
    assert blinded is not None

    def record(text) -> dict:
        return {"status": "ok", "data": {"text/plain": repr(text)}}

    # The kernel said nothing (its run_cell was rewritten to skip the test): not a pass.
    assert "did not reach the grader" in guard.judge(None, blinded)
    assert "did not reach the grader" in guard.judge(record(None), blinded)  # reset, never set
    assert "did not reach the grader" in guard.judge({"status": "error"}, blinded)
    # A record that copies the only digest the kernel could know of (a wrong answer's) fails.
    wrong = guard.digest("rate", 0.5, SPEC)
    assert "does not match" in guard.judge(record(wrong), blinded)
    # Too few or too many digests for the answers checked, or not a string: not a pass.
    assert "did not reach the grader" in guard.judge(record(""), blinded)
    assert "did not reach the grader" in guard.judge(record(f"{wrong} {wrong}"), blinded)
    assert "did not reach the grader" in guard.judge(record(RATE.digests), blinded)
