"""Show an explanation in the kernel, just before the error message it explains."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shequlab.friendly.advice import Context
from shequlab.friendly.explain import explain
from shequlab.friendly.render import to_html, to_plain

RED = "\x1b[0;31m"
RESET = "\x1b[0m"


def display_advice(
    shell: Any, evalue: BaseException, stb: list[str], failed: Mapping[str, int]
) -> list[str]:
    """Display the bilingual box for `evalue` if we have one; return the traceback to send.

    With a box, the error message's traceback is cut to its last line (`KeyError: 'x'`) for
    errors raised while running, since the box holds the whole traceback; a syntax error keeps
    its few lines, whose ^ marks the place. Without a box, `stb` is returned unchanged.
    """
    advice = explain(evalue, Context(user_ns=shell.user_ns, failed_cells=failed))
    if advice is None:
        return stb
    from IPython.display import display

    bundle = {"text/html": to_html(advice, stb), "text/plain": to_plain(advice, stb)}
    display(bundle, raw=True, metadata={"shequlab": {"friendly": type(evalue).__name__}})
    if isinstance(evalue, SyntaxError):
        return stb
    return [f"{RED}{type(evalue).__name__}{RESET}: {evalue}"]
