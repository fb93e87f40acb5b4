"""Load a sample table with the dtypes its schema declares (for apps and checks, not trainees)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from shequlab.layout.project import datasets_dir

PANDAS_DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean"}


@lru_cache(maxsize=4)
def _package(path: str) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def resource(table: str, root: Path | None = None) -> dict[str, Any]:
    """The datapackage.json entry of one table; KeyError names the known tables."""
    pkg = _package(str((root or datasets_dir()) / "datapackage.json"))
    for res in pkg["resources"]:
        if res["name"] == table:
            return res
    known = ", ".join(r["name"] for r in pkg["resources"])
    raise KeyError(f"没有名为 {table!r} 的表 / no table named {table!r}; known: {known}")


def load_table(table: str, root: Path | None = None) -> pd.DataFrame:
    """Read `datasets/<table>.csv` with nullable dtypes and parsed dates, in schema order."""
    root = root or datasets_dir()
    res = resource(table, root)
    fields = res["schema"]["fields"]
    dtypes = {f["name"]: PANDAS_DTYPES[f["type"]] for f in fields if f["type"] in PANDAS_DTYPES}
    dates = [f["name"] for f in fields if f["type"] in ("date", "datetime")]
    bools = [f["name"] for f in fields if f["type"] == "boolean"]
    df = pd.read_csv(
        root / res["path"],
        dtype={k: v for k, v in dtypes.items() if k not in bools},
        true_values=["true"],
        false_values=["false"],
        keep_default_na=False,
        na_values=[""],
    )
    for name in bools:
        df[name] = df[name].astype("boolean")
    for name in dates:
        df[name] = pd.to_datetime(df[name])
    return df
