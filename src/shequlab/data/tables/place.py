"""The place: grids, the 17 residential areas and their building groups (楼组) with leaders."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shequlab.data.common import Context, fake_names
from shequlab.data.schema import Field, Table, coded, fk

HOUSING = {
    "villa": "花园洋房",
    "lane": "里弄",
    "workers_village": "工人新村",
    "commodity": "商品房",
}
# households per building group, built years, floors and 60+ share by housing type (estimates)
HOUSING_TRAITS = {
    "villa": {"hh": (6, 14), "built": (1925, 1948), "floors": (2, 3), "old": 0.41},
    "lane": {"hh": (14, 30), "built": (1928, 1956), "floors": (2, 3), "old": 0.43},
    "workers_village": {"hh": (24, 48), "built": (1956, 1988), "floors": (5, 6), "old": 0.41},
    "commodity": {"hh": (46, 100), "built": (1993, 2012), "floors": (6, 24), "old": 0.27},
}
GRIDS = [
    ("G1", "第一网格（番禺路片）", "Grid 1 (Panyu Rd)"),
    ("G2", "第二网格（法华镇路片）", "Grid 2 (Fahuazhen Rd)"),
    ("G3", "第三网格（定西路片）", "Grid 3 (Dingxi Rd)"),
    ("G4", "第四网格（新华路片）", "Grid 4 (Xinhua Rd)"),
    ("G5", "第五网格（延安西路片）", "Grid 5 (West Yan'an Rd)"),
    ("G6", "第六网格（凯旋路片）", "Grid 6 (Kaixuan Rd)"),
]
# id, fictional name, English, street, grid, building groups,
# housing mix (villa, lane, workers' village, commodity). Names come from streets inside the
# subdistrict or, for XH10/XH11/XH16/XH17, from its history (安和寺路, Xinhua Road's name in
# 1925–43; 上海影城 at Xinhua Road 160; the road's plane trees; "国宾道", its nickname since
# 1972): provenance in datasets/README.md. Every name is used as a fictional one.
AREAS = [
    ("XH01", "番禺", "Panyu", "番禺路", "G1", 34, (0.15, 0.25, 0.30, 0.30)),
    ("XH02", "法华", "Fahua", "法华镇路", "G2", 38, (0.05, 0.45, 0.40, 0.10)),
    ("XH03", "定西", "Dingxi", "定西路", "G3", 36, (0.00, 0.20, 0.60, 0.20)),
    ("XH04", "香花桥", "Xianghuaqiao", "香花桥路", "G2", 56, (0.00, 0.85, 0.15, 0.00)),
    ("XH05", "凯旋", "Kaixuan", "凯旋路", "G6", 30, (0.00, 0.05, 0.35, 0.60)),
    ("XH06", "杨宅", "Yangzhai", "杨宅路", "G3", 37, (0.00, 0.30, 0.55, 0.15)),
    ("XH07", "新华", "Xinhua", "新华路", "G4", 40, (0.45, 0.30, 0.15, 0.10)),
    ("XH08", "幸福", "Xingfu", "幸福路", "G2", 33, (0.00, 0.15, 0.70, 0.15)),
    ("XH09", "泰安", "Tai'an", "泰安路", "G4", 31, (0.35, 0.35, 0.10, 0.20)),
    ("XH10", "安和", "Anhe", "新华路", "G5", 32, (0.10, 0.20, 0.30, 0.40)),
    ("XH11", "影城", "Yingcheng", "番禺路", "G5", 29, (0.00, 0.10, 0.40, 0.50)),
    ("XH12", "平武", "Pingwu", "平武路", "G4", 30, (0.40, 0.30, 0.10, 0.20)),
    ("XH13", "延西", "Yanxi", "延安西路", "G5", 28, (0.00, 0.05, 0.25, 0.70)),
    ("XH14", "华山", "Huashan", "华山路", "G1", 35, (0.30, 0.30, 0.20, 0.20)),
    ("XH15", "淮海", "Huaihai", "淮海西路", "G1", 33, (0.05, 0.25, 0.45, 0.25)),
    ("XH16", "梧桐", "Wutong", "法华镇路", "G6", 31, (0.05, 0.15, 0.40, 0.40)),
    ("XH17", "国宾", "Guobin", "凯旋路", "G6", 30, (0.15, 0.25, 0.30, 0.30)),
]

TABLES = [
    Table(
        "grids",
        "网格",
        "Grids",
        "一行是一个城市网格化管理网格。",
        "One row is one grid of the city grid-management system.",
        (
            Field("grid_id", "string", "网格编号", "Grid id", unique=True, pattern=r"G\d"),
            Field("name", "string", "网格名称", "Grid name"),
            Field("name_en", "string", "网格英文名", "Grid name (English)"),
        ),
        ("grid_id",),
    ),
    Table(
        "residential_areas",
        "居民区",
        "Residential areas",
        "一行是一个居民区（居委会），名称为虚构。",
        "One row is one residential area (residents' committee); names are fictional.",
        (
            Field(
                "area_id",
                "string",
                "居民区编号",
                "Residential area id",
                unique=True,
                pattern=r"XH\d{2}",
            ),
            Field("name", "string", "居民区名称（虚构）", "Name (fictional)", unique=True),
            Field("name_en", "string", "英文名", "Name (English)"),
            Field("grid_id", "string", "所属网格", "Grid id"),
            *coded("main_housing", "主要房屋类型", "Main housing type", HOUSING),
            Field("building_groups", "integer", "楼组数", "Building groups", unit="个", minimum=1),
            Field("households", "integer", "户数", "Households", unit="户", minimum=1),
            Field("residents", "integer", "户籍及常住人口", "Residents", unit="人", minimum=1),
            Field(
                "residents_60plus",
                "integer",
                "60岁及以上人口",
                "Residents aged 60+",
                unit="人",
                minimum=0,
            ),
            Field(
                "residents_80plus",
                "integer",
                "80岁及以上人口",
                "Residents aged 80+",
                unit="人",
                minimum=0,
            ),
            Field("area_km2", "number", "面积", "Area", unit="km²", minimum=0),
        ),
        ("area_id",),
        (fk("grid_id", "grids"),),
    ),
    Table(
        "buildings",
        "楼组",
        "Building groups",
        "一行是一个楼组（一栋楼或一个门洞），带楼组长信息；地址与姓名为虚构。",
        "One row is one building group (a building or stairwell) with its group leader; "
        "addresses and names are fictional.",
        (
            Field(
                "building_id",
                "string",
                "楼组编号",
                "Building group id",
                unique=True,
                pattern=r"XH\d{2}-\d{3}",
            ),
            Field("area_id", "string", "居民区编号", "Residential area id"),
            Field("address", "string", "地址（虚构）", "Address (fictional)"),
            *coded("housing_type", "房屋类型", "Housing type", HOUSING),
            Field("built_year", "integer", "建成年份", "Year built", minimum=1900, maximum=2017),
            Field("floors", "integer", "层数", "Floors", minimum=1),
            Field("has_elevator", "boolean", "有电梯", "Has elevator"),
            Field("households", "integer", "户数", "Households", unit="户", minimum=1),
            Field("residents", "integer", "人口", "Residents", unit="人", minimum=1),
            Field(
                "residents_60plus",
                "integer",
                "60岁及以上人口",
                "Residents aged 60+",
                unit="人",
                minimum=0,
            ),
            Field("leader_name", "string", "楼组长姓名（虚构）", "Group leader name (fictional)"),
            Field(
                "leader_gender", "string", "楼组长性别", "Group leader gender", enum=("女", "男")
            ),
            Field(
                "leader_age",
                "integer",
                "楼组长年龄（2017年）",
                "Group leader age (2017)",
                unit="岁",
                minimum=18,
                maximum=100,
            ),
            Field("leader_party_member", "boolean", "楼组长是党员", "Group leader is Party member"),
        ),
        ("building_id",),
        (fk("area_id", "residential_areas"),),
    ),
]


def build(ctx: Context) -> None:
    rng = ctx.rng("place")
    ctx.tables["grids"] = pd.DataFrame(GRIDS, columns=["grid_id", "name", "name_en"])
    rows = []
    for area_id, _name, _en, street, _grid, n, mix in AREAS:
        types = rng.choice(list(HOUSING), n, p=np.array(mix) / sum(mix))
        lanes = rng.choice(np.arange(20, 900, 2), 8, replace=False)
        for i, t in enumerate(types, start=1):
            tr = HOUSING_TRAITS[t]
            hh = int(rng.integers(*tr["hh"]))
            floors = int(rng.integers(tr["floors"][0], tr["floors"][1] + 1))
            residents = round(hh * rng.uniform(3.3, 4.4))
            old_share = np.clip(rng.normal(tr["old"], 0.05), 0.1, 0.7)
            if area_id == "XH04":  # planted: the oldest area, old lanes, many elderly
                old_share = min(0.7, old_share + 0.06)
            rows.append(
                {
                    "building_id": f"{area_id}-{i:03d}",
                    "area_id": area_id,
                    "address": f"{street}{int(rng.choice(lanes))}弄{int(rng.integers(1, 40))}号",
                    "housing_type": HOUSING[t],
                    "housing_type_code": t,
                    "built_year": int(rng.integers(tr["built"][0], tr["built"][1] + 1)),
                    "floors": floors,
                    "has_elevator": bool(t == "commodity" and floors >= 7),
                    "households": hh,
                    "residents": residents,
                    "residents_60plus": round(residents * old_share),
                }
            )
    b = pd.DataFrame(rows)
    b["address"] = _unique_addresses(b["address"])
    n = len(b)
    b["leader_name"] = fake_names(rng, n)
    b["leader_gender"] = np.where(rng.random(n) < 0.7, "女", "男")
    b["leader_age"] = np.clip(rng.normal(64, 7, n).round(), 38, 85).astype(int)
    b["leader_party_member"] = rng.random(n) < 0.45
    ctx.tables["buildings"] = b
    ctx.tables["residential_areas"] = _areas_from_buildings(b, rng)


def _unique_addresses(addr: pd.Series) -> pd.Series:
    """Two groups drawn at the same lane and number get a 甲/乙 suffix, as real addresses do."""
    dup = addr.groupby(addr).cumcount()
    return addr + dup.map(lambda k: "" if k == 0 else "甲乙丙丁"[min(k - 1, 3)])


def _areas_from_buildings(b: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Area totals are sums over their building groups, so the two tables always agree."""
    agg = b.groupby("area_id").agg(
        building_groups=("building_id", "size"),
        households=("households", "sum"),
        residents=("residents", "sum"),
        residents_60plus=("residents_60plus", "sum"),
        main_housing_code=("housing_type_code", lambda s: s.value_counts().idxmax()),
    )
    meta = pd.DataFrame(
        [(a, nm + "居民区", en, g) for a, nm, en, _s, g, _n, _m in AREAS],
        columns=["area_id", "name", "name_en", "grid_id"],
    ).set_index("area_id")
    a = meta.join(agg).reset_index()
    a["main_housing"] = a["main_housing_code"].map(HOUSING)
    share80 = rng.uniform(0.15, 0.19, len(a))  # about a sixth of the 60+ are 80+
    a["residents_80plus"] = (a["residents_60plus"] * share80).round().astype(int)
    km2 = a["households"] / a["households"].sum() * 2.2 * rng.uniform(0.85, 1.15, len(a))
    a["area_km2"] = (km2 / km2.sum() * 2.2).round(3)
    return a
