"""Grid-management cases: components and events through 受理→立案→派遣→处置→核查→结案."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shequlab.data.common import END, START, Context, pick, truncated_normal
from shequlab.data.schema import Field, Table, coded, fk

SOURCES = {
    "patrol": "网格巡查",
    "hotline": "热线转办",
    "camera": "视频监控",
    "resident": "居民报告",
}
KINDS = {"component": "部件", "event": "事件"}
# code: (name, kind, weight, handling limit in hours (estimate), P(overdue), on a road?)
CATEGORIES: dict[str, tuple[str, str, float, int, float, bool]] = {
    "manhole_cover": ("井盖", "component", 5, 2, 0.04, True),
    "hydrant": ("消火栓", "component", 2, 24, 0.05, True),
    "lamp_post": ("路灯", "component", 7, 48, 0.05, True),
    "bin": ("垃圾箱", "component", 6, 24, 0.04, True),
    "sign": ("标志牌", "component", 3, 72, 0.05, True),
    "street_tree": ("行道树", "component", 5, 72, 0.06, True),
    "unlicensed_trading": ("无证设摊", "event", 14, 4, 0.07, True),
    "piled_goods": ("乱堆物", "event", 12, 24, 0.05, True),
    "damaged_greenery": ("绿化损坏", "event", 6, 72, 0.05, False),
    "illegal_construction": ("违法搭建", "event", 6, 360, 0.35, False),
    "exposed_garbage": ("暴露垃圾", "event", 12, 4, 0.05, True),
    "road_damage": ("道路破损", "event", 5, 24, 0.06, True),
    "fumes": ("油烟扰民", "event", 4, 72, 0.08, False),
    "bicycle_parking": ("非机动车乱停放", "event", 13, 4, 0.04, True),
}
HOTLINE_TO_GRID = {
    "unlicensed_stalls": "unlicensed_trading",
    "illegal_construction": "illegal_construction",
    "fumes": "fumes",
    "greenery": "damaged_greenery",
    "fire_lane": "piled_goods",
}
ROAD_CHIEF_FROM = pd.Timestamp("2017-04-01")  # planted: road-chief system speeds road cases
ROAD_CHIEF_SPEEDUP = 0.65
STAGES = ["reported_at", "registered_at", "dispatched_at", "handled_at", "verified_at", "closed_at"]
STAGE_ZH = ["受理时间", "立案时间", "派遣时间", "处置时间", "核查时间", "结案时间"]
STAGE_EN = [
    "Reported at",
    "Registered at",
    "Dispatched at",
    "Handled at",
    "Verified at",
    "Closed at",
]

TABLES = [
    Table(
        "grid_cases",
        "网格化管理案件",
        "Grid-management cases",
        "一行是一个网格案件；2017年末尚未走完的环节时间为空。",
        "One row is one grid case; stages not reached by the end of 2017 are empty.",
        (
            Field("case_id", "string", "案件编号", "Case id", unique=True),
            *coded("source", "案件来源", "Source", SOURCES),
            *coded("object_kind", "部件/事件", "Component or event", KINDS),
            *coded("category", "案件类别", "Category", {k: v[0] for k, v in CATEGORIES.items()}),
            Field("grid_id", "string", "网格编号", "Grid id"),
            Field("area_id", "string", "居民区编号", "Residential area id"),
            Field("on_road", "boolean", "位于市政道路", "On a municipal road"),
            Field("hotline_order_id", "string", "热线工单编号", "Hotline order id", required=False),
            *(
                Field(s, "datetime", z, e, required=(i == 0))
                for i, (s, z, e) in enumerate(zip(STAGES, STAGE_ZH, STAGE_EN, strict=True))
            ),
            Field(
                "time_limit_hours", "integer", "处置时限", "Handling limit", unit="小时", minimum=1
            ),
            Field("overdue", "boolean", "超时", "Overdue"),
            Field("supervised", "boolean", "督办", "Supervised (督办)"),
            Field("reopened", "boolean", "核查不通过返工", "Reopened after failed check"),
        ),
        ("case_id",),
        (
            fk("grid_id", "grids"),
            fk("area_id", "residential_areas"),
            fk("hotline_order_id", "hotline_orders", "order_id"),
        ),
    ),
]


def build(ctx: Context) -> None:
    rng = ctx.rng("grid")
    areas = ctx["residential_areas"]
    own = _own_cases(rng, areas)
    transfers = _hotline_transfers(rng, ctx["hotline_orders"])
    c = pd.concat([own, transfers], ignore_index=True)
    c = c.sort_values(["reported_at", "area_id"], kind="stable").reset_index(drop=True)
    c["grid_id"] = c["area_id"].map(areas.set_index("area_id")["grid_id"])
    ctx.tables["grid_cases"] = _workflow(rng, c)


# time of day a case is reported, by source: mean and sd of the hour, earliest, latest (estimate).
# Patrols walk two shifts from 08:00 to 20:00; cameras are watched round the clock, fewer
# cases at night; residents report from early morning to late evening.
REPORT_HOURS = {
    "patrol": (12.5, 3.0, 8.0, 20.0),
    "camera": (14.0, 5.0, 0.0, 24.0),
    "resident": (13.5, 3.5, 6.5, 22.5),
}


def _own_cases(rng: np.random.Generator, areas: pd.DataFrame) -> pd.DataFrame:
    n = int(rng.poisson(5200))
    weights = {k: v[2] for k, v in CATEGORIES.items()}
    source = pick(rng, {"patrol": 62, "camera": 20, "resident": 18}, n)
    mean, sd, lo, hi = (np.array([REPORT_HOURS[s][i] for s in source]) for i in range(4))
    minute = np.floor(truncated_normal(rng, mean, sd, lo, hi - 1 / 60) * 60)
    days = int((END - START).days) + 1
    day = START + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    return pd.DataFrame(
        {
            "reported_at": day + pd.to_timedelta(minute, unit="min"),
            "category_code": pick(rng, weights, n),
            "source_code": source,
            "area_id": rng.choice(
                areas["area_id"], n, p=areas["area_km2"] / areas["area_km2"].sum()
            ),
            "hotline_order_id": None,
        }
    )


def _hotline_transfers(rng: np.random.Generator, orders: pd.DataFrame) -> pd.DataFrame:
    o = orders[orders["category_code"].isin(list(HOTLINE_TO_GRID))]
    o = o[rng.random(len(o)) < 0.8]
    return pd.DataFrame(
        {
            "reported_at": o["received_at"] + pd.to_timedelta(rng.integers(20, 180, len(o)), "min"),
            "category_code": o["category_code"].map(HOTLINE_TO_GRID).to_numpy(),
            "source_code": "hotline",
            "area_id": o["area_id"].to_numpy(),
            "hotline_order_id": o["order_id"].to_numpy(),
        }
    )


def _workflow(rng: np.random.Generator, c: pd.DataFrame) -> pd.DataFrame:
    n = len(c)
    year = c["reported_at"].dt.year.astype(str)
    c.insert(0, "case_id", "G" + year + (c.groupby(year).cumcount() + 1).map("{:06d}".format))
    cat = c["category_code"]
    c["object_kind_code"] = cat.map(lambda k: CATEGORIES[k][1])
    c["on_road"] = cat.map(lambda k: CATEGORIES[k][5]) & (rng.random(n) < 0.85)
    c["time_limit_hours"] = cat.map(lambda k: CATEGORIES[k][3])
    minutes = pd.to_timedelta
    c["registered_at"] = c["reported_at"] + minutes(rng.integers(3, 60, n), "min")
    c["dispatched_at"] = c["registered_at"] + minutes(rng.integers(5, 90, n), "min")
    limit_s = c["time_limit_hours"].to_numpy() * 3600.0
    late = rng.random(n) < cat.map(lambda k: CATEGORIES[k][4])
    frac = np.where(late, 1 + rng.uniform(0.05, 1.5, n), rng.beta(2, 3, n))
    faster = c["on_road"] & (c["reported_at"] >= ROAD_CHIEF_FROM)
    frac = np.where(faster & ~late, frac * ROAD_CHIEF_SPEEDUP, frac)
    c["handled_at"] = c["dispatched_at"] + minutes(limit_s * frac, "s")
    c["reopened"] = rng.random(n) < 0.04
    extra = np.where(c["reopened"], rng.uniform(12, 96, n), 0)  # redo after a failed check
    c["verified_at"] = c["handled_at"] + minutes(rng.uniform(0.5, 24, n) + extra, "h")
    c["closed_at"] = c["verified_at"] + minutes(rng.uniform(0.2, 48, n), "h")
    for s in STAGES[1:]:
        c[s] = c[s].dt.floor("min")
    # what had not happened by the end of 2017 is not known yet
    for i, s in enumerate(STAGES[1:], start=1):
        c[s] = c[s].where(c[s] <= END)
        for later in STAGES[i + 1 :]:
            c[later] = c[later].where(c[s].notna())
    handled_or_now = c["handled_at"].fillna(END)
    c["overdue"] = (handled_or_now - c["dispatched_at"]).dt.total_seconds() > limit_s
    c["supervised"] = c["overdue"] & (rng.random(n) < 0.8)
    for col, labels in (("source", SOURCES), ("object_kind", KINDS)):
        c[col] = c[f"{col}_code"].map(labels)
    c["category"] = cat.map(lambda k: CATEGORIES[k][0])
    return c
