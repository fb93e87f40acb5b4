"""The community foundation (founded 2016): donations by donor type and the grants it made."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shequlab.data.common import Context, pick, round_to
from shequlab.data.schema import Field, Table, coded, fk

FOUNDED_ON = pd.Timestamp("2016-06-18")  # estimate: the seed says "founded last year"
DONOR_TYPES = {
    "central_soe": "央企",
    "local_soe": "地方国企",
    "small_micro": "中小微企业",
    "social_org": "社会组织",
    "individual": "个人",
}
THEMES = {
    "elderly_children": "一老一小",
    "environment": "环境美化",
    "culture": "文化体育",
    "hardship": "困难帮扶",
    "community_building": "社区营造",
    "micro_governance": "微治理",
}
GRANTEES = {
    "residents_committee": "居委会",
    "social_org": "社会组织",
    "micro_project": "微治理项目",
}
GRANT_STATUS = {"completed": "已结项", "in_progress": "执行中"}

TABLES = [
    Table(
        "foundation_donations",
        "社区基金会捐赠",
        "Foundation donations",
        "一行是社区基金会收到的一笔捐赠；个人捐赠者不具名。",
        "One row is one donation to the community foundation; individual donors are anonymous.",
        (
            Field("donation_id", "string", "捐赠编号", "Donation id", unique=True),
            Field("donated_on", "date", "捐赠日期", "Donated on"),
            *coded("donor_type", "捐赠方类型", "Donor type", DONOR_TYPES),
            Field("unit_id", "string", "共建单位编号", "Member unit id", required=False),
            Field("amount_yuan", "integer", "金额", "Amount", unit="元", minimum=1),
            Field("restricted", "boolean", "定向捐赠", "Restricted to a purpose"),
            *coded("purpose", "定向用途", "Purpose", THEMES, required=False),
        ),
        ("donation_id",),
        (fk("unit_id", "member_units"),),
    ),
    Table(
        "foundation_grants",
        "社区基金会资助",
        "Foundation grants",
        "一行是社区基金会的一笔资助。",
        "One row is one grant made by the community foundation.",
        (
            Field("grant_id", "string", "资助编号", "Grant id", unique=True),
            Field("granted_on", "date", "资助日期", "Granted on"),
            *coded("theme", "主题", "Theme", THEMES),
            *coded("grantee_kind", "受助方类型", "Grantee kind", GRANTEES),
            Field("area_id", "string", "居民区编号", "Residential area id", required=False),
            Field("micro_id", "string", "微项目编号", "Micro-project id", required=False),
            Field("amount_yuan", "integer", "金额", "Amount", unit="元", minimum=1),
            *coded("status", "状态（2017年末）", "Status (end 2017)", GRANT_STATUS),
        ),
        ("grant_id",),
        (fk("area_id", "residential_areas"), fk("micro_id", "micro_projects")),
    ),
]


def build(ctx: Context) -> None:
    rng = ctx.rng("foundation")
    ctx.tables["foundation_donations"] = _donations(rng, ctx["member_units"])
    ctx.tables["foundation_grants"] = _grants(rng, ctx["micro_projects"])


def _donations(rng: np.random.Generator, units: pd.DataFrame) -> pd.DataFrame:
    rows = []
    firms = units[
        units["unit_type_code"].isin(["central_soe", "local_soe", "small_micro", "social_org"])
    ]
    for _, u in firms.iterrows():
        # founders gave at the founding; units that joined in 2017 are the new corporate donors
        first = FOUNDED_ON if u["joined_year"] <= 2016 else pd.Timestamp("2017-03-01")
        scale = {
            "central_soe": 300000,
            "local_soe": 150000,
            "small_micro": 20000,
            "social_org": 10000,
        }[u["unit_type_code"]]
        gifts = 1 + int(rng.random() < 0.5)
        for g in range(gifts):
            when = first + pd.Timedelta(days=int(rng.integers(0, 200)) if g else 0)
            rows.append(
                (
                    when,
                    u["unit_type_code"],
                    u["unit_id"],
                    int(round_to(scale * rng.uniform(0.5, 1.5), 1000)),
                )
            )
    for _ in range(70):  # small gifts from residents
        when = FOUNDED_ON + pd.Timedelta(days=int(rng.integers(0, 560)))
        rows.append((when, "individual", None, int(round_to(rng.lognormal(6.5, 0.9), 10))))
    d = pd.DataFrame(rows, columns=["donated_on", "donor_type_code", "unit_id", "amount_yuan"])
    d = d.sort_values(["donated_on", "donor_type_code", "amount_yuan"], kind="stable")
    d = d.reset_index(drop=True)
    d.insert(0, "donation_id", [f"D{i:03d}" for i in range(1, len(d) + 1)])
    d["donor_type"] = d["donor_type_code"].map(DONOR_TYPES)
    d["restricted"] = rng.random(len(d)) < 0.3
    d["purpose_code"] = pd.Series(pick(rng, {k: 1 for k in THEMES}, len(d))).where(d["restricted"])
    d["purpose"] = d["purpose_code"].map(THEMES)
    return d


def _grants(rng: np.random.Generator, micro: pd.DataFrame) -> pd.DataFrame:
    rows = []
    cofunded = micro[micro["cofunding_yuan"] > 0].sample(12, random_state=rng)
    for _, p in cofunded.iterrows():
        rows.append(
            (
                max(pd.Timestamp(f"{p['year']}-04-15"), FOUNDED_ON + pd.Timedelta(days=30)),
                "micro_governance",
                "micro_project",
                p["area_id"],
                p["micro_id"],
                int(p["cofunding_yuan"]),
            )
        )
    areas = micro["area_id"].unique()
    for _ in range(38):
        when = FOUNDED_ON + pd.Timedelta(days=int(rng.integers(60, 560)))
        theme = pick(
            rng,
            {
                "elderly_children": 35,
                "environment": 15,
                "culture": 15,
                "hardship": 20,
                "community_building": 15,
            },
            1,
        )[0]
        kind = "residents_committee" if rng.random() < 0.55 else "social_org"
        area = rng.choice(areas) if kind == "residents_committee" else None
        rows.append((when, theme, kind, area, None, int(round_to(rng.uniform(5000, 60000), 500))))
    g = pd.DataFrame(
        rows,
        columns=[
            "granted_on",
            "theme_code",
            "grantee_kind_code",
            "area_id",
            "micro_id",
            "amount_yuan",
        ],
    )
    g = g.sort_values(["granted_on", "amount_yuan"], kind="stable").reset_index(drop=True)
    g.insert(0, "grant_id", [f"GR{i:03d}" for i in range(1, len(g) + 1)])
    g["theme"] = g["theme_code"].map(THEMES)
    g["grantee_kind"] = g["grantee_kind_code"].map(GRANTEES)
    recent = g["granted_on"] > "2017-09-30"
    g["status_code"] = np.where(recent, "in_progress", "completed")
    g["status"] = g["status_code"].map(GRANT_STATUS)
    return g
