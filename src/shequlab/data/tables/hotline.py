"""12345 citizen-hotline work orders handled by the subdistrict, 2016–2017."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shequlab.data.common import END, START, Context, add_working_days, pick
from shequlab.data.schema import DATETIME_FORMAT, Field, Table, coded, fk

ORDER_TYPES = {
    "consultation": "咨询",
    "help": "求助",
    "complaint": "投诉",
    "suggestion": "建议",
    "report": "举报",
    "praise": "表扬",
}
# shares of orders by type (city 2014 mix: consultation 47%, help 23%, complaints 15%);
# complaints here exclude stairwell clutter, which is drawn per building below
TYPE_WEIGHTS = {
    "consultation": 47,
    "help": 23,
    "complaint": 8.5,
    "suggestion": 8,
    "report": 5,
    "praise": 2,
}
DEADLINE_DAYS = {
    "consultation": 1,
    "praise": 1,
    "help": 5,
    "suggestion": 5,
    "complaint": 15,
    "report": 15,
}
CHANNELS = {"phone": "电话", "web": "网站", "wechat": "微信", "app": "手机应用"}
HANDLERS = {
    "residents_committee": "居委会",
    "affairs_centre": "社区事务受理服务中心",
    "housing_office": "房管办",
    "law_enforcement": "城管执法中队",
    "police_station": "派出所",
    "market_supervision": "市场监管所",
    "greenery": "绿化市容所",
}
# code: (name, handler, type weights, P(solved), P(late), tied to a building?)
CATEGORIES: dict[str, tuple[str, str, dict[str, float], float, float, bool]] = {
    "policy": ("政策咨询", "affairs_centre", {"consultation": 70}, 0.92, 0.004, False),
    "community_service": (
        "社区服务",
        "residents_committee",
        {"consultation": 30, "suggestion": 40},
        0.88,
        0.004,
        False,
    ),
    "leakage": ("房屋漏水", "housing_office", {"help": 30, "complaint": 8}, 0.78, 0.02, True),
    "facility_repair": ("设施报修", "housing_office", {"help": 40}, 0.86, 0.015, True),
    "property": ("物业管理", "housing_office", {"help": 20, "complaint": 20}, 0.70, 0.02, True),
    "noise": ("噪声扰民", "law_enforcement", {"complaint": 18, "help": 5}, 0.72, 0.01, True),
    "parking": (
        "停车管理",
        "police_station",
        {"complaint": 14, "suggestion": 20},
        0.60,
        0.01,
        False,
    ),
    "neighbour_dispute": (
        "邻里纠纷",
        "residents_committee",
        {"complaint": 10, "help": 5},
        0.66,
        0.01,
        True,
    ),
    "group_renting": ("群租", "housing_office", {"report": 45, "complaint": 8}, 0.45, 0.20, True),
    "illegal_construction": (
        "违法搭建",
        "law_enforcement",
        {"report": 40, "complaint": 6},
        0.55,
        0.06,
        True,
    ),
    "unlicensed_stalls": (
        "无证摊贩",
        "law_enforcement",
        {"complaint": 8, "report": 10},
        0.70,
        0.01,
        False,
    ),
    "greenery": ("绿化养护", "greenery", {"complaint": 4, "suggestion": 25}, 0.85, 0.01, False),
    "fire_lane": (
        "消防通道堵塞",
        "police_station",
        {"complaint": 6, "report": 5},
        0.80,
        0.01,
        False,
    ),
    "fumes": ("油烟扰民", "market_supervision", {"complaint": 6}, 0.60, 0.02, False),
    "stairwell_clutter": ("楼道堆物", "residents_committee", {}, 0.85, 0.01, True),
    "praise": ("表扬", "residents_committee", {"praise": 100}, 1.0, 0.0, False),
}
SEASON = [0.95, 0.75, 0.95, 1.0, 1.05, 1.15, 1.25, 1.2, 1.0, 0.9, 0.95, 0.95]
SATISFACTION = {"satisfied": "满意", "fairly_satisfied": "基本满意", "unsatisfied": "不满意"}
CLUTTER_CUT = 0.3  # planted: a makeover cuts a group's clutter complaints to 30%
CITYWIDE_2017 = 0.9  # and every group's fall by a tenth in 2017 (a city-wide campaign)

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
                "办理时限（工作日）",
                "Deadline (working days)",
                enum=(1, 5, 15),
            ),
            Field("due_at", "datetime", "应办结时间", "Due at"),
            Field("first_contact_at", "datetime", "先行联系时间", "First contact at"),
            Field("closed_at", "datetime", "办结时间", "Closed at"),
            Field("on_time", "boolean", "按时办结", "Closed on time"),
            Field("solved", "boolean", "实际解决", "Actually solved"),
            *coded(
                "satisfaction",
                "满意度（空=未评价）",
                "Satisfaction (empty = not rated)",
                SATISFACTION,
                required=False,
            ),
        ),
        ("order_id",),
        (fk("area_id", "residential_areas"), fk("building_id", "buildings")),
    ),
]


def build(ctx: Context) -> None:
    rng = ctx.rng("hotline")
    b = ctx["buildings"]
    orders = pd.concat([_general_orders(rng, b), _clutter_orders(rng, ctx)], ignore_index=True)
    ctx.tables["hotline_orders"] = _handle(rng, orders)


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


def _clutter_orders(rng: np.random.Generator, ctx: Context) -> pd.DataFrame:
    """Stairwell-clutter complaints per building group and month, cut after a makeover."""
    b = ctx["buildings"].set_index("building_id")
    rate = ctx.latent["stairwell_clutter"]
    done = ctx["stairwells"].set_index("building_id")["completed_on"]
    months = pd.date_range(START, END, freq="MS")
    rows = []
    for bid, r in rate.items():
        cut_from = done.get(bid)
        for m in months:
            lam = r * (CITYWIDE_2017 if m.year == 2017 else 1.0)
            if cut_from is not None and m > cut_from:
                lam *= CLUTTER_CUT
            for _ in range(rng.poisson(lam)):
                rows.append((m + pd.Timedelta(days=int(rng.integers(0, m.days_in_month))), bid))
    c = pd.DataFrame(rows, columns=["day", "building_id"])
    c["area_id"] = c["building_id"].map(b["area_id"])
    c["order_type_code"] = "complaint"
    c["category_code"] = "stairwell_clutter"
    return c


def _handle(rng: np.random.Generator, o: pd.DataFrame) -> pd.DataFrame:
    """Times, outcome and satisfaction; slow handling and unsolved problems lower satisfaction."""
    n = len(o)
    hour = np.clip(rng.normal(13, 3.2, n), 7, 22.9)
    o["received_at"] = (pd.to_datetime(o["day"]) + pd.to_timedelta(hour * 60, unit="min")).dt.floor(
        "min"
    )
    o = o.sort_values(["received_at", "area_id"], kind="stable").reset_index(drop=True)
    year = o["received_at"].dt.year.astype(str)
    o.insert(0, "order_id", "H" + year + (o.groupby(year).cumcount() + 1).map("{:06d}".format))
    o["channel_code"] = pick(rng, {"phone": 78, "web": 10, "wechat": 8, "app": 4}, n)
    cat = o["category_code"]
    o["handler_code"] = cat.map(lambda c: CATEGORIES[c][1])
    o["deadline_days"] = o["order_type_code"].map(DEADLINE_DAYS)
    o["due_at"] = add_working_days(o["received_at"], o["deadline_days"])
    o["first_contact_at"] = o["received_at"] + pd.to_timedelta(
        np.round(rng.lognormal(3.6, 0.8, n)), unit="min"
    )
    limit = (o["due_at"] - o["received_at"]).dt.total_seconds()
    late = rng.random(n) < cat.map(lambda c: CATEGORIES[c][4])
    frac = np.where(late, 1 + rng.uniform(0.05, 1.0, n), rng.beta(2, 4, n))
    o["closed_at"] = (o["received_at"] + pd.to_timedelta(limit * frac, unit="s")).dt.floor("min")
    o["on_time"] = o["closed_at"] <= o["due_at"]
    o["solved"] = rng.random(n) < cat.map(lambda c: CATEGORIES[c][3])
    # speed explains about half of dissatisfaction, the outcome about a quarter (estimate)
    logit = -4.2 + 2.6 * np.minimum(frac, 2) + 1.4 * (~o["solved"]) + rng.normal(0, 0.6, n)
    unsat = rng.random(n) < 1 / (1 + np.exp(-logit))
    fairly = rng.random(n) < 0.22
    sat = np.where(unsat, "unsatisfied", np.where(fairly, "fairly_satisfied", "satisfied"))
    rated = rng.random(n) < 0.85
    o["satisfaction_code"] = pd.Series(sat).where(rated)
    for col, labels in (
        ("channel", CHANNELS),
        ("order_type", ORDER_TYPES),
        ("handler", HANDLERS),
        ("satisfaction", SATISFACTION),
    ):
        o[col] = o[f"{col}_code"].map(labels)
    o["category"] = cat.map(lambda c: CATEGORIES[c][0])
    return o.drop(columns="day")


assert DATETIME_FORMAT  # the CSV writer formats every datetime column with this
