"""What an explanation is made of, and the look-ups several explanations share (closest names)."""

from __future__ import annotations

import difflib
import linecache
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

MAX_CANDIDATES = 5000  # names compared with difflib: a long index must not slow the error down
MAX_LISTED = 12  # column names listed when none is close

Bilingual = tuple[str, str]  # (Chinese, English); `backticks` mark code


@dataclass
class Advice:
    """A short bilingual explanation of one error: a title and a few hints, Chinese first."""

    title: Bilingual
    hints: list[Bilingual] = field(default_factory=list)


@dataclass
class Context:
    """What the kernel knows when an error is shown, beyond the exception itself."""

    user_ns: Mapping[str, Any] = field(default_factory=dict)
    failed_cells: Mapping[str, int] = field(default_factory=dict)  # name → cell that failed

    def user_names(self) -> list[str]:
        """Names the trainee defined (IPython's own `In`, `Out`, `_1` … left out)."""
        hidden = {"In", "Out", "exit", "quit", "get_ipython", "open"}
        return [n for n in self.user_ns if not n.startswith("_") and n not in hidden]

    def dataframes(self) -> list[Any]:
        """The pandas DataFrames among the trainee's variables (pandas is never imported here)."""
        pandas = sys.modules.get("pandas")
        if pandas is None:
            return []
        return [
            v for n, v in self.user_ns.items() if isinstance(v, pandas.DataFrame) and n[:1] != "_"
        ]


def closest(word: str, candidates: Iterable[Any], n: int = 1) -> list[str]:
    """The candidates nearest to `word` (difflib), best first; case differences count little."""
    names = []
    for i, c in enumerate(candidates):
        if i >= MAX_CANDIDATES:
            break
        if isinstance(c, str) and c != word:
            names.append(c)
    by_lower = {c.lower(): c for c in reversed(names)}
    exact_case = [by_lower[word.lower()]] if word.lower() in by_lower else []
    found = difflib.get_close_matches(word.lower(), list(by_lower), n=n, cutoff=0.6)
    return (exact_case + [by_lower[f] for f in found if by_lower[f] not in exact_case])[:n]


def listing(names: Iterable[Any]) -> str:
    """`a`, `b`, … for a hint: at most MAX_LISTED names."""
    names = [str(n) for n in names]
    shown = ", ".join(f"`{n}`" for n in names[:MAX_LISTED])
    return shown + (" …" if len(names) > MAX_LISTED else "")


def frames(tb: TracebackType | None) -> list[tuple[Any, int]]:
    """(frame, line number) of each step of a traceback, outermost first."""
    steps = []
    while tb is not None:
        steps.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    return steps


def is_cell(filename: str) -> bool:
    """Whether code comes from a notebook cell (IPython names cells <ipython-input-…> or
    /tmp/ipykernel_<pid>/<hash>.py), not from a library."""
    return filename.startswith("<ipython-input") or "/ipykernel_" in filename


def cell_line(exc: BaseException) -> str:
    """The line of the trainee's cell where the error happened (the last cell frame), or ''."""
    line = ""
    for frame, lineno in frames(exc.__traceback__):
        filename = frame.f_code.co_filename
        if is_cell(filename):
            line = linecache.getline(filename, lineno).strip()
    return line


def pandas_owner(exc: BaseException) -> Any:
    """The DataFrame, Series or Index a pandas error was raised in (from the traceback's frames:
    the first pandas method whose `self` or `obj` is one), or None."""
    pandas = sys.modules.get("pandas")
    if pandas is None:
        return None
    kinds = (pandas.DataFrame, pandas.Series, pandas.Index)
    for frame, _ in frames(exc.__traceback__):
        if is_cell(frame.f_code.co_filename):
            continue
        for name in ("self", "obj", "frame"):
            value = frame.f_locals.get(name)
            if isinstance(value, kinds):
                return value
            inner = getattr(value, "obj", None)  # df.loc[…]: the indexer holds the frame
            if name == "self" and isinstance(inner, kinds):
                return inner
    return None
