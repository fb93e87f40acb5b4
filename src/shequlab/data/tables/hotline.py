"""12345 citizen-hotline work orders handled by the subdistrict, 2016–2017."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shequlab.data.common import END, START, Context, pick, truncated_normal
from shequlab.data.schema import Field, Table, coded, fk
from shequlab.data.tables.hotline_codes import (
    CATEGORIES,
    CHANNELS,
    HANDLERS,
    ORDER_TYPES,
    SATISFACTION,
    TYPE_WEIGHTS,
)
from shequlab.data.tables.hotline_handling import handle, number, repeat_calls

SEASON = [0.95, 0.75, 0.95, 1.0, 1.05, 1.15, 1.25, 1.2, 1.0, 0.9, 0.95, 0.95]
# Group renting is late with the same probability in both years. Its lateness is drawn from its
# own stream, chosen (the first of "hotline-group-renting", "-1", "-2", … to qualify) so that
# 2017 looks a few points lower by chance alone, within the margin of error: the realisation
# onb-02's lesson "a small drop on ~100 orders a year can be chance" needs.
GROUP_RENTING_STREAM = "hotline-group-renting-1"

TABLES = [
    Table(
        "hotline_orders",
        "12345市民热线工单",
        "12345 hotline work orders",
        "一行是派给街道处理的一张12345工单；办理时限按工作日计（未计节假日）。",
        "One row is one 12345 work order dispatched to the subdistrict; deadlines count "
        "working days (Mon–Fri, holidays not modelled).",
        (
            Field(
                "order_id",
                "string",
                "工单编号",
                "Order id",
                unique=True,
                pattern=r"H20(16|17)\d{6}",
            ),
            Field("received_at", "datetime", "受理时间", "Received at"),
            *coded("channel", "来源渠道", "Channel", CHANNELS),
            *coded("order_type", "工单类型", "Order type", ORDER_TYPES),
            *coded("category", "诉求类别", "Category", {k: v[0] for k, v in CATEGORIES.items()}),
            Field("area_id", "string", "居民区编号", "Residential area id"),
            Field("building_id", "string", "楼组编号", "Building group id", required=False),
            *coded("handler", "承办单位", "Handling unit", HANDLERS),
            Field(
                "deadline_days",
                "integer",
                "办理时限（工作日；空=表扬件）",
                "Deadline (working days; empty = praise)",
                enum=(1, 5, 15),
                required=False,
            ),
            Field(
                "due_at",
                "datetime",
                "应办结时间（含延期）",
                "Due at (extension included)",
                required=False,
            ),
            Field(
                "first_contact_at",
                "datetime",
                "先行联系时间",
                "First contact at",
                required=False,
            ),
            Field("closed_at", "datetime", "办结时间", "Closed at"),
            Field(
                "on_time",
                "boolean",
                "按时办结（空=表扬件，不考核）",
                "Closed on time (empty = praise, not assessed)",
                required=False,
            ),
            Field(
                "solved",
                "boolean",
                "实际解决（空=表扬件）",
                "Actually solved (empty = praise)",
                required=False,
            ),
            *coded(
                "satisfaction",
                "满意度（空=未评价或表扬件）",
                "Satisfaction (empty = not rated, or praise)",
                SATISFACTION,
                required=False,
            ),
            Field(
                "returned",
                "boolean",
                "退单",
                "Returned (退单)",
                note="首个承办单位认为不属于本单位职责而退回、由热线改派的工单；承办单位为最终承办单位。"
                " / The first handling unit sent the order back as not its responsibility and the "
                "hotline re-dispatched it; `handler` is the final handling unit.",
            ),
            Field(
                "extension_days",
                "integer",
                "延期（工作日；0=未延期，空=表扬件）",
                "Extension (working days; 0 = none, empty = praise)",
                required=False,
                enum=(0, 5, 10, 15),
                note="经批准延长的办理时限，已计入 due_at；按时办结以延期后的时限判断。"
                " / An approved extension of the deadline, already included in due_at; on_time is "
                "judged against the extended deadline.",
            ),
            Field(
                "repeat_of",
                "string",
                "重复件：同一诉求的前一张工单",
                "Repeat call: the earlier order on the same problem",
                required=False,
                note="同一市民就同一问题再次来电形成的重复件，填前一张工单编号；空=首次来电。"
                " / A repeat call (重复件) by the same caller about the same problem holds the id "
                "of the earlier order; empty = a first call.",
            ),
        ),
        ("order_id",),
        (
            fk("area_id", "residential_areas"),
            fk("building_id", "buildings"),
            fk("repeat_of", "hotline_orders", "order_id"),
        ),
    ),
]


def build(ctx: Context) -> None:
    rng = ctx.rng("hotline")
    b = ctx["buildings"]
    # clutter complaints are drawn by the micro-governance step (their own stream there):
    # changing the other orders never moves yf-02's planted makeover effect
    clutter = _clutter_orders(ctx)
    calls = pd.concat([_general_orders(rng, b), clutter], ignore_index=True)
    lateness = ctx.rng(GROUP_RENTING_STREAM)
    first = handle(rng, _receive(rng, calls), lateness)
    repeats = handle(rng, repeat_calls(rng, first), lateness)
    ctx.tables["hotline_orders"] = number(pd.concat([first, repeats], ignore_index=True))


def _days() -> pd.DatetimeIndex:
    return pd.date_range(START, END.normalize(), freq="D")


def _general_orders(rng: np.random.Generator, b: pd.DataFrame) -> pd.DataFrame:
    days = _days()
    mean = 9.3 * np.array([SEASON[d.month - 1] for d in days])
    mean *= np.where(days.day_of_week >= 5, 0.6, 1.08) * np.where(days.year == 2017, 1.08, 1.0)
    counts = rng.poisson(mean)
    day = np.repeat(days.values, counts)
    n = len(day)
    types = pick(rng, TYPE_WEIGHTS, n)
    months = pd.DatetimeIndex(day).month
    cats = np.empty(n, dtype=object)
    for t in ORDER_TYPES:
        for summer in (False, True):
            idx = np.flatnonzero((types == t) & (np.isin(months, [6, 7, 8]) == summer))
            w = {
                c: v[2].get(t, 0) * (1.8 if summer and c in ("noise", "leakage") else 1)
                for c, v in CATEGORIES.items()
            }
            w = {c: x for c, x in w.items() if x > 0}
            cats[idx] = pick(rng, w, len(idx))
    areas = b.groupby("area_id")["households"].sum()
    area = rng.choice(areas.index, n, p=(areas / areas.sum()).to_numpy())
    orders = pd.DataFrame(
        {"day": day, "order_type_code": types, "category_code": cats, "area_id": area}
    )
    orders["building_id"] = None
    tied = orders["category_code"].map(lambda c: CATEGORIES[c][5])
    for a, idx in orders[tied].groupby("area_id").groups.items():
        grp = b[b["area_id"] == a]
        p = (grp["households"] / grp["households"].sum()).to_numpy()
        orders.loc[idx, "building_id"] = rng.choice(grp["building_id"], len(idx), p=p)
    return orders


def _clutter_orders(ctx: Context) -> pd.DataFrame:
    """Stairwell-clutter complaints: drawn per building group and month by the micro-governance
    step, where the makeovers that cut them are chosen (shequlab.data.tables.micro)."""
    b = ctx["buildings"].set_index("building_id")
    drawn = ctx.latent["stairwell_clutter_complaints"]
    c = pd.DataFrame({"day": drawn.index, "building_id": drawn.to_numpy()})
    c["area_id"] = c["building_id"].map(b["area_id"])
    c["order_type_code"] = "complaint"
    c["category_code"] = "stairwell_clutter"
    return c


def _receive(rng: np.random.Generator, o: pd.DataFrame) -> pd.DataFrame:
    """A time of day for each call (most in working hours), and a key to link repeat calls."""
    # redrawn, not clipped: no pile of calls at 07:00
    hour = truncated_normal(rng, np.full(len(o), 13.0), 3.2, 7, 23 - 1 / 60)
    o["received_at"] = (pd.to_datetime(o["day"]) + pd.to_timedelta(hour * 60, unit="min")).dt.floor(
        "min"
    )
    o = o.sort_values(["received_at", "area_id"], kind="stable").reset_index(drop=True)
    o["key"] = np.arange(len(o))
    o["repeat_key"] = -1
    return o.drop(columns="day")
