"""Which explanation fits an exception: one function per kind of error, most specific first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shequlab.friendly.advice import Advice, Context
from shequlab.friendly.lookup import (
    explain_attribute,
    explain_file,
    explain_key,
    explain_module,
    explain_name,
)
from shequlab.friendly.syntax import explain_syntax
from shequlab.friendly.values import explain_decode, explain_index, explain_type, explain_value

# Order matters where one kind is a subclass of another (UnicodeDecodeError is a ValueError,
# ModuleNotFoundError an ImportError, IndentationError a SyntaxError).
EXPLAINERS: list[tuple[type[BaseException], Callable[[Any, Context], Advice | None]]] = [
    (SyntaxError, lambda exc, ctx: explain_syntax(exc)),
    (ModuleNotFoundError, explain_module),
    (NameError, explain_name),
    (KeyError, explain_key),
    (AttributeError, explain_attribute),
    (FileNotFoundError, explain_file),
    (TypeError, explain_type),
    (UnicodeDecodeError, explain_decode),
    (ValueError, explain_value),
    (IndexError, explain_index),
]


def explain(exc: BaseException, ctx: Context) -> Advice | None:
    """A bilingual explanation of `exc`, or None when we have nothing better than Python's.

    Exceptions that render their own traceback (`_render_traceback_`, e.g. a check's friendly
    failure) and assertion failures are left as they are.
    """
    if hasattr(exc, "_render_traceback_") or isinstance(exc, AssertionError):
        return None
    for kind, explainer in EXPLAINERS:
        if isinstance(exc, kind):
            return explainer(exc, ctx)
    return None
