"""A 12345 hotline export in a workspace: its columns found by English name or Chinese header."""

from __future__ import annotations

import pandas as pd

from shequlab.research import stats
from shequlab.research.findings import Finding
from shequlab.research.workspace import Workspace

# Role → headers it may have: the sample's English names, then the Chinese titles of
# datasets/datapackage.json (a real export's headers), then common variants.
ROLES = {
    "received": ("received_at", "受理时间", "来电时间"),
    "channel": ("channel", "来源渠道", "渠道"),
    "type": ("order_type", "工单类型"),
    "category": ("category", "诉求类别", "问题分类"),
    "area": ("area_id", "居民区编号", "居民区", "所属居委"),
    "handler": ("handler", "承办单位"),
    "on_time": ("on_time", "按时办结"),
    "satisfaction": ("satisfaction", "满意度"),
}


def column(data: pd.DataFrame, role: str) -> str | None:
    """The column playing `role`: an exact header, else one starting with a known title (a
    title may carry a note in brackets, e.g. "按时办结（空=表扬件，不考核）")."""
    names = ROLES[role]
    for name in names:
        if name in data.columns:
            return name
    for name in names:
        for header in data.columns:
            if str(header).startswith(name):
                return header
    return None


def by_month(ws: Workspace, table: str = "orders") -> Finding:
    """Orders received per month."""
    data = ws.tables[table]
    received = pd.to_datetime(data[column(data, "received")], errors="coerce")
    months = received.dt.strftime("%Y-%m").rename("受理月份 month")
    order = sorted(months.dropna().unique())
    found = stats.frequencies(months, "每月受理工单 orders per month", order, ws.min_cell)
    ws.findings.append(found)
    return found


def share(ws: Workspace, role: str, title: str, table: str = "orders") -> Finding:
    """Frequencies of one role's column (e.g. category, area, satisfaction)."""
    data = ws.tables[table]
    found = stats.frequencies(data[column(data, role)], title, min_cell=ws.min_cell)
    ws.findings.append(found)
    return found


def compare(ws: Workspace, rows: str, columns: str, title: str, table: str = "orders") -> Finding:
    """Crosstab of two roles, e.g. category × on_time."""
    data = ws.tables[table]
    found = stats.crosstab(data[column(data, rows)], data[column(data, columns)], title,
                           ws.min_cell)  # fmt: skip
    ws.findings.append(found)
    return found
