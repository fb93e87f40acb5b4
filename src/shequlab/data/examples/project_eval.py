"""A two-wave project evaluation (synthetic): the same questionnaire before and after a project.

"邻里守望" (neighbours watching out), a 2017 project for older residents living alone in the
Xianghuaqiao area (XH04, the oldest area of the sample data). 72 took part in the March survey;
64 answered in November: 61 of them, matched by 参与者编号, plus 3 who joined later; 11 dropped
out. Planted: loneliness down, help from neighbours and knowing the services up, more activities.
Names are random and IPs from RFC 5737's documentation ranges, as in the needs survey.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shequlab.data.common import Context, fake_names
from shequlab.data.examples.needs_survey import documentation_ip

N_PRE, N_STAYED, N_JOINED = 72, 61, 3
AGREE = ["完全不符合", "不太符合", "一般", "比较符合", "完全符合"]
SATISFIED = ["非常不满意", "不满意", "一般", "满意", "非常满意"]
ITEMS = [
    "我经常感到孤单",
    "遇到困难时有邻居可以帮忙",
    "我知道社区有哪些为老服务",
    "我对自己的生活感到满意",
]
BEFORE = [3.6, 2.7, 2.4, 3.1]  # item means in March
CHANGE = [-0.7, 0.8, 1.1, 0.3]  # planted change by November among those who stayed
HEADER = [
    "序号",
    "提交答卷时间",
    "所用时间",
    "来源",
    "来自IP",
    "1、参与者编号：",
    "2、您的姓名：",
    "3、您的年龄：",
    "4、您的性别：",
    *[f"5、以下说法与您的情况相符程度如何？({item})" for item in ITEMS],
    "6、过去一个月您参加社区活动的次数：",
    "7、您对居委会为老服务的总体满意度：",
]
POST_ONLY = ["8、您对本项目有什么意见或建议？"]
COMMENTS = [
    "志愿者每周来看我，很开心",
    "希望项目明年继续",
    "活动时间能不能改到上午",
    "结对的邻居帮我换了灯泡",
    "电话问候很及时",
    "希望多组织大家一起吃饭",
    "有事情知道找谁了",
    "冬天希望多来看看",
]
ENDINGS = ["", "。", "！", "，谢谢", "，谢谢志愿者", "，辛苦了"]


def build(ctx: Context) -> dict[str, tuple[list[str], list[list[object]]]]:
    """{"pre": (header, rows), "post": (header, rows)}."""
    rng = ctx.rng("project_eval")
    n = N_PRE + N_JOINED
    people = pd.DataFrame(
        {
            "key": [f"XHQ-{i:03d}" for i in range(1, n + 1)],
            "name": fake_names(rng, n),
            "age": rng.integers(66, 93, n),
            "gender": np.where(rng.random(n) < 0.68, "女", "男"),
            "trait": rng.normal(0, 0.6, n),  # how each person tends to answer, in both waves
            "active": rng.poisson(1.2, n),
        }
    )
    stayed = rng.choice(N_PRE, N_STAYED, replace=False)
    pre = people.iloc[:N_PRE]
    post = pd.concat([people.iloc[np.sort(stayed)], people.iloc[N_PRE:]])
    waves = {
        "pre": _wave(rng, pre, pd.Timestamp("2017-03-13 09:00"), after=False),
        "post": _wave(rng, post, pd.Timestamp("2017-11-20 09:00"), after=True),
    }
    return waves


def _wave(
    rng: np.random.Generator, people: pd.DataFrame, start: pd.Timestamp, after: bool
) -> tuple[list[str], list[list[object]]]:
    order = rng.permutation(len(people))  # answers arrive in any order: match by key, not row
    seconds = np.sort(rng.integers(0, 5 * 86400, len(people)))
    rows = []
    for i, k in enumerate(order):
        p = people.iloc[k]
        sign = [-1, 1, 1, 1]
        items = []
        for j, mean in enumerate(BEFORE):
            value = mean + sign[j] * p["trait"] + (CHANGE[j] if after else 0) + rng.normal(0, 0.7)
            items.append(AGREE[int(np.clip(np.rint(value), 1, 5)) - 1])
        activities = int(p["active"] + (rng.poisson(1.5) if after else 0))
        satisfied = int(np.clip(np.rint(3.4 + p["trait"] + (0.4 if after else 0)), 1, 5))
        row: list[object] = [
            i + 1,
            f"{start + pd.Timedelta(seconds=int(seconds[i])):%Y/%-m/%-d %H:%M:%S}",
            f"{int(rng.lognormal(5.2, 0.3))}秒",
            "手机提交",
            f"{documentation_ip(rng)}(上海-上海)",
            p["key"],
            p["name"],
            int(p["age"]),
            p["gender"],
            *items,
            activities,
            SATISFIED[satisfied - 1],
        ]
        if after:
            answered = rng.random() < 0.6
            comment = f"{rng.choice(COMMENTS)}{rng.choice(ENDINGS)}" if answered else "(空)"
            row.append(comment)
        rows.append(row)
    return HEADER + (POST_ONLY if after else []), rows
