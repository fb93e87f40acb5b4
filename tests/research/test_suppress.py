"""Small-cell suppression: cells under the threshold hidden, and cells that would reveal them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shequlab.research import stats
from shequlab.research.suppress import COVER, SHOWN, SMALL, suppress_matrix


def test_small_cells_are_hidden_with_a_cover_cell_so_the_total_gives_nothing_away() -> None:
    answers = pd.Series(["A"] * 50 + ["B"] * 30 + ["C"] * 3 + ["D"] * 12)
    found = stats.frequencies(answers, "q")
    shown = dict(zip(found.table["选项 option"], found.table["人数 n"], strict=True))
    assert shown["C"] == "<5"  # primary
    assert shown["D"] == "×"  # the next smallest, else C = total − A − B − D
    assert shown["A"] == "50" and shown["合计 valid total"] == "95"
    assert found.suppressed[0].primary == 1 and found.suppressed[0].secondary == 1
    assert "3" not in found.table.to_numpy().ravel().tolist()


def test_threshold_is_configurable() -> None:
    answers = pd.Series(["A"] * 50 + ["B"] * 8 + ["C"] * 9)
    assert "<10" in stats.frequencies(answers, "q", min_cell=10).table["人数 n"].tolist()
    assert "<5" not in stats.frequencies(answers, "q").table["人数 n"].tolist()


def test_every_row_and_column_with_a_hidden_cell_has_at_least_two() -> None:
    counts = np.array([[40, 3, 20], [35, 30, 2], [25, 18, 22]])
    codes, _rows, _cols, _grand, primary, secondary = suppress_matrix(counts, 5)
    assert primary == 2
    for line in [*codes, *codes.T]:
        assert (line != SHOWN).sum() != 1
    assert (codes == SMALL).sum() == 2 and (codes == COVER).sum() == secondary


def test_zero_is_published_and_totals_under_the_threshold_are_hidden() -> None:
    codes, rows, _cols, _grand, _primary, _ = suppress_matrix(np.array([[0, 2], [10, 20]]), 5)
    assert codes[0, 0] == SHOWN and codes[0, 1] == SMALL and rows[0] == SMALL


def test_crosstab_and_its_chart_publish_no_small_count() -> None:
    rows = pd.Series(["a"] * 40 + ["b"] * 40 + ["c"] * 3, name="r")
    cols = pd.Series((["x", "y"] * 20) + (["x"] * 30 + ["y"] * 10) + ["x", "y", "y"], name="c")
    found = stats.crosstab(rows, cols, "t")
    cells = found.table.set_index("r \\ c")
    assert cells.loc["c", "x"] == "<5" and cells.loc["c", "合计 total"] == "<5"
    assert found.suppressed[0].cells >= 2
