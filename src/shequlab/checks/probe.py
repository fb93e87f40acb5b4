"""Build-time probe, run in the solution's kernel just before an answer cell (never by trainees).

For the solution and for each recorded wrong answer it runs the answer on a copy of the namespace,
then either records the fingerprints the test cell's check() calls compute (mode "seal") or
whether the visible part and the hidden part of the test cell each fail (mode "measure").
"""

from __future__ import annotations

import json
from typing import Any

from shequlab.checks import core

MARKER = "SHEQULAB-PROBE:"


def _copy_namespace(user_ns: dict[str, Any]) -> dict[str, Any]:
    """A namespace the answer may change freely (tables and series copied, the rest shared)."""
    import pandas as pd

    return {
        k: v.copy() if isinstance(v, (pd.DataFrame, pd.Series)) else v for k, v in user_ns.items()
    }


def _raises(code: str, ns: dict[str, Any], label: str) -> bool:
    try:
        exec(compile(code, label, "exec"), ns)  # authored course code, at build time
    except BaseException:  # any failure scores zero in nbgrader
        return True
    return False


def _one(answer: str, visible: str, hidden: str, mode: str, ns: dict[str, Any]) -> dict[str, Any]:
    answer_error = _raises(answer, ns, "<answer>")
    if answer_error and mode == "seal":
        return {"answer_error": True}
    if mode == "seal":
        core._recording = []
        try:
            raised = _raises(visible, ns, "<visible>")
            return {
                "fingerprints": {r["name"]: r["fingerprint"] for r in core._recording},
                "guards": {r["name"]: r["guard"] for r in core._recording},
                "visible_error": raised,
            }
        finally:
            core._recording = None
    core._quiet = True
    try:  # after an answer that raises the tests still run, as in nbgrader (which runs every cell)
        return {
            **({"answer_error": True} if answer_error else {}),
            "visible": _raises(visible, dict(ns), "<visible>"),
            "hidden": _raises(hidden, dict(ns), "<hidden>"),
        }
    finally:
        core._quiet = False


def probe(spec_json: str) -> None:
    """Print MARKER + JSON: results for the solution ("right") and each wrong answer, in order."""
    from IPython import get_ipython

    spec = json.loads(spec_json)
    user_ns = get_ipython().user_ns
    args = (spec["visible"], spec["hidden"], spec["mode"])
    result = {
        "right": _one(spec["solution"], *args, _copy_namespace(user_ns)),
        "wrong": [_one(code, *args, _copy_namespace(user_ns)) for code in spec["wrong"]],
    }
    print(MARKER + json.dumps(result))
