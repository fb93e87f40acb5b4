"""Expected errors: what a user can fix (a step forgotten, a bad file, a busy port).

Their message is bilingual and says what to do next; the `shequlab` command prints it and exits
non-zero, without a traceback. Any other exception is a bug, and shows its traceback.
"""

from __future__ import annotations


class ExpectedError(Exception):
    """Base of every expected error; `exit_code` is the command's exit status."""

    exit_code = 1
