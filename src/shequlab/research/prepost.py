"""Pre/post evaluation: how many respondents the two waves share, and their paired comparison."""

from __future__ import annotations

import pandas as pd

from shequlab.research.findings import Finding, count
from shequlab.research.scales import paired_comparison
from shequlab.research.suppress import COVER_LABEL, SHOWN, Suppression, label, suppress_sums
from shequlab.research.workspace import Workspace

KEY = "respondent"
PRE, POST, BOTH = "前测 pre", "后测 post", "两次都参加 both (matched)"
PRE_ONLY, POST_ONLY = "只有前测 pre only", "只有后测 post only"


def _matching(ws: Workspace, pre: str, post: str) -> tuple[dict, dict, Suppression]:
    """Counts of the matching table and their codes. pre = both + pre only and post = both +
    post only, and the waves' sizes are published in the methods section anyway, so a small
    "only" count hides the matched count too (else it follows by subtraction)."""
    a, b = set(ws.tables[pre][KEY]), set(ws.tables[post][KEY])
    counts = {PRE: len(a), POST: len(b), BOTH: len(a & b), PRE_ONLY: len(a - b),
              POST_ONLY: len(b - a)}  # fmt: skip
    codes, suppression = suppress_sums(
        counts, [(PRE, BOTH, PRE_ONLY), (POST, BOTH, POST_ONLY)], ws.min_cell,
        "前后测配对 matching", published=frozenset({PRE, POST}),
    )  # fmt: skip
    return counts, codes, suppression


def matching(ws: Workspace, pre: str = "pre", post: str = "post") -> Finding:
    """Respondents in each wave and in both (the paired comparison uses only those in both)."""
    counts, codes, suppression = _matching(ws, pre, post)
    table = pd.DataFrame(
        {
            "受访者 respondents": list(counts),
            "人数 n": [
                count(v) if codes[k] == SHOWN else label(ws.min_cell, codes[k])
                for k, v in counts.items()
            ],
        }
    )
    notes = [
        "按受访者编号配对（原配对键已换成 R0001… 编号）/ matched by respondent key, "
        "replaced by pseudonyms R0001…"
    ]
    found = Finding("前后测配对 Matching the two waves", table, None, notes, [suppression])
    ws.findings.append(found)
    return found


def paired(ws: Workspace, pre: str = "pre", post: str = "post", title: str = "") -> Finding:
    """Every rating item and numeric question compared between the waves, respondent by
    respondent. When the matching table had to hide the matched count, a measure's n equal to
    it is hidden here as well (it would give the matched count away)."""
    labels: dict[str, str] = {}
    for row in ws.codebook.itertuples(index=False):
        if row.type in ("likert", "numeric") and row.columns:
            labels[row.columns[0]] = f"{row.question}. {row.text}"
    a = ws.tables[pre].set_index(KEY)[list(labels)].astype("Float64").astype(float)
    b = ws.tables[post].set_index(KEY)[list(labels)].astype("Float64").astype(float)
    found = paired_comparison(a, b, title or "评分 ratings", labels, ws.min_cell)
    counts, codes, _ = _matching(ws, pre, post)
    if codes[BOTH] != SHOWN and "配对人数 n" in found.table:
        column = found.table["配对人数 n"]
        found.table["配对人数 n"] = column.mask(column == count(counts[BOTH]), COVER_LABEL)
        found.notes.append(
            f"两次都参加的人数已在配对表中隐去，这里等于它的配对人数显示为“{COVER_LABEL}”/ the "
            f"matched count is hidden in the matching table, so an n equal to it shows "
            f"“{COVER_LABEL}” here"
        )
    ws.findings.append(found)
    return found
