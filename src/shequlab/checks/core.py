"""`check()`: typed feedback first, then the value's fingerprint against the sealed ones."""

from __future__ import annotations

import numbers
from typing import Any

from shequlab.checks import guard, render
from shequlab.checks.messages import message
from shequlab.checks.normalise import DEFAULT_DIGITS, fingerprint

Text = tuple[str, str]  # (zh, en)

# While the course build seals a notebook, check() records fingerprints here instead of judging.
_recording: list[dict[str, Any]] | None = None
# While `shequlab course check` measures the checks, nothing is displayed.
_quiet = False

KINDS = ("integer", "number", "fraction", "text", "series", "table")


class CheckFailed(AssertionError):
    """A visible check failed; IPython shows one line (the box above says the rest)."""

    def _render_traceback_(self) -> list[str]:
        return [f"CheckFailed: {self}"]


class CheckNotSealed(RuntimeError):
    """A check call without a seal: the notebook did not come out of `shequlab course build`."""

    def _render_traceback_(self) -> list[str]:
        return [f"CheckNotSealed: {self}"]


def _type_name(value: Any) -> str:
    return type(value).__name__


def _kind_problem(value: Any, kind: str, name: str) -> Text | None:
    import pandas as pd

    fields = {"name": name, "type": _type_name(value)}
    real = isinstance(value, numbers.Real) and not isinstance(value, bool)
    integral = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if kind == "integer" and not integral:
        return message("integer", **fields)
    if kind in ("number", "fraction") and not real:
        return message("number", **fields)
    if kind == "fraction" and not 0 <= value <= 1:
        return message("percentage" if 1 < value <= 100 else "count", **fields)
    if kind == "text" and not isinstance(value, str):
        return message("text", **fields)
    if kind == "series" and not isinstance(value, pd.Series):
        return message("series", **fields)
    if kind == "table" and not isinstance(value, pd.DataFrame):
        mask = isinstance(value, pd.Series) and value.dtype == bool
        return message("mask" if mask else "table", **fields)
    return None


def _shape_problem(value: Any, name: str, spec: dict[str, Any]) -> tuple[str, Text] | None:
    """(which, message): length, non-empty, rates in [0, 1], sort order, labels in the index."""
    length = spec.get("length")
    if length is not None and len(value) != length:
        return "length", message("length", name=name, length=length, n=len(value))
    if spec.get("nonempty") and len(value) == 0:
        return "nonempty", message("nonempty", name=name)
    if spec.get("fractions") and len(value) and not ((value >= 0) & (value <= 1)).all():
        return "fractions", message("fractions", name=name)
    sort = spec.get("sort")
    if sort == "ascending" and not value.is_monotonic_increasing:
        return "sort", message("ascending")
    if sort == "descending" and not value.is_monotonic_decreasing:
        return "sort", message("descending")
    for label in spec.get("index_has") or ():
        if label not in value.index:
            return "index_has", message("index_has", name=name, label=repr(label))
    return None


def _as_text(message: Any) -> Text:
    if isinstance(message, (list, tuple)) and len(message) == 2:
        return str(message[0]), str(message[1])
    if isinstance(message, dict):
        return str(message.get("zh", "")), str(message.get("en", ""))
    return str(message), str(message)


def _problem(value: Any, name: str, spec: dict[str, Any], seal: dict[str, Any]) -> Text | None:
    """What is wrong with `value`, or None when its fingerprint is the sealed right one (the
    solution's, "ok", or another right answer's, "also")."""
    hints = spec.get("hints") or {}
    norm = {k: spec[k] for k in ("digits", "ordered", "key", "index") if k in spec}
    try:
        found = fingerprint(name, value, **norm)
    except Exception:  # a value the normaliser cannot read: the typed checks will say why
        found = None
    if found is not None and found in (seal.get("wrong") or {}):
        return _as_text(seal["wrong"][found])
    kind = spec.get("kind")
    if kind:
        problem = _kind_problem(value, kind, name)
        if problem:
            return _as_text(hints.get("type", problem))
    if kind in ("series", "table"):
        shape = _shape_problem(value, name, spec)
        if shape:
            which, problem = shape
            return _as_text(hints[which]) if which in hints else problem
    if found == seal.get("ok") or found in (seal.get("also") or ()):
        return None
    return message("wrong", name=name)


def check(
    name: str,
    value: Any,
    *,
    exercise: int | str,
    kind: str | None = None,
    digits: int = DEFAULT_DIGITS,
    ordered: bool = True,
    key: str | list[str] | None = None,
    index: bool = True,
    length: int | None = None,
    nonempty: bool = False,
    fractions: bool = False,
    sort: str | None = None,
    index_has: list[Any] | None = None,
    hint: Any = None,
    hints: dict[str, Any] | None = None,
    seal: dict[str, Any] | None = None,
) -> None:
    """Check the answer `value` (stored in variable `name`) of exercise `exercise`.

    kind: integer | number | fraction | text | series | table (typed feedback first);
    digits, ordered, key, index: how the value is normalised before hashing (see normalise());
    length, nonempty, fractions, sort ("ascending"/"descending"), index_has: shape feedback for
    a Series or table; hint: (zh, en) shown when the value is wrong for an unknown reason;
    hints: (zh, en) per problem ("type", "length", "nonempty", "fractions", "sort", "index_has")
    replacing the generic message; seal: written by `shequlab course build`, never by hand.
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"check(kind={kind!r}): choose one of {', '.join(KINDS)}")
    spec: dict[str, Any] = {
        "kind": kind,
        "digits": digits,
        "ordered": ordered,
        "key": key,
        "index": index,
        "length": length,
        "nonempty": nonempty or None,
        "fractions": fractions or None,
        "sort": sort,
        "index_has": index_has,
        "hints": hints,
    }
    norm = {"digits": digits, "ordered": ordered, "key": key, "index": index}
    if _recording is not None:
        try:
            found: str | None = fingerprint(name, value, **norm)
        except Exception:
            found = None
        try:
            guarded: str | None = guard.digest(name, value, norm)
        except Exception:
            guarded = None
        _recording.append({"name": name, "fingerprint": found, "guard": guarded})
        return
    if not seal or "ok" not in seal:
        raise CheckNotSealed(
            f"练习 {exercise} 的检查（{name}）还没有封存："
            "请用 `shequlab course build` 生成的笔记本 / "
            f"the check of {name} (exercise {exercise}) is not sealed: use the notebook that "
            "`shequlab course build` generates (grading/source or release), not notebooks/"
        )
    problem = _problem(value, name, spec, seal)
    if problem is None:
        if not _quiet:
            render.show(render.passed_bundle(exercise, name))
        return
    generic = problem == message("wrong", name=name)
    detail = f"check {name!r}: got a {_type_name(value)}"
    if hasattr(value, "__len__") and not isinstance(value, str):
        detail += f" of length {len(value)}"
    detail += f"; spec: {', '.join(f'{k}={v!r}' for k, v in spec.items() if v not in (None, {}))}"
    if not _quiet:
        shown_hint = _as_text(hint) if hint and generic else None
        render.show(render.failed_bundle(exercise, name, problem, shown_hint, detail))
    zh, en = render.title(exercise, name, False)
    raise CheckFailed(f"{zh} / {en}")
