"""People who do the work: units, workers on the 三档十八级 scale, pay, pairings and their tasks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shequlab.data.common import Context, fake_names, pick
from shequlab.data.schema import Field, Table, coded, fk

REF_DATE = pd.Timestamp("2017-12-31")
TIERS = [  # code, name, posts, level band (estimate: no public table was found)
    ("head", "一档（正职）", "居民区书记、居委会主任", 8, 18),
    ("deputy", "二档（副职）", "副书记、副主任", 5, 15),
    ("staff", "三档（社工）", "社区工作者", 1, 12),
]
AVG_WAGE = {2016: 7100, 2017: 7600}  # city average monthly wage, yuan (2017 is an estimate)
UNITS = [  # code, name, English, kind, established (public-service units grew from 1 to 4)
    ("general_office", "党政办公室", "General office", "office", 2000),
    ("party_building_office", "党建办公室", "Party-building office", "office", 2015),
    ("management_office", "管理办公室", "Management office", "office", 2015),
    ("service_office", "服务办公室", "Service office", "office", 2015),
    ("safety_office", "平安办公室", "Safety office", "office", 2015),
    ("self_governance_office", "自治办公室", "Self-governance office", "office", 2015),
    ("affairs_centre", "社区事务受理服务中心", "Community affairs centre", "public_service", 2006),
    (
        "party_service_centre",
        "社区党建服务中心",
        "Party-building service centre",
        "public_service",
        2015,
    ),
    ("grid_centre", "城市网格化综合管理中心", "Grid management centre", "public_service", 2015),
    ("culture_centre", "社区文化活动中心", "Community culture centre", "public_service", 2016),
]
UNIT_KIND = {"office": "机关科室", "public_service": "事业单位", "residential_area": "居民区"}
STAFF = {
    "community_worker": "社区工作者",
    "official": "机关干部",
    "public_service_staff": "事业单位人员",
}
POSTS = {
    "secretary": "居民区党总支书记",
    "director": "居委会主任",
    "deputy": "副书记/副主任",
    "social_worker": "社工",
    "official": "科员/科长",
    "centre_staff": "中心工作人员",
}
EDUCATION = {"secondary": "高中/中专", "college": "大专", "bachelor": "本科", "master": "硕士"}
QUALIFICATION = {
    "none": "无",
    "assistant": "助理社会工作师",
    "intermediate": "社会工作师",
    "senior": "高级社会工作师",
}
TASK_KINDS = {
    "repair": ("设施维修", ["更换楼道灯", "修理单元门禁", "疏通雨水管", "修补楼梯扶手"]),
    "environment": ("环境整治", ["清理楼道堆物", "清理屋顶杂物", "整治楼前绿地"]),
    "elderly": ("为老服务", ["为独居老人安装紧急呼叫器", "陪同高龄老人就医", "代办敬老卡"]),
    "safety": ("安全隐患", ["更换老化电线", "清理消防通道", "加装楼道灭火器"]),
    "mediation": ("邻里调解", ["调解漏水纠纷", "调解噪声纠纷", "调解晾晒纠纷"]),
    "convenience": ("便民服务", ["组织上门理发", "设置快递代收点", "开展家电义修"]),
}
N_PAIRINGS = 240  # seed figure
N_TASKS_DONE = 86  # seed: "80余件"

TABLES = [
    Table(
        "units",
        "街道内设机构与居民区",
        "Units",
        "一行是一个街道机关科室、事业单位或居民区。",
        "One row is a subdistrict office, a public-service unit or a residential area.",
        (
            Field("unit_code", "string", "单位代码", "Unit code", unique=True),
            Field("name", "string", "单位名称", "Unit name"),
            Field("name_en", "string", "英文名", "Name (English)"),
            *coded("kind", "单位类型", "Unit kind", UNIT_KIND),
            Field(
                "established_year",
                "integer",
                "设立年份（估计）",
                "Year established (estimate)",
                minimum=1950,
                maximum=2017,
            ),
        ),
        ("unit_code",),
    ),
    Table(
        "tiers",
        "三档",
        "Pay tiers",
        "一行是“三档十八级”中的一档，及其可用的级别区间（估计）。",
        "One row is one tier of the 3-tier 18-level scale with its level band (estimate).",
        (
            Field("tier_code", "string", "档次代码", "Tier code", unique=True),
            Field("tier", "string", "档次", "Tier"),
            Field("posts", "string", "对应岗位", "Posts"),
            Field("level_min", "integer", "最低级别", "Lowest level", minimum=1, maximum=18),
            Field("level_max", "integer", "最高级别", "Highest level", minimum=1, maximum=18),
        ),
        ("tier_code",),
    ),
    Table(
        "pay_scale",
        "薪酬标准",
        "Pay scale",
        "一行是某年某一级别的月薪标准，以全市平均工资的倍数建模（估计）。",
        "One row is the monthly pay of one level in one year, modelled as a multiple of the "
        "city average wage (estimate).",
        (
            Field("year", "integer", "年份", "Year", minimum=2016, maximum=2017),
            Field("level", "integer", "级别", "Level", minimum=1, maximum=18),
            Field(
                "city_average_wage",
                "integer",
                "全市月平均工资",
                "City average monthly wage",
                unit="元/月",
            ),
            Field("multiple", "number", "倍数", "Multiple of average wage", minimum=0.5),
            Field("monthly_pay", "integer", "月薪", "Monthly pay", unit="元/月", minimum=0),
        ),
        ("year", "level"),
    ),
    Table(
        "workers",
        "社工及机关干部",
        "Social workers and officials",
        "一行是一名社区工作者、机关干部或事业单位人员（虚构）；年龄为2017年末。",
        "One row is one community worker, official or public-service staff member (fictional); "
        "ages at the end of 2017.",
        (
            Field("worker_id", "string", "人员编号", "Worker id", unique=True, pattern=r"W\d{4}"),
            Field("name", "string", "姓名（虚构）", "Name (fictional)"),
            Field("gender", "string", "性别", "Gender", enum=("女", "男")),
            Field("age", "integer", "年龄", "Age", unit="岁", minimum=18, maximum=70),
            *coded("staff_category", "人员类别", "Staff category", STAFF),
            *coded("post", "岗位", "Post", POSTS),
            Field("unit_code", "string", "所在单位代码", "Unit code"),
            Field("area_id", "string", "居民区编号", "Residential area id", required=False),
            Field(
                "tier_code",
                "string",
                "档次",
                "Tier",
                required=False,
                enum=tuple(t[0] for t in TIERS),
            ),
            Field("level", "integer", "级别", "Level", required=False, minimum=1, maximum=18),
            Field("hire_date", "date", "入职日期", "Hire date"),
            *coded("education", "学历", "Education", EDUCATION),
            *coded("qualification", "社工职业资格", "Social-work qualification", QUALIFICATION),
            Field("party_member", "boolean", "党员", "Party member"),
            Field("public_service_post", "boolean", "纳入事业编制", "On a public-service post"),
            Field("youth_deputy_post", "boolean", "“专兼挂”副书记", "Youth deputy-secretary post"),
        ),
        ("worker_id",),
        (fk("unit_code", "units"), fk("area_id", "residential_areas"), fk("tier_code", "tiers")),
    ),
    Table(
        "pairings",
        "结对",
        "Pairings",
        "一行是一名社工或机关干部与一位楼组长的结对（2017年大走访）。",
        "One row pairs one worker with one building-group leader (2017 home-visit campaign).",
        (
            Field("pairing_id", "string", "结对编号", "Pairing id", unique=True),
            Field("worker_id", "string", "人员编号", "Worker id", unique=True),
            Field("building_id", "string", "楼组编号", "Building group id", unique=True),
            Field("paired_on", "date", "结对日期", "Paired on"),
            Field(
                "visits_2017", "integer", "2017年走访次数", "Visits in 2017", unit="次", minimum=0
            ),
        ),
        ("pairing_id",),
        (fk("worker_id", "workers"), fk("building_id", "buildings")),
    ),
    Table(
        "pairing_tasks",
        "结对实事",
        "Pairing tasks",
        "一行是结对双方为楼组办的一件实事。",
        "One row is one practical task done for a building group.",
        (
            Field("task_id", "string", "实事编号", "Task id", unique=True),
            Field("pairing_id", "string", "结对编号", "Pairing id"),
            *coded("category", "类别", "Category", {k: v[0] for k, v in TASK_KINDS.items()}),
            Field("title", "string", "内容", "Task"),
            Field("requested_on", "date", "提出日期", "Requested on"),
            Field("completed_on", "date", "完成日期", "Completed on", required=False),
            *coded("status", "状态", "Status", {"completed": "已完成", "in_progress": "进行中"}),
            Field(
                "residents_benefited",
                "integer",
                "受益居民数",
                "Residents benefited",
                unit="人",
                minimum=0,
            ),
        ),
        ("task_id",),
        (fk("pairing_id", "pairings"),),
    ),
]


def build(ctx: Context) -> None:
    rng = ctx.rng("people")
    areas = ctx["residential_areas"]
    units = pd.DataFrame(
        UNITS, columns=["unit_code", "name", "name_en", "kind_code", "established_year"]
    )
    area_units = pd.DataFrame(
        {
            "unit_code": areas["area_id"],
            "name": areas["name"],
            "name_en": areas["name_en"],
            "kind_code": "residential_area",
            "established_year": 1990,
        }
    )
    units = pd.concat([units, area_units], ignore_index=True)
    units["kind"] = units["kind_code"].map(UNIT_KIND)
    ctx.tables["units"] = units
    ctx.tables["tiers"] = pd.DataFrame(
        TIERS, columns=["tier_code", "tier", "posts", "level_min", "level_max"]
    )
    ctx.tables["pay_scale"] = _pay_scale()
    workers = _workers(rng, areas)
    ctx.tables["workers"] = workers
    pairings = _pairings(rng, workers, ctx["buildings"])
    ctx.tables["pairings"] = pairings
    ctx.tables["pairing_tasks"] = _tasks(rng, pairings, ctx["buildings"])


def _pay_scale() -> pd.DataFrame:
    rows = []
    for year, wage in AVG_WAGE.items():
        for level in range(1, 19):
            mult = round(0.8 + (level - 1) * 0.8 / 17, 3)  # level 1 = 0.8×, level 18 = 1.6×
            rows.append((year, level, wage, mult, int(round(wage * mult, -1))))
    return pd.DataFrame(
        rows, columns=["year", "level", "city_average_wage", "multiple", "monthly_pay"]
    )


def _workers(rng: np.random.Generator, areas: pd.DataFrame) -> pd.DataFrame:
    # staffing norm: at least 18 community workers per 10,000 residents; XH04 is short-staffed
    per_area = np.maximum(6, np.ceil(areas["residents"] / 10_000 * 18.5)).astype(int)
    per_area[areas["area_id"] == "XH04"] = 7
    rows: list[dict] = []
    for area_id, n in zip(areas["area_id"], per_area, strict=True):
        posts = ["secretary", "director", "deputy"] + ["social_worker"] * (n - 3)
        if n >= 9:
            posts[3] = "deputy"
        rows += [
            {
                "staff_category_code": "community_worker",
                "post_code": p,
                "unit_code": area_id,
                "area_id": area_id,
            }
            for p in posts
        ]
    offices = [u[0] for u in UNITS if u[3] == "office"]
    centres = [u[0] for u in UNITS if u[3] == "public_service"]
    n_official = 250 - len(rows) - 37
    rows += [
        {
            "staff_category_code": "official",
            "post_code": "official",
            "unit_code": offices[i % len(offices)],
            "area_id": None,
        }
        for i in range(n_official)
    ]
    rows += [
        {
            "staff_category_code": "public_service_staff",
            "post_code": "centre_staff",
            "unit_code": centres[i % len(centres)],
            "area_id": None,
        }
        for i in range(37)
    ]
    w = pd.DataFrame(rows)
    n = len(w)
    cw = w["staff_category_code"].eq("community_worker")
    young = rng.random(n) < 0.40
    age = np.where(young, rng.integers(23, 36, n), np.clip(rng.normal(46, 6, n), 36, 59))
    age = np.where(w["post_code"].isin(["secretary", "director"]), np.maximum(age, 38), age)
    w["age"] = age.round().astype(int)
    service = np.minimum(w["age"] - 21, rng.gamma(2.2, 4.0, n)).clip(1.0, None)
    hire = REF_DATE - pd.to_timedelta((service * 365.25).round(), unit="D")
    w["hire_date"] = hire.dt.normalize()
    w["name"] = fake_names(rng, n)
    w["gender"] = np.where(rng.random(n) < np.where(cw, 0.72, 0.5), "女", "男")
    w["staff_category"] = w["staff_category_code"].map(STAFF)
    w["post"] = w["post_code"].map(POSTS)
    tier = w["post_code"].map(
        {"secretary": "head", "director": "head", "deputy": "deputy", "social_worker": "staff"}
    )
    w["tier_code"] = tier
    band = {t[0]: (t[3], t[4]) for t in TIERS}
    years = (REF_DATE - w["hire_date"]).dt.days // 365
    step = rng.integers(-1, 2, n)  # appraisal moves a worker a level up or down
    lo = tier.map(lambda t: band[t][0] if isinstance(t, str) else np.nan)
    hi = tier.map(lambda t: band[t][1] if isinstance(t, str) else np.nan)
    w["level"] = (lo + years // 3 + step).clip(lo, hi).astype("Int64")
    w["education_code"] = np.where(
        cw,
        pick(rng, {"secondary": 11, "college": 35, "bachelor": 48, "master": 6}, n),
        pick(rng, {"secondary": 2, "college": 13, "bachelor": 65, "master": 20}, n),
    )
    w["education"] = w["education_code"].map(EDUCATION)
    w["qualification_code"] = np.where(
        cw, pick(rng, {"none": 82, "assistant": 11, "intermediate": 6, "senior": 1}, n), "none"
    )
    w["qualification"] = w["qualification_code"].map(QUALIFICATION)
    w["party_member"] = (rng.random(n) < np.where(cw, 0.32, 0.75)) | w["post_code"].eq("secretary")
    w["public_service_post"] = w["post_code"].eq("secretary")
    youth = cw & (w["age"] <= 35) & w["post_code"].eq("social_worker")
    w["youth_deputy_post"] = youth & (rng.random(n) < 0.25)
    # ten workers hired after the campaign's pairings were made: they are the unpaired ones
    late = rng.choice(
        np.flatnonzero(~w["post_code"].isin(["secretary", "director"])), 10, replace=False
    )
    w.loc[late, "hire_date"] = pd.to_datetime(
        rng.choice(pd.date_range("2017-07-01", "2017-11-30"), 10)
    )
    w.loc[late, "level"] = lo[late].astype("Int64")
    w = w.sample(frac=1, random_state=rng).reset_index(drop=True)
    w.insert(0, "worker_id", [f"W{i:04d}" for i in range(1, n + 1)])
    return w


def _pairings(rng: np.random.Generator, workers: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    eligible = workers[workers["hire_date"] < "2017-03-01"]
    assert len(eligible) == N_PAIRINGS, len(eligible)
    taken: set[str] = set()
    out = []
    areas = sorted(b["area_id"].unique())
    weights = np.array([0.0 if a == "XH04" else 1.0 for a in areas])  # planted coverage gap
    for wid, area in zip(eligible["worker_id"], eligible["area_id"], strict=True):
        if not isinstance(area, str):
            area = rng.choice(areas, p=weights / weights.sum())
        free = b[(b["area_id"] == area) & ~b["building_id"].isin(taken)]
        # workers choose the groups with the most elderly residents first
        choice = free.nlargest(6, "residents_60plus").sample(1, random_state=rng)
        bid = choice["building_id"].iloc[0]
        taken.add(bid)
        out.append((wid, bid))
    p = pd.DataFrame(out, columns=["worker_id", "building_id"])
    p.insert(0, "pairing_id", [f"P{i:03d}" for i in range(1, len(p) + 1)])
    p["paired_on"] = pd.to_datetime(rng.choice(pd.date_range("2017-03-01", "2017-05-31"), len(p)))
    p["visits_2017"] = rng.poisson(6, len(p)).clip(1, None)
    return p


def _tasks(rng: np.random.Generator, pairings: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    n = N_TASKS_DONE + 6
    chosen = pairings.sample(n, replace=True, random_state=rng)
    kinds = pick(
        rng,
        {
            "repair": 25,
            "environment": 20,
            "elderly": 20,
            "safety": 15,
            "mediation": 10,
            "convenience": 10,
        },
        n,
    )
    req = chosen["paired_on"].to_numpy() + pd.to_timedelta(rng.integers(7, 150, n), unit="D")
    t = pd.DataFrame(
        {"pairing_id": chosen["pairing_id"].to_numpy(), "category_code": kinds, "requested_on": req}
    )
    t = t.sort_values(["requested_on", "pairing_id"], kind="stable").reset_index(drop=True)
    t.insert(0, "task_id", [f"T{i:03d}" for i in range(1, n + 1)])
    t["category"] = t["category_code"].map(lambda k: TASK_KINDS[k][0])
    t["title"] = [str(rng.choice(TASK_KINDS[k][1])) for k in t["category_code"]]
    done = np.ones(n, bool)
    done[t.index[-6:]] = False  # the latest six are still under way at the end of 2017
    t["status_code"] = np.where(done, "completed", "in_progress")
    t["status"] = t["status_code"].map({"completed": "已完成", "in_progress": "进行中"})
    t["completed_on"] = (
        t["requested_on"] + pd.to_timedelta(rng.integers(1, 30, n), unit="D")
    ).where(done)
    size = b.set_index("building_id")["residents"]
    bid = t["pairing_id"].map(pairings.set_index("pairing_id")["building_id"])
    t["residents_benefited"] = (bid.map(size) * rng.uniform(0.3, 1.0, n)).round().astype(int)
    return t
