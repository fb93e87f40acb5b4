"""Tables that scroll sideways on a phone instead of breaking the page layout."""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

MAX_ROWS = 50


def table_html(df: pd.DataFrame, max_rows: int = MAX_ROWS) -> str:
    """The first `max_rows` rows as HTML in a horizontally scrolling box, with a row count."""
    shown = df.head(max_rows)
    body = shown.to_html(index=False, border=0, na_rep="", classes="shequlab-table", escape=True)
    more = (
        f'<div style="color:#5b6b7b;font-size:.85em">显示前 {max_rows} 行，共 {len(df)} 行 · '
        f"first {max_rows} of {len(df)} rows</div>"
        if len(df) > max_rows
        else ""
    )
    return (
        "<style>.shequlab-table{border-collapse:collapse;font-size:.9em}"
        ".shequlab-table th,.shequlab-table td{padding:3px 8px;border-bottom:1px solid #ddd;"
        "text-align:left;white-space:nowrap}</style>"
        f'<div style="overflow-x:auto;max-width:100%">{body}</div>{more}'
    )


def table(df: pd.DataFrame, max_rows: int = MAX_ROWS) -> widgets.HTML:
    """A table widget; set `.value = table_html(new_df)` to update it."""
    return widgets.HTML(table_html(df, max_rows), layout=widgets.Layout(width="100%"))


def format_columns(df: pd.DataFrame, formats: dict[str, str]) -> pd.DataFrame:
    """A copy with the named columns turned into text, e.g. {"share": "{:.1%}"}; NaN stays empty."""
    out = df.copy()
    for column, pattern in formats.items():
        out[column] = out[column].map(lambda v, p=pattern: "" if pd.isna(v) else p.format(v))
    return out


def key_figures(
    figures: dict[str, object], label: str = "指标 indicator", value: str = "数值 value"
) -> widgets.HTML:
    """A two-column table of headline figures: {"按时办结率 on time": "98.1%", ...}."""
    return table(pd.DataFrame({label: list(figures), value: [str(v) for v in figures.values()]}))
