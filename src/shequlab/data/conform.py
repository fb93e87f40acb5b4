"""Conform an outside export to a sample table: Chinese headers, only some columns, local spellings.

A social worker's export of a table the apps know (a 12345 hotline export, a register kept in
Excel) rarely has the schema's English column names. Headers are matched to fields by the field's
name, its Chinese title in datapackage.json (also without the bracketed note, e.g. 办理时限 for
"办理时限（工作日；空=表扬件）"), its English title, or a spelling listed in ``EXPORT_NAMES``.
Columns the table does not have are dropped (they may hold personal data), columns the table has
but the export lacks are reported, dates such as "2017/3/6 9:05" and yes/no as 是/否 are written
the schema's way. What is left is then validated as a partial table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from shequlab.data.schema import DATETIME_FORMAT

# Column names seen in real exports that are neither the schema's name nor its title.
EXPORT_NAMES: dict[str, dict[str, str]] = {
    "hotline_orders": {
        "工单号": "order_id",
        "来电时间": "received_at",
        "受理渠道": "channel",
        "问题分类": "category",
        "诉求分类": "category",
        "所属居委": "area_id",
        "办理单位": "handler",
        "是否按时办结": "on_time",
        "是否解决": "solved",
        "是否退单": "returned",
        "市民满意度": "satisfaction",
    },
}
YES = {"true", "是", "y", "yes", "1", "√", "✓"}
NO = {"false", "否", "n", "no", "0", "×"}
BRACKETED = re.compile(r"[（(][^（）()]*[）)]")


@dataclass
class Conformed:
    """The export with schema column names and spellings, and what was changed or is missing."""

    frame: pd.DataFrame
    renamed: dict[str, str] = field(default_factory=dict)  # export header -> field name
    dropped: list[str] = field(default_factory=list)  # export headers the table does not have
    missing: list[str] = field(default_factory=list)  # fields the export does not have
    problems: list[str] = field(default_factory=list)  # "中文 / English"


def _key(label: str) -> str:
    return "".join(str(label).split()).casefold()


def header_names(resource: dict[str, Any]) -> dict[str, str]:
    """Every accepted spelling of every column header (normalised) -> field name.

    A spelling that two fields share (after the bracketed note is removed) is left out.
    """
    names: dict[str, str] = {}
    ambiguous: set[str] = set()
    for f in resource["schema"]["fields"]:
        spellings = {f["name"], f.get("title", ""), f.get("title_en", "")}
        spellings.add(BRACKETED.sub("", f.get("title", "")))
        for spelling in filter(None, spellings):
            key = _key(spelling)
            if names.get(key, f["name"]) != f["name"]:
                ambiguous.add(key)
            names[key] = f["name"]
    for spelling, name in EXPORT_NAMES.get(resource["name"], {}).items():
        names.setdefault(_key(spelling), name)
    exact = {_key(f["name"]): f["name"] for f in resource["schema"]["fields"]}
    return {k: v for k, v in names.items() if k not in ambiguous or k in exact} | exact


def conform(frame: pd.DataFrame, resource: dict[str, Any]) -> Conformed:
    """Rename, select and respell the columns of `frame` (all text) for the table `resource`."""
    names = header_names(resource)
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    renamed: dict[str, str] = {}
    dropped: list[str] = []
    problems: list[str] = []
    taken: dict[str, str] = {}
    for label in frame.columns:
        name = names.get(_key(label))
        if name is None:
            dropped.append(str(label))
        elif name in taken:
            problems.append(
                f"“{taken[name]}”和“{label}”两列都对应 {name}（{fields[name]['title']}），"
                "请删去一列 / "
                f"columns '{taken[name]}' and '{label}' both mean {name}; delete one of them"
            )
        else:
            taken[name] = str(label)
            renamed[str(label)] = name
    if not renamed and not problems:
        known = "、".join(f["title"] for f in fields.values())
        problems.append(
            f"没有一列能对应到表 {resource['name']}（可用的列：{known}） / no column matches "
            f"table {resource['name']}; its columns are {', '.join(fields)}"
        )
    missing = [name for name in fields if name not in taken]
    if problems:
        return Conformed(frame.iloc[:, :0], renamed, dropped, missing, problems)
    order = [name for name in fields if name in taken]
    out = frame.rename(columns=renamed)[order]
    for name in order:
        out[name] = _respell(out[name], fields[name]["type"])
    return Conformed(out, renamed, dropped, missing, problems)


def _respell(column: pd.Series, kind: str) -> pd.Series:
    """Dates and yes/no the way the schema writes them; cells that do not parse stay as they are."""
    text = column.fillna("").astype(str).str.strip()
    if kind in ("date", "datetime"):
        parsed = pd.to_datetime(
            text.str.replace(r"[年月/.]", "-", regex=True).str.replace("日", "", regex=False),
            errors="coerce",
            format="mixed",
        )
        form = "%Y-%m-%d" if kind == "date" else DATETIME_FORMAT
        return text.where(parsed.isna() | text.eq(""), parsed.dt.strftime(form))
    if kind == "boolean":
        lowered = text.str.casefold()
        return text.mask(lowered.isin(YES), "true").mask(lowered.isin(NO), "false")
    return text
