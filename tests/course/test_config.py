"""grading/nbgrader_config.py only sets options that nbgrader 0.9.6 really has."""

from __future__ import annotations

from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.converters import GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default.exchange import Exchange
from nbgrader.preprocessors import (
    ClearHiddenTests,
    ClearSolutions,
    Execute,
    IgnorePattern,
    OverwriteCells,
)

from shequlab.autograder.hidden_tests import HideHiddenTests
from shequlab.layout.course import load_course_config

GRADING = Path(__file__).resolve().parents[2] / "grading"
CLASSES = {
    cls.__name__: cls
    for cls in (
        CourseDirectory,
        Exchange,
        ClearSolutions,
        ClearHiddenTests,
        Execute,
        IgnorePattern,
        OverwriteCells,
        GenerateFeedback,
    )
}


def test_every_option_exists() -> None:
    config = load_course_config(GRADING)
    for section, values in config.items():
        traits = CLASSES[section].class_traits(config=True)
        for name in values:
            assert name in traits, f"{section}.{name} is not an nbgrader 0.9.6 option"


def test_key_settings() -> None:
    c = load_course_config(GRADING)
    assert c.CourseDirectory.course_id == "shequlab"
    assert c.CourseDirectory.root == str(GRADING)
    assert c.IgnorePattern.enabled and c.OverwriteCells.add_missing_cells
    assert "在此作答" in c.ClearSolutions.code_stub["python"]
    assert HideHiddenTests in c.GenerateFeedback.preprocessors
    assert CSSHTMLHeaderPreprocessor in c.GenerateFeedback.preprocessors
