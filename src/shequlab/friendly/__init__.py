"""Friendly errors in trainees' kernels: an IPython extension that explains beginners' errors.

When a cell fails with an error a beginner meets often (Chinese punctuation in code, a
misspelled column, a condition without brackets, a name from a cell that failed …), the kernel
first shows a short bilingual box — what went wrong and the concrete fix — with the full
traceback folded in a <details> box (and in the text/plain fallback), then the usual error
output, whose traceback is cut to its last line. The error output keeps its `ename` and
`evalue`, so anything that reads errors (nbgrader, Validate) sees the same error as before.
Other errors (and every AssertionError: check failures) are shown exactly as IPython shows them.

Loaded only where trainees work: the kernels of `make start`'s JupyterLab and of the hub's
trainee servers (`shequlab.friendly.kernelspec`); never in grading kernels (nbgrader's own,
`shequlab grade`'s sandbox) nor in the Voila app kernels. Importing this module is cheap: the
explanations (and difflib, ast, pandas look-ups) are imported at the first error.

Why not friendly-traceback: friendly-traceback 0.7.61 / friendly 0.7.21 / friendly-pandas
0.1.3 (their last releases, 2022-23) were tried in this venv (Python 3.11, IPython 9, ipykernel
7, pandas 3). See CONTRIBUTING.md ("Friendly errors") for what we found.
"""

from __future__ import annotations

from typing import Any

_ATTR = "_shequlab_friendly"


class FailedCells:
    """Which cell last failed while it was to define each name (for NameError's advice)."""

    def __init__(self) -> None:
        self.names: dict[str, int] = {}

    def after_cell(self, result: Any) -> None:
        if result.success:
            return
        from shequlab.friendly.lookup import assigned_names

        raw = getattr(result.info, "raw_cell", None) or ""
        count = result.execution_count
        for name in assigned_names(raw):
            self.names[name] = count


def load_ipython_extension(shell: Any) -> None:
    """`%load_ext shequlab.friendly`: explain errors from now on (loading twice is harmless)."""
    if getattr(shell, _ATTR, None) is not None:
        return
    original = shell._showtraceback  # ipykernel's: sends the error message
    failed = FailedCells()

    def showtraceback(etype: type, evalue: BaseException, stb: list[str]) -> Any:
        try:
            from shequlab.friendly.show import display_advice

            stb = display_advice(shell, evalue, stb, failed.names)
        except Exception:  # never let an explanation hide the error itself
            pass
        return original(etype, evalue, stb)

    shell._showtraceback = showtraceback
    shell.events.register("post_run_cell", failed.after_cell)
    setattr(shell, _ATTR, (showtraceback, failed))


def unload_ipython_extension(shell: Any) -> None:
    """`%unload_ext shequlab.friendly`: errors look as IPython shows them again."""
    state = getattr(shell, _ATTR, None)
    if state is None:
        return
    showtraceback, failed = state
    if shell.__dict__.get("_showtraceback") is showtraceback:
        del shell._showtraceback
    shell.events.unregister("post_run_cell", failed.after_cell)
    setattr(shell, _ATTR, None)
