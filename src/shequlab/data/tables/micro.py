"""Micro-governance: 70 micro-projects and 102 "beautiful stairwell" makeovers (2016–2017)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shequlab.data.common import Context, pick, round_to
from shequlab.data.schema import Field, Table, coded, fk

N_PROJECTS = {2016: 32, 2017: 38}  # 70 in all (seed)
N_STAIRWELLS = {2016: 44, 2017: 58}  # 102 in all (seed)
SHOWCASE_AREA = "XH07"  # planted: many early makeovers, its stairwell complaints fall
CATEGORIES = {
    "pavilion_path": "凉亭步道",
    "ebike_shed": "非机动车充电棚",
    "elderly_children": "一老一小",
    "pets": "文明养宠",
    "greenery": "绿化美化",
    "culture": "文化活动",
    "safety": "安全设施",
}
TITLES = {
    "pavilion_path": ["小区凉亭修缮", "健身步道铺设"],
    "ebike_shed": ["电动自行车集中充电棚", "充电桩加装"],
    "elderly_children": ["楼下休憩座椅", "儿童游戏角", "老人助餐点布置"],
    "pets": ["宠物便便箱", "文明养宠公约"],
    "greenery": ["花园认养", "墙面绿化"],
    "culture": ["弄堂记忆展", "邻里节"],
    "safety": ["楼道感应灯", "防滑扶手"],
}
PROPOSERS = {"leader": "楼组长", "party_member": "党员", "resident": "居民", "committee": "居委会"}
STATUS = {"completed": "已完成", "in_progress": "实施中"}

TABLES = [
    Table(
        "stairwells",
        "美丽楼道",
        "Beautiful stairwells",
        "一行是一个楼组的“美丽楼道”创建，楼组长牵头、党员带头、居民参与。",
        "One row is one building group's stairwell makeover, led by its group leader.",
        (
            Field("stairwell_id", "string", "楼道编号", "Stairwell makeover id", unique=True),
            Field("building_id", "string", "楼组编号", "Building group id", unique=True),
            Field("year", "integer", "年份", "Year", minimum=2016, maximum=2017),
            Field("started_on", "date", "开工日期", "Started on"),
            Field("completed_on", "date", "完成日期", "Completed on"),
            Field("budget_yuan", "integer", "经费", "Budget", unit="元", minimum=0),
            Field(
                "resident_volunteers",
                "integer",
                "参与居民数",
                "Resident volunteers",
                unit="人",
                minimum=0,
            ),
            Field(
                "party_members",
                "integer",
                "参与党员数",
                "Party members involved",
                unit="人",
                minimum=0,
            ),
            Field("led_by_leader", "boolean", "楼组长牵头", "Led by the group leader"),
            Field(
                "score_before",
                "integer",
                "创建前环境评分",
                "Score before",
                unit="分",
                minimum=0,
                maximum=100,
            ),
            Field(
                "score_after",
                "integer",
                "创建后环境评分",
                "Score after",
                unit="分",
                minimum=0,
                maximum=100,
            ),
        ),
        ("stairwell_id",),
        (fk("building_id", "buildings"),),
    ),
    Table(
        "micro_projects",
        "微治理微项目",
        "Micro-governance projects",
        "一行是一个自下而上征集、经居民评议通过的微项目（自治金资助）。",
        "One row is one bottom-up micro-project approved by a residents' panel "
        "(self-governance fund).",
        (
            Field("micro_id", "string", "项目编号", "Micro-project id", unique=True),
            Field("year", "integer", "年份", "Year", minimum=2016, maximum=2017),
            Field("area_id", "string", "居民区编号", "Residential area id"),
            Field("building_id", "string", "楼组编号", "Building group id", required=False),
            *coded("category", "类别", "Category", CATEGORIES),
            Field("title", "string", "项目名称", "Title"),
            *coded("proposed_by", "提出人", "Proposed by", PROPOSERS),
            Field("budget_yuan", "integer", "自治金", "Self-governance fund", unit="元", minimum=0),
            Field("cofunding_yuan", "integer", "配套资金", "Co-funding", unit="元", minimum=0),
            Field("panel_size", "integer", "评议小组人数", "Panel size", unit="人", minimum=1),
            Field("votes_for", "integer", "赞成票", "Votes for", minimum=0),
            Field("votes_against", "integer", "反对票", "Votes against", minimum=0),
            Field("abstentions", "integer", "弃权", "Abstentions", minimum=0),
            *coded("status", "状态（2017年末）", "Status (end 2017)", STATUS),
            Field("completed_on", "date", "完成日期", "Completed on", required=False),
        ),
        ("micro_id",),
        (fk("area_id", "residential_areas"), fk("building_id", "buildings")),
    ),
]


def build(ctx: Context) -> None:
    rng = ctx.rng("micro")
    b = ctx["buildings"]
    # hidden trait: how often a group's stairwell clutter leads to hotline complaints
    clutter = pd.Series(rng.gamma(2.0, 0.02, len(b)), index=b["building_id"])
    older = b.set_index("building_id")["housing_type_code"].isin(["lane", "workers_village"])
    clutter[older] *= 1.6
    showcase = b.loc[b["area_id"] == SHOWCASE_AREA, "building_id"]
    clutter[clutter.index.isin(showcase)] *= 1.5  # why the showcase area acted first
    ctx.latent["stairwell_clutter"] = clutter
    ctx.tables["stairwells"] = _stairwells(rng, b, clutter)
    ctx.tables["micro_projects"] = _projects(rng, ctx["residential_areas"], b)


def _stairwells(rng: np.random.Generator, b: pd.DataFrame, clutter: pd.Series) -> pd.DataFrame:
    """Groups with the worst clutter are chosen first (selection, not chance), and the showcase
    area does most of its makeovers in 2016."""
    cand = b[b["housing_type_code"].isin(["lane", "workers_village", "commodity"])]
    showcase = cand[cand["area_id"] == SHOWCASE_AREA]
    rest = cand[cand["area_id"] != SHOWCASE_AREA]
    w = clutter[rest["building_id"]].to_numpy() ** 1.5
    first = clutter[showcase["building_id"]].nlargest(16).index.tolist()
    others = rng.choice(rest["building_id"], 102 - len(first), replace=False, p=w / w.sum())
    ids = first + list(others)
    years = (
        [2016] * 14
        + [2017] * 2
        + [2016] * (N_STAIRWELLS[2016] - 14)
        + [2017] * (N_STAIRWELLS[2017] - 2)
    )
    s = pd.DataFrame({"building_id": ids, "year": years})
    start = [
        pd.Timestamp(f"{y}-03-01") + pd.Timedelta(days=int(rng.integers(0, 240))) for y in s["year"]
    ]
    s["started_on"] = start
    s["completed_on"] = s["started_on"] + pd.to_timedelta(rng.integers(14, 60, len(s)), "D")
    s = s.sort_values(["started_on", "building_id"]).reset_index(drop=True)
    s.insert(0, "stairwell_id", [f"S{i:03d}" for i in range(1, len(s) + 1)])
    n = len(s)
    s["budget_yuan"] = round_to(rng.uniform(3000, 12000, n), 100)
    s["resident_volunteers"] = rng.integers(3, 25, n)
    s["party_members"] = rng.integers(1, 6, n)
    s["led_by_leader"] = rng.random(n) < 0.92
    s["score_before"] = rng.integers(35, 65, n)
    s["score_after"] = np.minimum(100, s["score_before"] + rng.integers(15, 40, n))
    return s


def _projects(rng: np.random.Generator, areas: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for year, n in N_PROJECTS.items():
        cats = pick(
            rng,
            {
                "pavilion_path": 8,
                "ebike_shed": 14,
                "elderly_children": 20,
                "pets": 8,
                "greenery": 16,
                "culture": 14,
                "safety": 12,
            },
            n,
        )
        for i, cat in enumerate(cats, start=1):
            area = rng.choice(areas["area_id"])
            in_area = b[b["area_id"] == area]["building_id"]
            building = rng.choice(in_area) if cat in ("safety", "greenery") else None
            panel = int(rng.integers(30, 101))  # randomly sampled resident panel
            yes = int(panel * rng.uniform(0.52, 0.92))
            no = int((panel - yes) * rng.uniform(0.3, 0.8))
            rows.append(
                {
                    "micro_id": f"M{year}-{i:02d}",
                    "year": year,
                    "area_id": area,
                    "building_id": building,
                    "category_code": cat,
                    "title": rng.choice(TITLES[cat]),
                    "proposed_by_code": pick(
                        rng, {"leader": 4, "party_member": 2, "resident": 3, "committee": 1}, 1
                    )[0],
                    "budget_yuan": int(round_to(rng.uniform(10000, 20000), 500)),
                    "cofunding_yuan": int(
                        round_to(rng.uniform(0, 8000), 500) * (rng.random() < 0.6)
                    ),
                    "panel_size": panel,
                    "votes_for": yes,
                    "votes_against": no,
                    "abstentions": panel - yes - no,
                }
            )
    p = pd.DataFrame(rows)
    p["category"] = p["category_code"].map(CATEGORIES)
    p["proposed_by"] = p["proposed_by_code"].map(PROPOSERS)
    late = (p["year"] == 2017) & (rng.random(len(p)) < 0.25)
    p["status_code"] = np.where(late, "in_progress", "completed")
    p["status"] = p["status_code"].map(STATUS)
    done = pd.to_datetime(p["year"].astype(str) + "-05-01") + pd.to_timedelta(
        rng.integers(0, 200, len(p)), "D"
    )
    p["completed_on"] = done.where(~late)
    return p
