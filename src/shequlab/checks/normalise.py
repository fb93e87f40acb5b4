"""Turn an answer into a canonical, hashable form, so a check compares values without showing them.

The same normaliser runs in the trainee's kernel (shequlab.checks.check) and at build time when the
course seals the expected fingerprints, so the two can never disagree.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import numbers
from typing import Any

FINGERPRINT_VERSION = "1"
DEFAULT_DIGITS = 4


def _scalar(value: Any, digits: int) -> Any:
    """A JSON-able canonical scalar: bools and ints exact, floats rounded, text stripped."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        with contextlib.suppress(TypeError, ValueError, AttributeError):
            value = value.item()  # numpy / pandas scalars
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return "NaN"
        rounded = round(number, digits)
        if rounded == int(rounded) and abs(rounded) < 2**53:
            return int(rounded)  # 3.0 and 3 are the same answer
        return rounded + 0.0  # -0.0 → 0.0
    if isinstance(value, str):
        return value.strip()
    text = str(value)  # Period, Timestamp, …: their printed form
    return "NaN" if text in ("nan", "NaT", "<NA>") else text.strip()


def _labels(index: Any, digits: int) -> list[Any]:
    return [_scalar(v, digits) for v in index]


def normalise(
    value: Any,
    *,
    digits: int = DEFAULT_DIGITS,
    ordered: bool = True,
    key: str | list[str] | None = None,
    index: bool = True,
) -> Any:
    """The canonical form of `value`.

    - numbers rounded to `digits` decimals; text stripped; numpy scalars as Python ones;
    - a Series: its (label, value) pairs, in order if `ordered`, else sorted by label; only
      its values (in order) when `index` is False;
    - a DataFrame with `key`: the sorted set of key-column values (e.g. the order ids kept
      by a filter); without `key`: columns and rows (`ordered` as for a Series);
    - lists and tuples element-wise (sorted when not `ordered`);
    - a dict by its (key, value) pairs, whatever the order of its keys.
    """
    import pandas as pd  # a trainee's kernel has pandas loaded already; imported only when needed

    if isinstance(value, pd.DataFrame):
        if key is not None:
            columns = [key] if isinstance(key, str) else list(key)
            rows = value[columns].itertuples(index=False, name=None)
            return {"key": sorted({tuple(_scalar(v, digits) for v in r) for r in rows}, key=repr)}
        rows = [
            [_scalar(label, digits), [_scalar(v, digits) for v in row]]
            for label, row in zip(
                value.index, value.itertuples(index=False, name=None), strict=True
            )
        ]
        if not ordered:
            rows.sort(key=repr)
        return {"columns": _labels(value.columns, digits), "rows": rows}
    if isinstance(value, pd.Series) and not index:
        return {"values": [_scalar(v, digits) for v in value]}
    if isinstance(value, pd.Series):
        pairs = [[_scalar(k, digits), _scalar(v, digits)] for k, v in value.items()]
        if not ordered:
            pairs.sort(key=repr)
        return {"series": pairs}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [normalise(v, digits=digits, ordered=ordered, key=key) for v in value]
        if not ordered or isinstance(value, (set, frozenset)):
            items.sort(key=repr)
        return {"items": items}
    if isinstance(value, dict):
        pairs = [[_scalar(k, digits), normalise(v, digits=digits)] for k, v in value.items()]
        return {"dict": sorted(pairs, key=repr)}
    if isinstance(value, pd.Index):
        return normalise(list(value), digits=digits, ordered=ordered)
    return _scalar(value, digits)


def fingerprint(name: str, value: Any, **spec: Any) -> str:
    """A short hash of `name` and the normalised `value` (salted by name, so equal values of
    different exercises do not look alike)."""
    canonical = json.dumps(
        [FINGERPRINT_VERSION, name, normalise(value, **spec)],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
