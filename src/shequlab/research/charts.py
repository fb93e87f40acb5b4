"""Charts of published tables only: hidden (small) cells are left out and labelled, never drawn.

Each function takes values already passed through suppression, plus the mask of hidden ones, and
draws on a bare matplotlib Figure with a CJK font (shequlab.widgets.charts), no pyplot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from shequlab.research.suppress import label
from shequlab.widgets.charts import figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BAR = "#5b7a99"
PALETTE = ["#b71c1c", "#e57373", "#bdbdbd", "#64b5f6", "#1565c0", "#6a1b9a", "#2e7d32", "#ef6c00"]


def _hidden_note(ax, min_cell: int) -> None:
    text = (
        f"{label(min_cell)}：人数少于 {min_cell}，不公布；×：为防反推而隐去 / fewer than "
        f"{min_cell}, not published; ×: hidden so it cannot be recovered"
    )
    ax.text(0, -0.16, text, transform=ax.transAxes, fontsize=7, color="grey", va="top")


def share_bars(
    shares: pd.Series, hidden: pd.Series, min_cell: int, title: str = "", xlabel: str = ""
) -> Figure:
    """Horizontal bars of shares (0–1); a hidden share (code in `hidden`, see suppress) gets no
    bar, only its "<k" or "×" label."""
    fig, ax = figure(7.0, max(2.4, 0.34 * len(shares) + 1.2))
    labels = [str(i) for i in shares.index]
    codes = hidden.to_numpy().astype(int)
    values = np.where(codes > 0, 0.0, shares.to_numpy(dtype=float)) * 100
    ax.barh(labels, values, color=BAR)
    for y, (value, code) in enumerate(zip(values, codes, strict=True)):
        text = label(min_cell, code) if code else f"{value:.1f}%"
        ax.text(value + 0.5, y, text, va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, max(10.0, float(np.nanmax(values, initial=0)) * 1.15))
    ax.set_xlabel(xlabel or "百分比 percent (%)")
    ax.set_title(title, fontsize=10)
    if codes.any():
        _hidden_note(ax, min_cell)
    return fig


def stacked_shares(
    shares: pd.DataFrame, hidden: pd.DataFrame, min_cell: int, title: str = ""
) -> Figure:
    """One 100% bar per row, its columns stacked; hidden cells leave a gap (not drawn)."""
    fig, ax = figure(7.5, max(2.4, 0.4 * len(shares) + 1.4))
    labels = [str(i) for i in shares.index]
    left = np.zeros(len(shares))
    for i, column in enumerate(shares.columns):
        values = shares[column].to_numpy(dtype=float) * 100
        shown = np.where(hidden[column].to_numpy().astype(int) > 0, 0.0, values)
        colour = PALETTE[i % len(PALETTE)]
        ax.barh(labels, shown, left=left, color=colour, label=str(column))
        left = left + values  # the gap stays where the hidden cell would be
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("百分比 percent (%)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, ncols=min(len(shares.columns), 5), loc="upper center",
              bbox_to_anchor=(0.5, -0.22))  # fmt: skip
    if hidden.to_numpy().astype(int).any():
        ax.text(0, 1.02, f"空白：人数少于 {min_cell}，不公布 / gaps: fewer than {min_cell}",
                transform=ax.transAxes, fontsize=7, color="grey")  # fmt: skip
    return fig


def differences(
    labels: list[str], estimates: list[float], low: list[float], high: list[float], title: str = ""
) -> Figure:
    """Mean differences with their 95% confidence intervals around a zero line."""
    fig, ax = figure(7.0, max(2.2, 0.45 * len(labels) + 1.2))
    ys = np.arange(len(labels))
    est = np.asarray(estimates, dtype=float)
    err = np.vstack([est - np.asarray(low, dtype=float), np.asarray(high, dtype=float) - est])
    ax.errorbar(est, ys, xerr=err, fmt="o", color=PALETTE[4], capsize=4)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(ys, labels)
    ax.invert_yaxis()
    ax.set_xlabel("后测 − 前测（95% 置信区间） post − pre (95% CI)")
    ax.set_title(title, fontsize=10)
    return fig
