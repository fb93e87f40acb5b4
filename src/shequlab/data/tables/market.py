"""Xinhua farmers' market renewal: 173 stalls and 6 restaurants signed and moved out in 10 days."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shequlab.data.common import Context, round_to
from shequlab.data.schema import Field, Table, coded

N_STALLS, N_RESTAURANTS, DAYS = 173, 6, 10  # seed figures
DAY_ONE = pd.Timestamp("2017-06-05")  # estimate: the article (Aug 2017) gives no date
KINDS = {"stall": "摊位", "restaurant": "饭店"}
TRADES = {
    "vegetables": "蔬菜",
    "seafood": "水产",
    "meat": "肉类",
    "poultry_eggs": "禽蛋",
    "tofu": "豆制品",
    "dry_goods": "南北干货",
    "deli": "熟食",
    "fruit": "水果",
    "breakfast": "早点",
    "restaurant": "餐饮",
}
TRADE_WEIGHTS = {
    "vegetables": 40,
    "seafood": 22,
    "meat": 25,
    "poultry_eggs": 15,
    "tofu": 12,
    "dry_goods": 20,
    "deli": 14,
    "fruit": 17,
    "breakfast": 8,
}
CONCERNS = {
    "compensation": "补偿标准",
    "new_site": "新址位置",
    "livelihood": "今后生计",
    "inventory": "库存处理",
    "none": "无",
}
DESTINATIONS = {
    "new_market": "新址市场安置",
    "other_market": "转往其他市场",
    "leave_trade": "不再经营",
}

TABLES = [
    Table(
        "market_relocation",
        "新华农贸市场搬迁",
        "Xinhua farmers' market relocation",
        "一行是一个摊位或饭店的签约与搬离记录（第1天为估计日期）。",
        "One row is one stall's or restaurant's signing and move-out (day one is an estimate).",
        (
            Field("tenant_id", "string", "商户编号", "Tenant id", unique=True),
            *coded("tenant_kind", "商户类型", "Tenant kind", KINDS),
            *coded("trade", "经营品类", "Trade", TRADES),
            Field(
                "years_at_market",
                "integer",
                "在场经营年数",
                "Years at the market",
                unit="年",
                minimum=0,
            ),
            Field("floor_area_m2", "number", "面积", "Floor area", unit="m²", minimum=0),
            Field("monthly_rent_yuan", "integer", "月租金", "Monthly rent", unit="元", minimum=0),
            Field("first_visit_on", "date", "首次上门日期", "First visit on"),
            Field(
                "visits_before_signing",
                "integer",
                "签约前上门次数",
                "Visits before signing",
                minimum=1,
            ),
            *coded("main_concern", "主要顾虑", "Main concern", CONCERNS),
            Field("signed_on", "date", "签约日期", "Signed on"),
            Field("moved_out_on", "date", "搬离日期", "Moved out on"),
            Field("compensation_yuan", "integer", "补偿金额", "Compensation", unit="元", minimum=0),
            *coded("destination", "去向", "Destination", DESTINATIONS),
        ),
        ("tenant_id",),
    ),
]


def build(ctx: Context) -> None:
    rng = ctx.rng("market")
    trades = rng.choice(
        list(TRADE_WEIGHTS),
        N_STALLS,
        p=np.array(list(TRADE_WEIGHTS.values())) / sum(TRADE_WEIGHTS.values()),
    )
    m = pd.DataFrame(
        {
            "tenant_kind_code": ["stall"] * N_STALLS + ["restaurant"] * N_RESTAURANTS,
            "trade_code": list(trades) + ["restaurant"] * N_RESTAURANTS,
        }
    )
    n = len(m)
    stall = m["tenant_kind_code"].eq("stall")
    m["years_at_market"] = np.where(stall, rng.integers(1, 21, n), rng.integers(5, 16, n))
    m["floor_area_m2"] = np.where(stall, rng.uniform(4, 12, n), rng.uniform(40, 160, n)).round(1)
    m["monthly_rent_yuan"] = round_to(m["floor_area_m2"] * rng.uniform(150, 260, n), 50)
    # planted: restaurants and long-standing seafood stalls sign last; an S-shaped curve
    resistance = rng.normal(0, 1, n) + 0.08 * m["years_at_market"]
    resistance += np.where(m["trade_code"].eq("seafood"), 0.9, 0)
    resistance += np.where(~stall, 3.0, 0)
    rank = resistance.rank(method="first").to_numpy() - 1
    day = np.searchsorted(_cumulative_plan(n), rank, side="right") + 1
    m["signed_on"] = DAY_ONE + pd.to_timedelta(day - 1, "D")
    first = np.minimum(day, rng.integers(1, 4, n))
    m["first_visit_on"] = DAY_ONE + pd.to_timedelta(first - 1, "D")
    m["visits_before_signing"] = 1 + (day - first) // 2 + rng.integers(0, 2, n)
    moved = np.minimum(day + rng.integers(0, 3, n), DAYS)
    m["moved_out_on"] = DAY_ONE + pd.to_timedelta(moved - 1, "D")
    late = day >= 8
    m["main_concern_code"] = np.where(
        ~stall,
        "compensation",
        np.where(
            late,
            rng.choice(["livelihood", "compensation", "new_site"], n, p=[0.5, 0.3, 0.2]),
            rng.choice(
                ["none", "new_site", "inventory", "compensation"], n, p=[0.45, 0.25, 0.15, 0.15]
            ),
        ),
    )
    m["compensation_yuan"] = round_to(
        m["monthly_rent_yuan"] * rng.uniform(6, 10, n) + np.where(stall, 8000, 120000), 100
    )
    m["destination_code"] = np.where(
        ~stall, "other_market", rng.choice(list(DESTINATIONS), n, p=[0.62, 0.25, 0.13])
    )
    m = m.sort_values(["signed_on", "tenant_kind_code", "trade_code"], kind="stable")
    m = m.reset_index(drop=True)
    m.insert(0, "tenant_id", [f"MK{i:03d}" for i in range(1, n + 1)])
    for col, labels in (
        ("tenant_kind", KINDS),
        ("trade", TRADES),
        ("main_concern", CONCERNS),
        ("destination", DESTINATIONS),
    ):
        m[col] = m[f"{col}_code"].map(labels)
    ctx.tables["market_relocation"] = m


def _cumulative_plan(n: int) -> np.ndarray:
    """Signings by the end of each day: slow start, fast middle, a tail (ends at n on day 10)."""
    share = np.array([0.08, 0.19, 0.33, 0.48, 0.61, 0.71, 0.80, 0.88, 0.95, 1.0])
    return np.round(share * n).astype(int)
