"""A synthetic 问卷星-style survey export of any size, for the research tests and benchmarks.

Everything is invented: mobiles start with 100 (no real number does), IPs are documentation
addresses (RFC 5737). One respondent code (1、您的编号) lets two waves be matched.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

AREAS = ["华山", "新华", "番禺", "法华", "幸福", "梅泉", "敬老", "牛桥浜"]
SERVICES = ["为老助餐", "助浴", "托育", "加装电梯", "停车管理", "文体活动"]
ITEMS = ["楼道环境", "绿化", "停车", "垃圾分类"]
LEVELS = ["非常不满意", "不满意", "一般", "满意", "非常满意"]
SUGGESTIONS = [
    "增加停车位，晚上停车太难",
    "楼道堆物多，及时清理",
    "加装电梯进度太慢",
    "多办老年人文体活动",
    "为老助餐的菜价再低一些",
    "垃圾分类点位离家太远",
    "绿化修剪不及时",
    "小区路灯经常坏",
    "居委会办事时间延长到晚上",
    "青年人参加的活动太少",
]
OPENINGS = ["", "希望", "建议", "我觉得应该", "能不能"]


def header() -> list[str]:
    cols = [
        "序号",
        "提交答卷时间",
        "所用时间",
        "来源",
        "来自IP",
        "1、您的编号：",
        "2、您的性别：",
        "3、您的年龄段：",
        "4、您居住的居民区：",
    ]
    cols += [f"5、您需要哪些社区服务？({s})" for s in SERVICES]
    cols += [f"6、您对以下方面是否满意？({i})" for i in ITEMS]
    cols += ["7、您对社区工作还有什么建议？", "8、联系电话："]
    return cols


def rows(n: int, seed: int = 2017, shift: float = 0.0) -> list[list[str]]:
    """`n` answers; `shift` raises the satisfaction ratings (a second wave after a project)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        area = AREAS[rng.choice(len(AREAS), p=[0.2, 0.2, 0.17, 0.15, 0.12, 0.1, 0.05, 0.01])]
        skipped = rng.random() < 0.05
        services = (
            ["(跳过)"] * len(SERVICES)
            if skipped
            else [str(int(rng.random() < p)) for p in (0.5, 0.15, 0.2, 0.35, 0.3, 0.01)]
        )
        ratings = [str(int(np.clip(rng.normal(3.2 + shift, 1.0), 1, 5).round())) for _ in ITEMS]
        first, second = rng.choice(len(SUGGESTIONS), 2, replace=False)
        suggestion = OPENINGS[rng.integers(len(OPENINGS))] + SUGGESTIONS[first]
        if rng.random() < 0.4:
            suggestion += "；另外" + SUGGESTIONS[second]
        if rng.random() < 0.12:
            suggestion = ""
        if i % 97 == 5:  # some people write their number into the answer
            suggestion += f"，请联系我 100{rng.integers(10**7, 10**8)}"
        out.append(
            [
                str(i + 1),
                f"2017/5/{1 + i % 28} {8 + i % 12}:{i % 60:02d}:11",
                f"{60 + rng.integers(400)}秒",
                "微信",
                f"203.0.113.{i % 250 + 1}(上海-上海)",
                f"XH{i + 1:05d}",
                "女" if rng.random() < 0.58 else "男",
                ["18-35岁", "36-59岁", "60岁及以上"][rng.choice(3, p=[0.25, 0.4, 0.35])],
                area,
                *services,
                *ratings,
                suggestion or "(空)",
                f"100{rng.integers(10**7, 10**8)}",
            ]
        )
    return out


def write_export(
    path: Path, n: int, seed: int = 2017, shift: float = 0.0, encoding: str = "utf-8-sig"
) -> Path:
    """Write an export of `n` respondents to `path` (.csv)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header())
        writer.writerows(rows(n, seed, shift))
    return path
