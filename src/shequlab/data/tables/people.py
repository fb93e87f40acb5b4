"""People who do the work: units, workers on the 三档十八级 scale and their pay; the pairing
campaign (tables/pairing.py) is drawn in the same step."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shequlab.data.common import Context, fake_names, pick, truncated_normal
from shequlab.data.schema import Field, Table, coded, fk
from shequlab.data.tables import pairing

REF_DATE = pd.Timestamp("2017-12-31")
TIERS = [  # code, name, posts, level band (estimate: no public table was found)
    ("head", "一档（正职）", "居民区书记、居委会主任", 8, 18),
    ("deputy", "二档（副职）", "副书记、副主任", 5, 15),
    ("staff", "三档（社工）", "社区工作者", 1, 12),
]
# announced Shanghai average monthly wage (¥78,045 and ¥85,582 a year): see datasets/README.md
AVG_WAGE = {2016: 6504, 2017: 7132}
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
    *pairing.TABLES,  # the campaign's tables are drawn in this step, from the same stream
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
    pairings = pairing.pairings(rng, workers, ctx["buildings"])
    ctx.tables["pairings"] = pairings
    ctx.tables["pairing_tasks"] = pairing.tasks(rng, pairings, ctx["buildings"])


def _pay_scale() -> pd.DataFrame:
    rows = []
    for year, wage in AVG_WAGE.items():
        for level in range(1, 19):
            mult = round(0.8 + (level - 1) * 0.8 / 17, 3)  # level 1 = 0.8×, level 18 = 1.6×
            rows.append((year, level, wage, mult, int(round(wage * mult, -1))))
    return pd.DataFrame(
        rows, columns=["year", "level", "city_average_wage", "multiple", "monthly_pay"]
    )


# age at the end of 2017 by post: mean, sd, lowest, highest (estimates; the city's community
# workers average 39, with 38 % aged 35 or under)
AGE = {
    "secretary": (50, 5.5, 36, 59),
    "director": (46, 6.5, 32, 59),
    "deputy": (39, 6.5, 27, 57),
}
# month of hire: most community workers start after the summer recruitment round (estimate)
HIRE_MONTH = np.array([6, 3, 6, 5, 5, 6, 16, 16, 14, 8, 5, 4], dtype=float)


def _ages(rng: np.random.Generator, posts: pd.Series) -> np.ndarray:
    """Ages drawn per post: heads and deputies from their own bell curves, others a young/older
    mixture; draws outside a post's range are redrawn, never clipped (no pile at the bounds)."""
    n = len(posts)
    young = rng.random(n) < 0.38
    mean = np.where(young, 29.0, 45.0)
    sd = np.where(young, 3.5, 6.5)
    lo = np.where(young, 22, 36)
    hi = np.where(young, 35, 59)
    for post, (m, s, a, b) in AGE.items():
        at = posts.eq(post).to_numpy()
        mean[at], sd[at], lo[at], hi[at] = m, s, a, b
    return truncated_normal(rng, mean, sd, lo, hi).round().astype(int)


def _hire_dates(rng: np.random.Generator, age: np.ndarray, post: pd.Series) -> pd.Series:
    """Years of service (longer for heads and older staff), a hire month with a summer peak, a day.
    Nobody starts before 21; only the late hires (set below) start after February 2017."""
    n = len(age)
    # heads ≈17 years on average; older staff ≈15 (many joined from other work in the 1990s
    # and 2000s); younger staff ≈6 (estimates)
    head = post.isin(["secretary", "director"]).to_numpy()
    shape = np.select([head, age >= 40], [5.0, 3.0], 2.0)
    scale = np.select([head, age >= 40], [3.4, 5.0], 2.8)
    most = np.maximum(age - 21, 0)
    years = np.floor(rng.gamma(shape, scale, n))
    years = np.minimum(years, most).astype(int)
    year = 2017 - years
    month = rng.choice(np.arange(1, 13), n, p=HIRE_MONTH / HIRE_MONTH.sum())
    month = np.where(year == 2017, rng.integers(1, 3, n), month)  # before the campaign (March)
    first = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}))
    day = (rng.random(n) * first.dt.days_in_month).astype(int)
    return first + pd.to_timedelta(day, unit="D")


def _education(rng: np.random.Generator, w: pd.DataFrame) -> np.ndarray:
    """Staff recruited since 2008 need a college degree; a senior-secondary diploma is found only
    among workers aged 40+ who joined earlier (estimate)."""
    n = len(w)
    cw = w["staff_category_code"].eq("community_worker").to_numpy()
    early = ((w["hire_date"].dt.year < 2008) & (w["age"] >= 40)).to_numpy()
    return np.select(
        [cw & early, cw],
        [
            pick(rng, {"secondary": 36, "college": 38, "bachelor": 25, "master": 1}, n),
            pick(rng, {"college": 30, "bachelor": 62, "master": 8}, n),
        ],
        np.where(
            early,
            pick(rng, {"secondary": 6, "college": 20, "bachelor": 60, "master": 14}, n),
            pick(rng, {"college": 12, "bachelor": 66, "master": 22}, n),
        ),
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
    w["age"] = _ages(rng, w["post_code"])
    w["hire_date"] = _hire_dates(rng, w["age"].to_numpy(), w["post_code"])
    w["name"] = fake_names(rng, n)
    w["gender"] = np.where(rng.random(n) < np.where(cw, 0.72, 0.5), "女", "男")
    w["staff_category"] = w["staff_category_code"].map(STAFF)
    w["post"] = w["post_code"].map(POSTS)
    tier = w["post_code"].map(
        {"secretary": "head", "director": "head", "deputy": "deputy", "social_worker": "staff"}
    )
    w["tier_code"] = tier
    band = {t[0]: (t[3], t[4]) for t in TIERS}
    step = rng.integers(-1, 2, n)  # appraisal moves a worker a level up or down
    lo = tier.map(lambda t: band[t][0] if isinstance(t, str) else np.nan)
    hi = tier.map(lambda t: band[t][1] if isinstance(t, str) else np.nan)
    # ten workers hired after the campaign's pairings were made: they are the unpaired ones
    newcomer = w["post_code"].isin(["social_worker", "official", "centre_staff"]) & (w["age"] <= 35)
    late = rng.choice(np.flatnonzero(newcomer), 10, replace=False)
    w.loc[late, "hire_date"] = pd.to_datetime(
        rng.choice(pd.date_range("2017-07-01", "2017-11-30"), 10)
    )
    years = (REF_DATE - w["hire_date"]).dt.days // 365
    w["level"] = (lo + years // 3 + step).clip(lo, hi).astype("Int64")
    w.loc[late, "level"] = lo[late].astype("Int64")
    w["education_code"] = _education(rng, w)
    w["education"] = w["education_code"].map(EDUCATION)
    w["qualification_code"] = np.where(
        cw, pick(rng, {"none": 82, "assistant": 11, "intermediate": 6, "senior": 1}, n), "none"
    )
    w["qualification"] = w["qualification_code"].map(QUALIFICATION)
    w["party_member"] = (rng.random(n) < np.where(cw, 0.32, 0.75)) | w["post_code"].eq("secretary")
    w["public_service_post"] = w["post_code"].eq("secretary")
    youth = cw & (w["age"] <= 35) & w["post_code"].eq("social_worker")
    w["youth_deputy_post"] = youth & (rng.random(n) < 0.25)
    w = w.sample(frac=1, random_state=rng).reset_index(drop=True)
    w.insert(0, "worker_id", [f"W{i:04d}" for i in range(1, n + 1)])
    return w
