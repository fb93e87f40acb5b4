"""Small-cell suppression: a count below the threshold never reaches a published table or chart.

A count of 1–4 people in a cell ("1 resident of area X needs mental-health support") can single
someone out, so it is published as "<5" (onb-06 teaches the rule). Totals are published too, so one
hidden cell in a row could be recovered by subtraction: complementary suppression hides the next
smallest count of that row or column as well (or the total, when no other count is left), shown
as "×" — not "<5", which would be untrue of it. Zero is published: it says that nobody answered
so, which singles nobody out.

Masks are integer codes: SHOWN (0), SMALL (1, primary) and COVER (2, complementary).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_MIN_CELL = 5
SHOWN, SMALL, COVER = 0, 1, 2
COVER_LABEL = "×"


@dataclass(frozen=True)
class Suppression:
    """What one table hid: `primary` items below `min_cell`, `secondary` ones hidden beside them.

    `unit` says what the items are, so the report words it right: "cells" of a count table,
    "words" of a keyword table (words fewer than `min_cell` respondents used), "measures" of a
    pre/post comparison (measures fewer than `min_cell` respondents answered in both waves).
    """

    table: str
    min_cell: int
    primary: int
    secondary: int
    unit: str = "cells"

    @property
    def cells(self) -> int:
        return self.primary + self.secondary

    def describe(self) -> str:
        """One bilingual sentence for the report's methods section."""
        k = self.min_cell
        if self.unit == "words":
            return (
                f"{self.table}：{self.primary} 个少于 {k} 人提到的词未列出 / {self.primary} "
                f"words mentioned by fewer than {k} respondents are not listed"
            )
        if self.unit == "measures":
            return (
                f"{self.table}：{self.primary} 个指标两次都回答的人少于 {k} 人，不公布结果 / "
                f"{self.primary} measures answered in both waves by fewer than {k} respondents "
                "are not published"
            )
        return (
            f"{self.table}：{self.primary} 个少于 {k} 人的格子显示为“<{k}”"
            f"，另有 {self.secondary} 个格子为防止由合计反推而隐去（显示为“{COVER_LABEL}”）/ "
            f"{self.primary} cells under {k} shown as “<{k}”, "
            f"{self.secondary} more hidden (“{COVER_LABEL}”) so they cannot be recovered from "
            "the totals"
        )


def label(min_cell: int, code: int = SMALL) -> str:
    """What a hidden cell shows: "<k" for a small count, "×" for a cell hidden to cover one."""
    return f"<{min_cell}" if code == SMALL else COVER_LABEL


def check_min_cell(min_cell: int) -> int:
    if int(min_cell) < 1:
        raise ValueError("min_cell must be at least 1 (1 hides nothing)")
    return int(min_cell)


def small(counts: np.ndarray, min_cell: int) -> np.ndarray:
    """Primary suppression: counts from 1 to min_cell - 1."""
    return (counts > 0) & (counts < min_cell)


def _protect_line(counts: np.ndarray, hidden: np.ndarray, total_hidden: bool) -> int | None:
    """In one line (cells whose sum is a published total), the index of a further cell to hide
    when exactly one is hidden; -1 means hide the total; None means the line is safe."""
    hidden_count = int(hidden.sum()) + int(total_hidden)
    if hidden_count != 1 or total_hidden:
        return None
    candidates = [i for i in range(len(counts)) if not hidden[i] and counts[i] > 0]
    if not candidates:
        return -1
    return min(candidates, key=lambda i: (counts[i], i))


def suppress_matrix(counts: np.ndarray, min_cell: int, totals: bool = True) -> tuple:
    """Hide small cells of a 1-D or 2-D array of counts and, with published `totals`, the cells
    that would let them be recovered. Returns codes (SHOWN, SMALL, COVER) of the cells, the row
    totals, the column totals and the grand total, and the numbers of primary and secondary
    cells."""
    min_cell = check_min_cell(min_cell)
    grid = np.atleast_2d(np.asarray(counts, dtype=float))
    hidden = small(grid, min_cell)
    row_tot, col_tot = grid.sum(axis=1), grid.sum(axis=0)
    grand = grid.sum()
    row_hidden, col_hidden = small(row_tot, min_cell), small(col_tot, min_cell)
    grand_hidden = bool(small(np.array([grand]), min_cell)[0])
    primary = int(hidden.sum())
    changed = totals
    while changed:
        changed = False
        for r in range(grid.shape[0]):
            pick = _protect_line(grid[r], hidden[r], bool(row_hidden[r]))
            if pick is not None:
                changed = True
                if pick < 0:
                    row_hidden[r] = True
                else:
                    hidden[r, pick] = True
        if grid.shape[0] > 1:
            for c in range(grid.shape[1]):
                pick = _protect_line(grid[:, c], hidden[:, c], bool(col_hidden[c]))
                if pick is not None:
                    changed = True
                    if pick < 0:
                        col_hidden[c] = True
                    else:
                        hidden[pick, c] = True
            for margin, margin_hidden in ((row_tot, row_hidden), (col_tot, col_hidden)):
                pick = _protect_line(margin, margin_hidden, grand_hidden)
                if pick is not None:
                    changed = True
                    if pick < 0:
                        grand_hidden = True
                    else:
                        margin_hidden[pick] = True
    codes = np.where(small(grid, min_cell), SMALL, np.where(hidden, COVER, SHOWN))
    margins = [
        np.where(small(m, min_cell), SMALL, np.where(h, COVER, SHOWN))
        for m, h in ((row_tot, row_hidden), (col_tot, col_hidden))
    ]
    grand_code = SMALL if small(np.array([grand]), min_cell)[0] else COVER if grand_hidden else 0
    secondary = int(hidden.sum()) - primary
    if np.ndim(counts) == 1:
        codes = codes[0]
    return codes, margins[0], margins[1], int(grand_code), primary, secondary


def suppress_sums(
    counts: dict[str, int],
    sums: list[tuple[str, ...]],
    min_cell: int = DEFAULT_MIN_CELL,
    title: str = "",
    published: frozenset[str] = frozenset(),
) -> tuple[dict[str, int], Suppression]:
    """Codes for counts tied by sums — each tuple of `sums` is (total, *parts), e.g.
    ("pre", "both", "pre only") — so no hidden count can be worked out from the others: while a
    sum has exactly one hidden member, its smallest shown member is hidden too (COVER; a zero only
    when no other is left, since a shown zero would give the hidden count away as well).
    `published` counts are shown elsewhere in the report anyway (a wave's size): they are never
    hidden, so they cannot serve as cover either."""
    min_cell = check_min_cell(min_cell)
    codes = {
        k: SMALL if 0 < v < min_cell and k not in published else SHOWN for k, v in counts.items()
    }
    changed = True
    while changed:
        changed = False
        for line in sums:
            if sum(codes[k] != SHOWN for k in line) != 1:
                continue
            free = [k for k in line if codes[k] == SHOWN and k not in published]
            if free:  # the smallest non-zero count; a zero only when nothing else is left
                pick = min(free, key=lambda k: (counts[k] == 0, counts[k], line.index(k)))
                codes[pick] = COVER
                changed = True
    primary = sum(c == SMALL for c in codes.values())
    secondary = sum(c == COVER for c in codes.values())
    return codes, Suppression(title, min_cell, primary, secondary)


def suppress_counts(
    counts: pd.Series, min_cell: int = DEFAULT_MIN_CELL, title: str = "", totals: bool = True
) -> tuple[pd.Series, Suppression]:
    """A Series of counts → (codes of its entries, what was hidden). With `totals` the sum of
    the Series is published beside it (a valid n), so one hidden count gets a companion."""
    hidden, _, _, _, primary, secondary = suppress_matrix(
        counts.to_numpy(dtype=float), min_cell, totals
    )
    mask = pd.Series(hidden, index=counts.index)
    return mask, Suppression(title, min_cell, primary, secondary)


def suppress_table(
    counts: pd.DataFrame, min_cell: int = DEFAULT_MIN_CELL, title: str = "", totals: bool = True
) -> tuple[pd.DataFrame, pd.Series, pd.Series, bool, Suppression]:
    """A 2-D table of counts → (codes of the cells, of the row totals, of the column totals, of
    the grand total, what was hidden), with row and column totals published when `totals`."""
    cells, rows, cols, grand, primary, secondary = suppress_matrix(
        counts.to_numpy(dtype=float), min_cell, totals
    )
    return (
        pd.DataFrame(cells, index=counts.index, columns=counts.columns),
        pd.Series(rows, index=counts.index),
        pd.Series(cols, index=counts.columns),
        grand,
        Suppression(title, min_cell, primary, secondary),
    )


def hide(values: pd.Series | pd.DataFrame, codes, min_cell: int):
    """Display values (strings) with hidden ones replaced: "<k" (small) or "×" (cover). `codes`
    may also be a boolean mask (True = small)."""
    codes = codes.astype(int) if hasattr(codes, "astype") else int(codes)
    out = values.astype(object).mask(codes == SMALL, label(min_cell))
    return out.mask(codes == COVER, COVER_LABEL)
