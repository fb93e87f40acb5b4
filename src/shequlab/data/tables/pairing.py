"""The 2017 home-visit campaign: 240 workers paired with building-group leaders, and the
practical tasks (实事) done through the pairings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shequlab.data.common import pick
from shequlab.data.schema import Field, Table, coded, fk

REF_DATE = pd.Timestamp("2017-12-31")
TASK_KINDS = {
    "repair": ("设施维修", ["更换楼道灯", "修理单元门禁", "疏通雨水管", "修补楼梯扶手"]),
    "environment": ("环境整治", ["清理楼道堆物", "清理屋顶杂物", "整治楼前绿地"]),
    "elderly": ("为老服务", ["为独居老人安装紧急呼叫器", "陪同高龄老人就医", "代办敬老卡"]),
    "safety": ("安全隐患", ["更换老化电线", "清理消防通道", "加装楼道灭火器"]),
    "mediation": ("邻里调解", ["调解漏水纠纷", "调解噪声纠纷", "调解晾晒纠纷"]),
    "convenience": ("便民服务", ["组织上门理发", "设置快递代收点", "开展家电义修"]),
}
N_PAIRINGS = 240  # seed figure
ARTICLE_DATE = pd.Timestamp("2017-08-11")  # the seed article's date
N_TASKS_BY_ARTICLE = 84  # seed: "80余件" practical tasks done by then
N_TASKS_LATER = 50  # the campaign went on: tasks finished (or under way) after the article

TABLES = [
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


def pairings(rng: np.random.Generator, workers: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
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


def tasks(rng: np.random.Generator, pairings: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """84 tasks completed by the article's date (the seed's "80余件"), and the campaign's later
    tasks to the end of 2017, some still under way then."""
    n = N_TASKS_BY_ARTICLE + N_TASKS_LATER
    # planted: the short-staffed oldest area (XH04) got no task done through its few pairings
    area = pairings["building_id"].map(b.set_index("building_id")["area_id"])
    chosen = pairings[area != "XH04"].sample(n, replace=True, random_state=rng)
    paired = pd.to_datetime(chosen["paired_on"].to_numpy())
    early = np.arange(n) < N_TASKS_BY_ARTICLE
    # early: completed between a week after pairing and the article's date, 1–30 days' work
    first = paired + pd.Timedelta(days=7)
    done_early = first + pd.to_timedelta(
        (rng.random(n) * (ARTICLE_DATE - first).days).astype(int), unit="D"
    )
    work_early = 1 + (rng.random(n) * np.minimum(30, (done_early - paired).days - 2)).astype(int)
    # later: requested from July to late December, finished after the article's date
    req_later = pd.Timestamp("2017-07-15") + pd.to_timedelta(rng.integers(0, 166, n), unit="D")
    work_later = rng.integers(2, 40, n)
    work_later = np.maximum(work_later, (ARTICLE_DATE - req_later).days + rng.integers(1, 12, n))
    requested = np.where(early, done_early - pd.to_timedelta(work_early, unit="D"), req_later)
    completed = np.where(early, done_early, req_later + pd.to_timedelta(work_later, unit="D"))
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
    t = pd.DataFrame(
        {
            "pairing_id": chosen["pairing_id"].to_numpy(),
            "category_code": kinds,
            "requested_on": pd.to_datetime(requested),
            "completed_on": pd.to_datetime(completed),
        }
    )
    t = t.sort_values(["requested_on", "pairing_id"], kind="stable").reset_index(drop=True)
    t.insert(0, "task_id", [f"T{i:03d}" for i in range(1, n + 1)])
    t["category"] = t["category_code"].map(lambda k: TASK_KINDS[k][0])
    t["title"] = [str(rng.choice(TASK_KINDS[k][1])) for k in t["category_code"]]
    done = t["completed_on"] <= REF_DATE  # what was not finished by the end of 2017
    t["completed_on"] = t["completed_on"].where(done)
    t["status_code"] = np.where(done, "completed", "in_progress")
    t["status"] = t["status_code"].map({"completed": "已完成", "in_progress": "进行中"})
    size = b.set_index("building_id")["residents"]
    bid = t["pairing_id"].map(pairings.set_index("pairing_id")["building_id"])
    t["residents_benefited"] = (bid.map(size) * rng.uniform(0.3, 1.0, n)).round().astype(int)
    return t
