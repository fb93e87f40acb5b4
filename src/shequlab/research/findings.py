"""A finding: a published table, its chart and notes — shown in the notebook, put in the report.

Every analysis helper returns a Finding. In JupyterLab it shows as HTML (title, table, chart,
notes). Its output also carries a JSON copy under `MIME`, which `shequlab research report` reads to
write real Word tables and images: the report is built from what the analysis published (already
suppressed), never from the data.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from shequlab.research.suppress import Suppression

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MIME = "application/vnd.shequlab.finding+json"

STYLE = (
    "border-collapse:collapse;font-size:13px;margin:6px 0",
    "border:1px solid #ccc;padding:3px 8px;text-align:left",
)


@dataclass
class Finding:
    """A published result: `table` holds display strings (hidden cells read "<k")."""

    title: str
    table: pd.DataFrame
    figure: Figure | None = None
    notes: list[str] = field(default_factory=list)
    suppressed: list[Suppression] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)  # unrounded values, for the analyst
    _png: bytes | None = field(default=None, repr=False)

    @property
    def png(self) -> bytes | None:
        """The chart as PNG (drawn once)."""
        if self._png is None and self.figure is not None:
            from shequlab.widgets.charts import figure_png

            self._png = figure_png(self.figure, dpi=110)
        return self._png

    def to_json(self) -> dict[str, Any]:
        """What the report needs: title, table (header + rows of strings), notes, chart."""
        return {
            "title": self.title,
            "columns": [str(c) for c in self.table.columns],
            "rows": [["" if pd.isna(v) else str(v) for v in row] for row in self.table.to_numpy()],
            "notes": list(self.notes),
            "suppressed": [s.describe() for s in self.suppressed if s.cells],
            "hidden_cells": sum(s.cells for s in self.suppressed),
            "min_cell": self.suppressed[0].min_cell if self.suppressed else None,
            "png": base64.b64encode(self.png).decode("ascii") if self.png else None,
        }

    def to_html(self) -> str:
        e = html.escape
        table_style, cell_style = STYLE
        head = "".join(f'<th style="{cell_style}">{e(str(c))}</th>' for c in self.table.columns)
        body = "".join(
            "<tr>" + "".join(f'<td style="{cell_style}">{e(v)}</td>' for v in row) + "</tr>"
            for row in self.to_json()["rows"]
        )
        parts = [f'<div class="shequlab-finding"><h3>{e(self.title)}</h3>']
        if len(self.table):  # a finding with nothing to tabulate says why in its notes
            parts.append(
                f'<table style="{table_style}"><thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>"
            )
        if self.png:
            data = base64.b64encode(self.png).decode("ascii")
            parts.append(
                f'<img alt="{e(self.title)}" style="max-width:100%" '
                f'src="data:image/png;base64,{data}">'
            )
        notes = [*self.notes, *(s.describe() for s in self.suppressed if s.cells)]
        if notes:
            parts.append("<ul>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
        return "".join(parts) + "</div>"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        return {"text/html": self.to_html(), MIME: self.to_json(), "text/plain": self.title}


def count(n: float) -> str:
    return f"{int(n)}"


def percent(x: float, digits: int = 1) -> str:
    return "" if pd.isna(x) else f"{100 * x:.{digits}f}%"


def number(x: float, digits: int = 2) -> str:
    return "" if pd.isna(x) else f"{x:.{digits}f}"


def p_value(p: float) -> str:
    return "" if pd.isna(p) else ("<0.001" if p < 0.001 else f"{p:.3f}")
