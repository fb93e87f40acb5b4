"""Shared fixtures for the data tests: every table, loaded once with its schema's dtypes."""

from __future__ import annotations

import pandas as pd
import pytest

from shequlab.data.generate import TABLES
from shequlab.data.load import load_table


@pytest.fixture(scope="session")
def tables() -> dict[str, pd.DataFrame]:
    return {t.name: load_table(t.name) for t in TABLES}
