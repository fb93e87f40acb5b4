"""`shequlab data describe TABLE`: what a row means, each column, and a few sample rows."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table as RichTable

from shequlab.data.load import load_table, resource


def describe_table(table: str, console: Console | None = None) -> int:
    """Print a readable summary of one table; returns the exit code."""
    console = console or Console()
    try:
        res = resource(table)
    except KeyError as err:
        console.print(f"[red]{err.args[0]}[/red]")
        return 2
    df = load_table(table)
    console.print(f"[bold]{res['title']} / {res['title_en']}[/bold]  ({res['path']})")
    console.print(res["description"])
    console.print(f"{len(df)} 行 rows × {df.shape[1]} 列 columns\n")
    cols = RichTable("column", "中文", "English", "type", "filled", "summary")
    for f in res["schema"]["fields"]:
        s = df[f["name"]]
        cols.add_row(
            f["name"],
            f["title"],
            f["title_en"],
            f["type"],
            f"{s.notna().mean():.0%}",
            _summary(s, f),
        )
    console.print(cols)
    sample = RichTable(*df.columns[:8], title="样例 sample rows")
    for _, row in df.head(3).iterrows():
        sample.add_row(*(str(v) for v in row.iloc[:8]))
    console.print(sample)
    return 0


def _summary(s: pd.Series, field: dict) -> str:
    """One line per column: range for numbers and dates, top values for categories."""
    s = s.dropna()
    if s.empty:
        return "—"
    if field["type"] in ("integer", "number", "date", "datetime"):
        extra = f", mean {s.mean():.1f}" if field["type"] in ("integer", "number") else ""
        unit = f" {field['unit']}" if "unit" in field else ""
        return f"{s.min()} … {s.max()}{unit}{extra}"
    if field["type"] == "boolean":
        return f"true {s.mean():.0%}"
    top = s.value_counts().head(3)
    distinct = s.nunique()
    if distinct == len(s):
        return f"unique, e.g. {s.iloc[0]}"
    return f"{distinct} values: " + ", ".join(f"{k} ({v})" for k, v in top.items())
