"""Visible checks for trainees' kernels: verify an answer's value by its fingerprint, kindly.

A graded test cell calls `check(name, value, exercise=..., <spec>)`. `shequlab course build` seals
each call with the fingerprint of the solution's value and of every known wrong value
(wrong_answers.yml); the trainee then sees ✔ or a bilingual ✘ box naming the misconception.
A failing check raises CheckFailed, so the cell still has an error output for nbgrader.
Imports only the standard library at import time (pandas and IPython when a check runs).
"""

from __future__ import annotations

from shequlab.checks.core import CheckFailed, CheckNotSealed, check

__all__ = ["CheckFailed", "CheckNotSealed", "check"]
