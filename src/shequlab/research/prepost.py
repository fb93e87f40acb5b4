"""Pre/post evaluation: how many respondents the two waves share, and their paired comparison."""

from __future__ import annotations

import pandas as pd

from shequlab.research.findings import Finding, count
from shequlab.research.scales import paired_comparison
from shequlab.research.suppress import Suppression, label
from shequlab.research.workspace import Workspace

KEY = "respondent"


def matching(ws: Workspace, pre: str = "pre", post: str = "post") -> Finding:
    """Respondents in each wave and in both (the paired comparison uses only those in both)."""
    a, b = set(ws.tables[pre][KEY]), set(ws.tables[post][KEY])
    counts = {
        "前测 pre": len(a),
        "后测 post": len(b),
        "两次都参加 both (matched)": len(a & b),
        "只有前测 pre only": len(a - b),
        "只有后测 post only": len(b - a),
    }
    hidden = {k: 0 < v < ws.min_cell for k, v in counts.items()}
    table = pd.DataFrame(
        {
            "受访者 respondents": list(counts),
            "人数 n": [label(ws.min_cell) if hidden[k] else count(v) for k, v in counts.items()],
        }
    )
    notes = [
        "按受访者编号配对（原配对键已换成 R0001… 编号）/ matched by respondent key, "
        "replaced by pseudonyms R0001…"
    ]
    found = Finding(
        "前后测配对 Matching the two waves",
        table,
        None,
        notes,
        [Suppression("前后测配对 matching", ws.min_cell, sum(hidden.values()), 0)],
    )
    ws.findings.append(found)
    return found


def paired(ws: Workspace, pre: str = "pre", post: str = "post", title: str = "") -> Finding:
    """Every rating item and numeric question compared between the waves, respondent by
    respondent."""
    labels: dict[str, str] = {}
    for row in ws.codebook.itertuples(index=False):
        if row.type in ("likert", "numeric") and row.columns:
            labels[row.columns[0]] = f"{row.question}. {row.text}"
    a = ws.tables[pre].set_index(KEY)[list(labels)].astype("Float64").astype(float)
    b = ws.tables[post].set_index(KEY)[list(labels)].astype("Float64").astype(float)
    found = paired_comparison(a, b, title or "评分 ratings", labels, ws.min_cell)
    ws.findings.append(found)
    return found
