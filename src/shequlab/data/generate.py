"""`shequlab data generate`: rebuild every table and datapackage.json, byte for byte, from the seed.

The pipeline is a visible list of steps; each step reads the tables made before it (the order
matters only where a later table joins an earlier one) and adds its own. The example survey
exports (shequlab.data.examples) are drawn from the finished tables into datasets/examples/.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from rich.progress import Progress

from shequlab.data import examples
from shequlab.data.card import tables_section, update_card
from shequlab.data.common import SEED, Context
from shequlab.data.schema import DATETIME_FORMAT, Table, package_descriptor
from shequlab.data.tables import (
    cogovernance,
    foundation,
    grid,
    hotline,
    market,
    micro,
    people,
    place,
    privacy,
)
from shequlab.layout.project import datasets_dir

STEPS: list[tuple[str, Callable[[Context], None], list[Table]]] = [
    ("place", place.build, place.TABLES),
    ("people", people.build, people.TABLES),
    ("co-governance", cogovernance.build, cogovernance.TABLES),
    ("micro-governance", micro.build, micro.TABLES),  # before hotline: makeovers cut complaints
    ("hotline", hotline.build, hotline.TABLES),
    ("grid", grid.build, grid.TABLES),  # after hotline: some cases are hotline transfers
    ("market", market.build, market.TABLES),
    ("foundation", foundation.build, foundation.TABLES),  # after micro: grants co-fund projects
    ("privacy", privacy.build, privacy.TABLES),
]
TABLES: list[Table] = [t for _name, _build, tables in STEPS for t in tables]
TABLE_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}


def build_tables(seed: int = SEED, progress: bool = False) -> Context:
    """Run every step in order and return the context holding all tables."""
    ctx = Context(seed=seed)
    with Progress(transient=True, disable=not progress) as bar:
        task = bar.add_task("generating", total=len(STEPS))
        for name, step, _tables in STEPS:
            bar.update(task, description=f"generating {name}")
            step(ctx)
            bar.advance(task)
    return ctx


def to_csv_text(df: pd.DataFrame, table: Table) -> str:
    """Serialise in schema column order with the formats the schema declares."""
    missing = [c for c in table.columns if c not in df.columns]
    if missing:
        raise ValueError(f"{table.name}: generator did not make columns {missing}")
    out = df[table.columns].copy()
    for f in table.fields:
        col = out[f.name]
        if f.type == "boolean":
            out[f.name] = col.map({True: "true", False: "false"}).fillna("")
        elif f.type == "date":
            out[f.name] = pd.to_datetime(col).dt.strftime("%Y-%m-%d").fillna("")
        elif f.type == "datetime":
            out[f.name] = pd.to_datetime(col).dt.strftime(DATETIME_FORMAT).fillna("")
        elif f.type == "integer":
            out[f.name] = col.astype("Int64").astype("string").fillna("")
    return out.to_csv(index=False, lineterminator="\n")


def generate_all(out: Path | None = None, seed: int = SEED, progress: bool = True) -> list[Path]:
    """Write all CSVs and datapackage.json into `out`, replacing files only once all are ready."""
    out = Path(out) if out else datasets_dir()
    out.mkdir(parents=True, exist_ok=True)
    ctx = build_tables(seed, progress=progress)
    with tempfile.TemporaryDirectory(dir=out, prefix=".generate-") as tmp:
        staged = []
        for table in TABLES:
            path = Path(tmp) / f"{table.name}.csv"
            path.write_text(to_csv_text(ctx[table.name], table), encoding="utf-8", newline="")
            staged.append(path)
        meta = Path(tmp) / "datapackage.json"
        text = json.dumps(package_descriptor(TABLES), ensure_ascii=False, indent=2) + "\n"
        meta.write_text(text, encoding="utf-8")
        staged.append(meta)
        card = Path(tmp) / "README.md"
        section = tables_section(TABLES, ctx.tables, Path(tmp))
        card.write_text(update_card(out / "README.md", section), encoding="utf-8")
        staged.append(card)
        (Path(tmp) / examples.FOLDER).mkdir()
        staged += examples.write_examples(ctx, Path(tmp) / examples.FOLDER)
        (out / examples.FOLDER).mkdir(exist_ok=True)
        written = []
        for path in staged:  # every file is complete before the first one is replaced
            target = out / path.relative_to(tmp)
            os.replace(path, target)
            written.append(target)
    _remove_stale(out)
    return [p for p in written if p.suffix == ".csv" and p.parent == out]


def _remove_stale(out: Path) -> None:
    """Leftover staging folders from a run that was killed are removed on the next run."""
    for leftover in out.glob(".generate-*"):
        shutil.rmtree(leftover, ignore_errors=True)
