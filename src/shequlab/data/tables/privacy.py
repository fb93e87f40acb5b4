"""Residents' service requests with FAKE personal data, for teaching privacy-safe handling.

Every name is random, every mobile number starts with 100 (no real mobile number does), and
every ID number fails its GB 11643 check digit on purpose, so none can belong to a real person.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shequlab.data.common import Context, fake_names, pick
from shequlab.data.schema import Field, Table, coded, fk

REGION = "310105"  # Changning District's administrative code, used for the fake IDs
REQUEST_TYPES = {
    "subsistence": "低保咨询",
    "elderly_care": "居家养老服务",
    "disability": "残疾人补贴",
    "employment": "就业援助",
    "housing": "住房困难",
    "counselling": "心理疏导",
    "certificate": "证明开具",
}
TYPE_WEIGHTS = {
    "subsistence": 12,
    "elderly_care": 30,
    "disability": 9,
    "employment": 12,
    "housing": 8,
    "counselling": 3,
    "certificate": 26,
}
SENSITIVE = {"subsistence", "disability", "counselling", "elderly_care"}  # PIPL art. 28
STATUS = {"closed": "已办结", "referred": "已转介", "pending": "办理中"}
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"

TABLES = [
    Table(
        "resident_requests",
        "居民求助登记（虚构个人信息）",
        "Resident requests (FAKE personal data)",
        "一行是居民到居委会登记的一项求助。姓名、手机号、身份证号均为伪造，仅供隐私保护练习。",
        "One row is one request a resident registered at the committee. Names, mobile and ID "
        "numbers are fake, for privacy exercises only.",
        (
            Field("request_id", "string", "登记编号", "Request id", unique=True),
            Field("received_on", "date", "登记日期", "Received on"),
            Field("area_id", "string", "居民区编号", "Residential area id"),
            Field("building_id", "string", "楼组编号", "Building group id"),
            Field("name", "string", "姓名（伪造）", "Name (fake)"),
            Field("gender", "string", "性别", "Gender", enum=("女", "男")),
            Field("birth_date", "date", "出生日期", "Birth date"),
            Field(
                "id_number",
                "string",
                "身份证号（伪造，校验位故意错误）",
                "ID number (fake, wrong check digit on purpose)",
                pattern=r"\d{17}[\dX]",
            ),
            Field(
                "mobile",
                "string",
                "手机号（伪造，100开头）",
                "Mobile (fake, starts 100)",
                pattern=r"100\d{8}",
            ),
            Field("address", "string", "住址（虚构）", "Address (fictional)"),
            *coded("request_type", "求助类型", "Request type", REQUEST_TYPES),
            Field("sensitive", "boolean", "涉及敏感个人信息", "Involves sensitive personal data"),
            Field(
                "consent_to_share",
                "boolean",
                "登记时勾选“同意向第三方提供”（2016–2017 年的笼统勾选，未写明接收方和用途，"
                "不是《个人信息保护法》所说的单独同意）",
                "Ticked 'agree to sharing with third parties' at registration (a blanket 2016–17 "
                "tick-box naming no recipient or purpose: not PIPL's separate consent)",
            ),
            *coded("status", "状态", "Status", STATUS),
            Field("synthetic", "boolean", "虚构数据", "Synthetic record"),
        ),
        ("request_id",),
        (fk("area_id", "residential_areas"), fk("building_id", "buildings")),
    ),
]


def check_digit(first17: str) -> str:
    """The GB 11643 (ISO 7064 MOD 11-2) check character of an 18-character ID number."""
    return CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def build(ctx: Context) -> None:
    rng = ctx.rng("privacy")
    b = ctx["buildings"]
    n = 640
    rows = b.sample(n, replace=True, weights=b["residents_60plus"] + 5, random_state=rng)
    r = pd.DataFrame(
        {"area_id": rows["area_id"].to_numpy(), "building_id": rows["building_id"].to_numpy()}
    )
    r["received_on"] = pd.Timestamp("2016-01-04") + pd.to_timedelta(rng.integers(0, 725, n), "D")
    r = r.sort_values(["received_on", "building_id"], kind="stable").reset_index(drop=True)
    r.insert(0, "request_id", [f"RQ{i:04d}" for i in range(1, n + 1)])
    r["request_type_code"] = pick(rng, TYPE_WEIGHTS, n)
    old = r["request_type_code"].eq("elderly_care")
    age = np.where(old, rng.integers(62, 95, n), rng.integers(20, 85, n))
    birth = pd.to_datetime(r["received_on"]) - pd.to_timedelta(
        age * 365.25 + rng.integers(0, 365, n), "D"
    )
    r["birth_date"] = birth.dt.normalize()
    male = rng.random(n) < 0.42
    r["gender"] = np.where(male, "男", "女")
    r["name"] = fake_names(rng, n)
    seq = rng.integers(0, 500, n) * 2 + male  # odd sequence numbers are men
    first17 = [f"{REGION}{d:%Y%m%d}{s:03d}" for d, s in zip(r["birth_date"], seq, strict=True)]
    r["id_number"] = [f + _wrong_check(f, rng) for f in first17]
    r["mobile"] = ["100" + f"{x:08d}" for x in rng.integers(0, 10**8, n)]
    room = rng.integers(1, 7, n) * 100 + rng.integers(1, 5, n)
    addresses = r["building_id"].map(b.set_index("building_id")["address"])
    r["address"] = addresses + pd.Series(room).map("{}室".format)
    r["request_type"] = r["request_type_code"].map(REQUEST_TYPES)
    r["sensitive"] = r["request_type_code"].isin(SENSITIVE)
    r["consent_to_share"] = rng.random(n) < 0.35
    r["status_code"] = pick(rng, {"closed": 70, "referred": 20, "pending": 10}, n)
    r["status"] = r["status_code"].map(STATUS)
    r["synthetic"] = True
    ctx.tables["resident_requests"] = r


def _wrong_check(first17: str, rng: np.random.Generator) -> str:
    right = check_digit(first17)
    return str(rng.choice([c for c in "0123456789X" if c != right]))
