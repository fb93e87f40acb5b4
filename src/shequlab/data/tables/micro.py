"""Micro-governance: 70 micro-projects and 102 "beautiful stairwell" makeovers (2016–2017)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shequlab.data.common import END, START, Context, pick, round_to
from shequlab.data.schema import Field, Table, coded, fk

N_PROJECTS = {2016: 32, 2017: 38}  # 70 in all (seed)
N_STAIRWELLS = {2016: 44, 2017: 58}  # 102 in all (seed)
SHOWCASE_AREA = "XH07"  # planted: many early makeovers, its stairwell complaints fall
SHOWCASE_2016 = 14  # the showcase area's makeovers in 2016 (and 2 more in 2017)
CLUTTER_CUT = 0.3  # planted: a makeover cuts a group's clutter complaints to 30% (−70%)
CITYWIDE_2017 = 0.8  # and every group's by a fifth in 2017 (a city-wide clean-up campaign)
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
    # hidden trait: how often a group's stairwell clutter leads to hotline complaints (a month)
    clutter = pd.Series(rng.gamma(1.5, 0.04, len(b)), index=b["building_id"])
    older = b.set_index("building_id")["housing_type_code"].isin(["lane", "workers_village"])
    clutter[older] *= 1.6
    showcase = b.loc[b["area_id"] == SHOWCASE_AREA, "building_id"]
    clutter[clutter.index.isin(showcase)] *= 1.5  # why the showcase area acted first
    ctx.latent["stairwell_clutter"] = clutter
    stairwells, complaints = _stairwells(rng, b, clutter)
    ctx.tables["stairwells"] = stairwells
    ctx.latent["stairwell_clutter_complaints"] = complaints
    projects = ctx.rng("micro-projects")  # its own stream: changing the makeovers keeps it
    ctx.tables["micro_projects"] = _projects(projects, ctx["residential_areas"], b)


def _stairwells(
    rng: np.random.Generator, b: pd.DataFrame, clutter: pd.Series
) -> tuple[pd.DataFrame, pd.Series]:
    """The two batches of makeovers and every group's clutter complaints, day by day.

    Both batches go to the groups known for the worst clutter — a lasting trait, so their
    complaints are high before the makeover in every month, not after one bad year (no
    regression to the mean to mistake for an effect). The showcase area acts first."""
    cand = b[b["housing_type_code"].isin(["lane", "workers_village", "commodity"])]
    in_showcase = cand["area_id"] == SHOWCASE_AREA
    showcase = clutter[cand.loc[in_showcase, "building_id"]].nlargest(SHOWCASE_2016 + 2).index
    rest = cand.loc[~in_showcase, "building_id"]
    w = clutter[rest].to_numpy() ** 2
    others = rng.choice(
        rest, sum(N_STAIRWELLS.values()) - len(showcase), replace=False, p=w / w.sum()
    )
    ids = list(showcase) + list(others)  # the rest in order of drawing: the worst tend to go first
    years = [2016] * SHOWCASE_2016 + [2017] * 2
    years += [2016] * (N_STAIRWELLS[2016] - SHOWCASE_2016) + [2017] * (N_STAIRWELLS[2017] - 2)
    s = pd.concat(
        [
            _schedule(rng, [i for i, y in zip(ids, years, strict=True) if y == yr], yr)
            for yr in (2016, 2017)
        ],
        ignore_index=True,
    )
    months = pd.date_range(START, END, freq="MS")
    rate = pd.DataFrame(
        np.outer(clutter, np.ones(len(months))), index=clutter.index, columns=months
    )
    rate.loc[:, months.year == 2017] *= CITYWIDE_2017
    counts = pd.DataFrame(rng.poisson(_cut(rate, s)), index=rate.index, columns=months)
    return _describe(rng, s), _days(rng, counts)


def _schedule(rng: np.random.Generator, ids: list[str], year: int) -> pd.DataFrame:
    """Start and completion dates: 2016 works start May–October; 2017 works start March–June
    and all are done before the article of 11 August 2017 reports 102 stairwells (seed)."""
    n = len(ids)
    first_start, last_start, longest = ("05-01", 180, 60) if year == 2016 else ("03-01", 105, 50)
    start = pd.Timestamp(f"{year}-{first_start}") + pd.to_timedelta(
        rng.integers(0, last_start, n), "D"
    )
    done = start + pd.to_timedelta(rng.integers(14, longest, n), "D")
    return pd.DataFrame(
        {"building_id": ids, "year": year, "started_on": start, "completed_on": done}
    )


def _cut(rate: pd.DataFrame, s: pd.DataFrame) -> pd.DataFrame:
    """Monthly rates cut to CLUTTER_CUT from the first month that starts after completion."""
    out = rate.copy()
    done = s.set_index("building_id")["completed_on"]
    for bid, day in done.items():
        out.loc[bid, out.columns > day] *= CLUTTER_CUT
    return out


def _days(rng: np.random.Generator, counts: pd.DataFrame) -> pd.Series:
    """One entry per complaint: its building group, indexed by a random day of its month."""
    long = counts.stack()
    long = long[long > 0]
    month = long.index.get_level_values(1).repeat(long.to_numpy())
    bid = long.index.get_level_values(0).repeat(long.to_numpy())
    offset = np.floor(rng.random(len(month)) * month.days_in_month).astype(int)
    day = month + pd.to_timedelta(offset, "D")
    return pd.Series(bid, index=day, name="building_id")


def _describe(rng: np.random.Generator, s: pd.DataFrame) -> pd.DataFrame:
    """Ids in order of start, budgets, volunteers and on-site scores."""
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
