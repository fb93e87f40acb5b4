"""Co-governance: member units, the needs and resource lists, the annual project list, and the
representative conference's scores of administrative bodies."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shequlab.data.common import Context, pick
from shequlab.data.schema import Field, Table, coded, fk

UNIT_TYPES = {
    "central_soe": "央企",
    "local_soe": "地方国企",
    "small_micro": "中小微企业",
    "school": "学校",
    "hospital": "医疗机构",
    "social_org": "社会组织",
    "public_body": "机关事业单位",
}
UNIT_COUNTS = {
    "central_soe": 4,
    "local_soe": 7,
    "small_micro": 13,
    "school": 4,
    "hospital": 2,
    "social_org": 6,
    "public_body": 4,
}
INDUSTRY = {
    "central_soe": ["通信", "电力", "银行", "石化"],
    "local_soe": ["公交", "物业", "建设", "燃气", "银行", "百货", "水务"],
    "small_micro": [
        "咖啡馆",
        "设计",
        "餐饮",
        "书店",
        "健身",
        "律所",
        "培训",
        "超市",
        "花店",
        "药房",
        "洗衣",
        "文创",
        "家政",
    ],
}
THEMES = {
    "elderly_children": "一老一小",
    "environment": "环境美化",
    "culture": "文化体育",
    "safety": "平安建设",
    "employment": "就业帮扶",
    "parking": "停车难",
    "health": "健康服务",
    "disability": "助残服务",
}
NEED_TITLES = {
    "elderly_children": ["老年助餐点", "放学后托管", "独居老人探访", "暑期亲子活动"],
    "environment": ["楼道美化", "小区绿化补种", "垃圾箱房改造"],
    "culture": ["社区合唱团场地", "居民读书会", "老洋房历史讲座"],
    "safety": ["电动车充电隐患整治", "老旧电线排查", "防诈骗宣传"],
    "employment": ["失业青年就业指导", "大龄居民技能培训"],
    "parking": ["夜间停车位共享", "非机动车停放点"],
    "health": ["家庭医生签约宣传", "慢病健康讲座", "义诊"],
    "disability": ["无障碍坡道", "残障人士康复陪伴"],
}
RESOURCE_KINDS = {
    "venue": "场地",
    "funding": "资金",
    "volunteers": "志愿者",
    "professional": "专业服务",
    "goods": "物资",
}
PRIORITY = {"high": "高", "medium": "中", "low": "低"}
RAISED_VIA = {
    "conference": "社区代表大会",
    "residential_area": "居民区征集",
    "online_platform": "党建服务管理平台（线上）",
}
CLAIM_STATUS = {"completed": "已完成", "in_progress": "进行中", "not_completed": "未完成"}
BODIES = [  # code, name, English, kind, latent quality (estimate for the synthetic scores)
    ("general_office", "党政办公室", "General office", "subdistrict", 3.9),
    ("party_building_office", "党建办公室", "Party-building office", "subdistrict", 4.1),
    ("management_office", "管理办公室", "Management office", "subdistrict", 3.7),
    ("service_office", "服务办公室", "Service office", "subdistrict", 4.0),
    ("safety_office", "平安办公室", "Safety office", "subdistrict", 3.8),
    ("self_governance_office", "自治办公室", "Self-governance office", "subdistrict", 3.9),
    ("affairs_centre", "社区事务受理服务中心", "Community affairs centre", "subdistrict_unit", 4.2),
    ("grid_centre", "城市网格化综合管理中心", "Grid management centre", "subdistrict_unit", 3.8),
    ("police_station", "新华路派出所", "Police station", "district_dispatched", 4.0),
    ("law_enforcement", "城管执法中队", "Urban management squad", "district_dispatched", 3.3),
    ("housing_office", "房管办", "Housing management office", "district_dispatched", 3.0),
    ("market_supervision", "市场监管所", "Market supervision office", "district_dispatched", 3.6),
]
BODY_KINDS = {
    "subdistrict": "街道机关科室",
    "subdistrict_unit": "街道事业单位",
    "district_dispatched": "区派出机构",
}
CRITERIA = {"attitude": "服务态度", "efficiency": "办事效率", "outcome": "解决成效"}
REP_TYPES = {
    "resident": "居民代表",
    "unit": "驻区单位代表",
    "social_org": "社会组织代表",
    "deputy": "人大代表/政协委员",
}
STRAIGHT_LINER = "R07"  # planted: scores every body 5 on everything

TABLES = [
    Table(
        "member_units",
        "共建单位",
        "Member units",
        "一行是“凝聚力工程”学会新华分会的一个成员单位（名称虚构）。",
        "One row is one member unit of the co-governance society's Xinhua branch (fictional name).",
        (
            Field("unit_id", "string", "单位编号", "Member unit id", unique=True),
            Field("name", "string", "单位名称（虚构）", "Name (fictional)"),
            *coded("unit_type", "单位类型", "Unit type", UNIT_TYPES),
            Field("joined_year", "integer", "加入年份", "Year joined", minimum=2014, maximum=2017),
        ),
        ("unit_id",),
    ),
    Table(
        "needs",
        "需求清单",
        "Needs list",
        "一行是自下而上征集的一项居民需求。",
        "One row is one residents' need collected bottom-up.",
        (
            Field("need_id", "string", "需求编号", "Need id", unique=True),
            Field("year", "integer", "年份", "Year", minimum=2016, maximum=2017),
            Field(
                "area_id",
                "string",
                "居民区编号（空=全街道）",
                "Area id (empty = subdistrict)",
                required=False,
            ),
            *coded("theme", "主题", "Theme", THEMES),
            Field("title", "string", "需求", "Need"),
            *coded("raised_via", "征集渠道", "Raised via", RAISED_VIA),
            *coded("priority", "优先级", "Priority", PRIORITY),
            Field(
                "people_affected", "integer", "涉及居民数", "People affected", unit="人", minimum=1
            ),
        ),
        ("need_id",),
        (fk("area_id", "residential_areas"),),
    ),
    Table(
        "resources",
        "资源清单",
        "Resource list",
        "一行是成员单位提供的一项资源。",
        "One row is one resource a member unit offers.",
        (
            Field("resource_id", "string", "资源编号", "Resource id", unique=True),
            Field("year", "integer", "年份", "Year", minimum=2016, maximum=2017),
            Field("unit_id", "string", "提供单位", "Member unit id"),
            *coded("kind", "资源类型", "Kind", RESOURCE_KINDS),
            *coded("theme", "适用主题", "Theme", THEMES),
            Field("value_yuan", "integer", "折合价值", "Value", unit="元", minimum=0),
        ),
        ("resource_id",),
        (fk("unit_id", "member_units"),),
    ),
    Table(
        "project_claims",
        "年度项目清单",
        "Annual project list",
        "一行是年度项目清单中被成员单位认领的一个项目。",
        "One row is one project on the annual list, claimed by a member unit.",
        (
            Field("project_id", "string", "项目编号", "Project id", unique=True),
            Field("year", "integer", "年份", "Year", minimum=2016, maximum=2017),
            Field("need_id", "string", "对应需求", "Need id"),
            Field("resource_id", "string", "使用资源", "Resource id"),
            Field("unit_id", "string", "认领单位", "Claiming unit id"),
            Field("claimed_on", "date", "认领日期", "Claimed on"),
            Field("budget_yuan", "integer", "预算", "Budget", unit="元", minimum=0),
            *coded("status", "状态（年末）", "Status (year end)", CLAIM_STATUS),
            Field("beneficiaries", "integer", "受益人数", "Beneficiaries", unit="人", minimum=0),
        ),
        ("project_id",),
        (fk("need_id", "needs"), fk("resource_id", "resources"), fk("unit_id", "member_units")),
    ),
    Table(
        "admin_bodies",
        "行政组织",
        "Administrative bodies",
        "一行是社区代表大会评议的一个行政组织。",
        "One row is one administrative body the representative conference appraises.",
        (
            Field("body_id", "string", "机构代码", "Body id", unique=True),
            Field("name", "string", "机构名称", "Name"),
            Field("name_en", "string", "英文名", "Name (English)"),
            *coded("kind", "类型", "Kind", BODY_KINDS),
        ),
        ("body_id",),
    ),
    Table(
        "representatives",
        "社区代表",
        "Representatives",
        "一行是社区代表大会的一名代表（虚构）。",
        "One row is one conference representative (fictional).",
        (
            Field("rep_id", "string", "代表编号", "Representative id", unique=True),
            *coded("rep_type", "代表类型", "Representative type", REP_TYPES),
            Field("area_id", "string", "居民区编号", "Residential area id", required=False),
            Field("unit_id", "string", "所在单位", "Member unit id", required=False),
            Field(
                "age_band", "string", "年龄段", "Age band", enum=("18-34", "35-49", "50-64", "65+")
            ),
        ),
        ("rep_id",),
        (fk("area_id", "residential_areas"), fk("unit_id", "member_units")),
    ),
    Table(
        "representative_ratings",
        "代表评议打分",
        "Representatives' ratings",
        "一行是一名代表在某年就某一方面给某行政组织打的分（1–5，空=未评）。",
        "One row is one representative's 1–5 score of one body on one criterion in one year "
        "(empty = not rated).",
        (
            Field("year", "integer", "年份", "Year", minimum=2016, maximum=2017),
            Field("rep_id", "string", "代表编号", "Representative id"),
            Field("body_id", "string", "机构代码", "Body id"),
            *coded("criterion", "评议方面", "Criterion", CRITERIA),
            Field("score", "integer", "得分", "Score", required=False, minimum=1, maximum=5),
        ),
        ("year", "rep_id", "body_id", "criterion_code"),
        (fk("rep_id", "representatives"), fk("body_id", "admin_bodies")),
    ),
]


def build(ctx: Context) -> None:
    rng = ctx.rng("cogovernance")
    units = _member_units(rng)
    ctx.tables["member_units"] = units
    areas = ctx["residential_areas"]["area_id"].tolist()
    needs = _needs(rng, areas)
    resources = _resources(rng, units)
    ctx.tables["needs"], ctx.tables["resources"] = needs, resources
    ctx.tables["project_claims"] = _claims(rng, needs, resources)
    bodies = pd.DataFrame(
        [b[:4] for b in BODIES], columns=["body_id", "name", "name_en", "kind_code"]
    )
    bodies["kind"] = bodies["kind_code"].map(BODY_KINDS)
    ctx.tables["admin_bodies"] = bodies
    reps = _representatives(rng, areas, units)
    ctx.tables["representatives"] = reps
    ctx.tables["representative_ratings"] = _ratings(rng, reps)


def _member_units(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    letters = "甲乙丙丁戊己庚辛壬癸子丑寅"
    for code, k in UNIT_COUNTS.items():
        for i in range(k):
            trade = INDUSTRY.get(code)
            suffix = f"（{trade[i % len(trade)]}）" if trade else ""
            rows.append((f"{UNIT_TYPES[code]}{letters[i]}{suffix}", code))
    u = pd.DataFrame(rows, columns=["name", "unit_type_code"])
    u.insert(0, "unit_id", [f"U{i:02d}" for i in range(1, len(u) + 1)])
    u["unit_type"] = u["unit_type_code"].map(UNIT_TYPES)
    u["joined_year"] = rng.choice([2014, 2015, 2016], len(u), p=[0.45, 0.35, 0.2])
    # the seed: new corporate donors in 2017 — a central SOE, a local SOE and small firms
    newest = u.groupby("unit_type_code").tail(1).index
    u.loc[newest[u.loc[newest, "unit_type_code"].isin(list(INDUSTRY))], "joined_year"] = 2017
    return u


def _needs(rng: np.random.Generator, areas: list[str]) -> pd.DataFrame:
    rows = []
    for year, n in ((2016, 30), (2017, 34)):
        themes = pick(
            rng,
            {
                "elderly_children": 22,
                "environment": 16,
                "culture": 12,
                "safety": 12,
                "employment": 6,
                "parking": 14,
                "health": 10,
                "disability": 8,
            },
            n,
        )
        for i, th in enumerate(themes, start=1):
            rows.append(
                {
                    "need_id": f"N{year}-{i:02d}",
                    "year": year,
                    "area_id": None if rng.random() < 0.12 else rng.choice(areas),
                    "theme_code": th,
                    "title": rng.choice(NEED_TITLES[th]),
                    "raised_via_code": pick(
                        rng,
                        {
                            "conference": 3,
                            "residential_area": 5,
                            "online_platform": 2 + 2 * (year - 2016),
                        },
                        1,
                    )[0],
                    "priority_code": pick(rng, {"high": 3, "medium": 5, "low": 2}, 1)[0],
                    "people_affected": int(rng.integers(30, 1500)),
                }
            )
    n = pd.DataFrame(rows)
    n["theme"] = n["theme_code"].map(THEMES)
    n["raised_via"] = n["raised_via_code"].map(RAISED_VIA)
    n["priority"] = n["priority_code"].map(PRIORITY)
    return n


def _resources(rng: np.random.Generator, units: pd.DataFrame) -> pd.DataFrame:
    rows = []
    # planted: no member unit offers anything for parking, and little for disability services
    weights = {
        "elderly_children": 22,
        "environment": 16,
        "culture": 18,
        "safety": 10,
        "employment": 10,
        "parking": 0,
        "health": 12,
        "disability": 2,
    }
    for year, n in ((2016, 28), (2017, 33)):
        members = units[units["joined_year"] <= year]
        for i, th in enumerate(pick(rng, weights, n), start=1):
            unit = members.sample(1, random_state=rng).iloc[0]
            kind = pick(
                rng,
                {
                    "venue": 3,
                    "funding": 3 if unit["unit_type_code"] in ("central_soe", "local_soe") else 1,
                    "volunteers": 3,
                    "professional": 2,
                    "goods": 1,
                },
                1,
            )[0]
            rows.append(
                {
                    "resource_id": f"R{year}-{i:02d}",
                    "year": year,
                    "unit_id": unit["unit_id"],
                    "kind_code": kind,
                    "theme_code": th,
                    "value_yuan": int(round(rng.lognormal(9.6, 0.7), -2)),
                }
            )
    r = pd.DataFrame(rows)
    r["kind"] = r["kind_code"].map(RESOURCE_KINDS)
    r["theme"] = r["theme_code"].map(THEMES)
    return r


def _claims(rng: np.random.Generator, needs: pd.DataFrame, res: pd.DataFrame) -> pd.DataFrame:
    """Match each year's needs to resources of the same theme, most urgent needs first."""
    rank = needs["priority_code"].map({"high": 0, "medium": 1, "low": 2})
    order = needs.assign(rank=rank).sort_values(
        ["year", "rank", "people_affected"], ascending=[True, True, False]
    )
    used: set[str] = set()
    rows = []
    for _, need in order.iterrows():
        pool = res[
            (res["year"] == need["year"])
            & (res["theme_code"] == need["theme_code"])
            & ~res["resource_id"].isin(used)
        ]
        if pool.empty:
            continue
        r = pool.iloc[0]
        used.add(r["resource_id"])
        rows.append(
            {
                "year": need["year"],
                "need_id": need["need_id"],
                "resource_id": r["resource_id"],
                "unit_id": r["unit_id"],
                "claimed_on": pd.Timestamp(f"{need['year']}-03-01")
                + pd.Timedelta(days=int(rng.integers(0, 60))),
                "budget_yuan": int(r["value_yuan"]),
                "status_code": pick(
                    rng, {"completed": 80, "in_progress": 12, "not_completed": 8}, 1
                )[0],
                "beneficiaries": int(need["people_affected"] * rng.uniform(0.4, 1.0)),
            }
        )
    c = pd.DataFrame(rows).sort_values(["year", "claimed_on", "need_id"]).reset_index(drop=True)
    c.insert(
        0,
        "project_id",
        [
            f"PL{y}-{i:02d}"
            for y, i in zip(c["year"], c.groupby("year").cumcount() + 1, strict=True)
        ],
    )
    c["status"] = c["status_code"].map(CLAIM_STATUS)
    return c


def _representatives(
    rng: np.random.Generator, areas: list[str], units: pd.DataFrame
) -> pd.DataFrame:
    n = 45
    types = np.array(["resident"] * 27 + ["unit"] * 11 + ["social_org"] * 4 + ["deputy"] * 3)
    reps = pd.DataFrame({"rep_id": [f"R{i:02d}" for i in range(1, n + 1)], "rep_type_code": types})
    reps.loc[6, "rep_type_code"] = "resident"  # R07
    reps["rep_type"] = reps["rep_type_code"].map(REP_TYPES)
    is_res = reps["rep_type_code"].eq("resident")
    reps["area_id"] = np.where(is_res, [areas[i % len(areas)] for i in range(n)], None)
    org_units = units[units["unit_type_code"].eq("social_org")]["unit_id"].to_numpy()
    reps["unit_id"] = np.select(
        [reps["rep_type_code"].eq("unit"), reps["rep_type_code"].eq("social_org")],
        [rng.choice(units["unit_id"], n), rng.choice(org_units, n)],
        default=None,
    )
    reps["unit_id"] = reps["unit_id"].where(reps["unit_id"].astype(bool), None)
    reps["age_band"] = rng.choice(["18-34", "35-49", "50-64", "65+"], n, p=[0.1, 0.3, 0.35, 0.25])
    return reps


def _ratings(rng: np.random.Generator, reps: pd.DataFrame) -> pd.DataFrame:
    """Score = body quality + rater leniency + noise; planted: one straight-liner, housing office
    low and divisive, the urban-management squad better in 2017 after joint patrols."""
    leniency = dict(zip(reps["rep_id"], rng.normal(0, 0.45, len(reps)), strict=True))
    rows = []
    for year in (2016, 2017):
        for rep in reps["rep_id"]:
            for code, _n, _e, _k, quality in BODIES:
                q = quality + (0.6 if code == "law_enforcement" and year == 2017 else 0)
                spread = 1.3 if code == "housing_office" else 0.6
                for crit in CRITERIA:
                    if rep == STRAIGHT_LINER:
                        score: float | None = 5
                    elif rng.random() < 0.05:
                        score = None  # did not rate a body they had no dealings with
                    else:
                        score = float(
                            np.clip(np.round(q + leniency[rep] + rng.normal(0, spread)), 1, 5)
                        )
                    rows.append((year, rep, code, crit, score))
    r = pd.DataFrame(rows, columns=["year", "rep_id", "body_id", "criterion_code", "score"])
    r["criterion"] = r["criterion_code"].map(CRITERIA)
    return r
