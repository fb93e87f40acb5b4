"""nbgrader course config for shequlab, read by `nbgrader <cmd>` in grading/ and `shequlab course`.

Option names are nbgrader 0.9.6's; tests/course/test_config.py checks each one exists.
"""

import os
from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import GetGrades

from shequlab.autograder.hidden_tests import HideHiddenTests

c = get_config()  # noqa: F821 — injected by traitlets when it loads this file

HERE = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "shequlab"
c.CourseDirectory.root = str(HERE)
# The gradebook: gradebook.db here (nbgrader's default), or a server database, e.g.
# SHEQULAB_GRADEBOOK_URL=postgresql+psycopg://user:password@host/db (deploy/k8s/postgres.md).
if os.environ.get("SHEQULAB_GRADEBOOK_URL"):
    c.CourseDirectory.db_url = os.environ["SHEQULAB_GRADEBOOK_URL"]
# Only exercises.ipynb is graded; `shequlab course build` releases case.ipynb beside it,
# read-only, and nbgrader must neither execute it at autograde time nor list it in the gradebook.
# `shequlab grade` reads the graded notebooks from here too (any notebook_id, any number of them).
c.CourseDirectory.notebook_id = "exercises"

# Trainees fetch and submit through this folder (must exist and be writable by all).
c.Exchange.root = os.environ.get("SHEQULAB_EXCHANGE", str(HERE / "exchange"))

# Release: bilingual stubs where the solutions were; hidden tests removed (the default list of
# GenerateAssignment preprocessors already includes ClearHiddenTests; it stays enabled).
c.ClearSolutions.code_stub = {"python": "# 在此作答 YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "在此作答 YOUR ANSWER HERE"
c.ClearHiddenTests.enabled = True

# Autograde: a cell may run 30 s; a warning on stderr (e.g. pandas FutureWarning) must not zero a
# test, so IgnorePattern (off by default in 0.9.6) drops stderr streams that are warnings.
c.Execute.timeout = 30
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"\w*Warning\b"
# A trainee who deletes a test cell gets it back (otherwise it is silently left ungraded).
c.OverwriteCells.add_missing_cells = True

# Feedback: never show hidden tests — neither their source nor a traceback quoting them.
# (Classes, not dotted names: nbgrader 0.9.6 inspects the list's traits while configuring.)
c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]
