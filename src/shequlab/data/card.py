"""The generated part of the data card (datasets/README.md): one section per table, with sample
rows taken from the data, so the card can never disagree with the CSVs."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from shequlab.data.schema import Table

BEGIN = "<!-- BEGIN GENERATED TABLES (shequlab data generate) -->"
END = "<!-- END GENERATED TABLES -->"
SAMPLE_COLUMNS = 8


def tables_section(tables: list[Table], frames: dict[str, pd.DataFrame], csv_dir: Path) -> str:
    """Markdown for every table: meaning of a row, size, keys and three sample rows."""
    parts = [BEGIN]
    for t in tables:
        df = pd.read_csv(csv_dir / f"{t.name}.csv", dtype=str, keep_default_na=False)
        keys = ", ".join(t.primary_key)
        links = "; ".join(f"{', '.join(fk.fields)} → {fk.resource}" for fk in t.foreign_keys)
        parts += [
            f"\n### `{t.name}` — {t.zh} / {t.en}\n",
            f"{t.row_zh}  \n{t.row_en}\n",
            f"- {len(frames[t.name])} 行 rows, {len(t.fields)} 列 columns; "
            f"主键 key: `{keys}`" + (f"; 关联 links: {links}" if links else ""),
            "",
            _sample(df),
        ]
    parts.append(END)
    return "\n".join(parts) + "\n"


def _sample(df: pd.DataFrame) -> str:
    cols = list(df.columns[:SAMPLE_COLUMNS])
    more = len(df.columns) - len(cols)
    head = cols + ([f"… +{more}"] if more else [])
    rows = [head, ["---"] * len(head)]
    for _, r in df.head(3).iterrows():
        rows.append([str(r[c]).replace("|", "\\|") for c in cols] + (["…"] if more else []))
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


def update_card(card: Path, section: str) -> str:
    """Return the card text with its generated block replaced (or appended if absent)."""
    text = card.read_text(encoding="utf-8") if card.exists() else ""
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END) + "\n?", re.S)
    if pattern.search(text):
        return pattern.sub(lambda _m: section, text)
    return text.rstrip("\n") + "\n\n" + section
