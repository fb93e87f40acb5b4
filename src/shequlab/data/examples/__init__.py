"""Example exports for the research workspace: synthetic surveys in a survey platform's shapes.

`shequlab data generate` writes them into ``datasets/examples/`` beside the sample tables, from
the same seed and the same building groups, so they agree with the tables and are reproducible
byte for byte. ``EXAMPLE_FILES`` names every file; what each holds is in the data card.
"""

from __future__ import annotations

from pathlib import Path

from shequlab.data.common import Context
from shequlab.data.examples import needs_survey, project_eval
from shequlab.data.examples.workbook import write_gbk_csv, write_workbook

FOLDER = "examples"
NEEDS_SURVEY_XLSX = "xinhua_needs_survey_2017.xlsx"
NEEDS_SURVEY_GBK_CSV = "xinhua_needs_survey_2017_gbk.csv"
PROJECT_EVAL_PRE = "project_eval_2017_pre.xlsx"
PROJECT_EVAL_POST = "project_eval_2017_post.xlsx"
EXAMPLE_FILES = (NEEDS_SURVEY_XLSX, NEEDS_SURVEY_GBK_CSV, PROJECT_EVAL_PRE, PROJECT_EVAL_POST)


def write_examples(ctx: Context, folder: Path) -> list[Path]:
    """Write every example export into `folder` (which must exist); return the files written."""
    header, rows = needs_survey.build(ctx)
    written = [
        write_workbook(folder / NEEDS_SURVEY_XLSX, header, rows),
        write_gbk_csv(folder / NEEDS_SURVEY_GBK_CSV, header, rows),
    ]
    waves = project_eval.build(ctx)
    written.append(write_workbook(folder / PROJECT_EVAL_PRE, *waves["pre"]))
    written.append(write_workbook(folder / PROJECT_EVAL_POST, *waves["post"]))
    return written
