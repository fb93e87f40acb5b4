"""The 2017 residents' needs survey of Xinhua Road (synthetic), in a survey platform's export shape.

2,000 respondents sampled from the sample data's building groups (so areas, housing and the
"beautiful stairwell" makeovers agree with the other tables). Planted for analysis: older
respondents need meal help and bathing; workers' new villages put lifts first, commodity estates
parking; residents of a made-over stairwell rate 楼道环境 higher; young parents need childcare.
Personal fields are optional and fake: names are random, mobiles start with 100 (no real number
does), IPs come from the documentation ranges of RFC 5737, addresses are the fictional ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shequlab.data.common import Context, fake_names

N = 2000
SURVEY_START = pd.Timestamp("2017-03-06 08:00")
SURVEY_DAYS = 26
TITLE = "新华路街道2017年居民需求调查（虚构示例）"
AGES = ["18–29岁", "30–44岁", "45–59岁", "60–69岁", "70–79岁", "80岁及以上"]
LIVING = ["独居", "与配偶同住", "与子女同住", "其他"]
OTHER_LIVING = ["与保姆同住", "和孙辈同住", "与朋友合租"]
SERVICES = [
    "为老助餐",
    "助浴",
    "日间照料",
    "家政服务",
    "儿童托管",
    "文体活动",
    "法律咨询",
    "就业指导",
]
OTHER_SERVICES = ["上门理发", "代配药", "修理小家电", "心理疏导"]
PRIORITIES = [
    "停车难",
    "加装电梯",
    "楼道环境",
    "绿化",
    "噪声扰民",
    "群租",
    "垃圾分类",
    "非机动车充电",
]
MATRIX = ["楼道环境", "绿化", "停车管理", "治安", "居委会服务", "物业服务"]
ACTIVITIES = ["健身操", "合唱", "书画", "健康讲座", "志愿服务", "亲子活动"]
SUGGESTIONS = {
    "workers_village": ["希望尽快加装电梯", "楼道里堆物太多，希望清理", "电瓶车在楼道充电很危险"],
    "lane": ["弄堂里晾衣服的地方不够", "希望整治群租", "公用厨房太挤，希望改造"],
    "commodity": ["晚上停车位太紧张", "物业服务要改进", "广场舞声音太大"],
    "villa": ["老洋房外墙需要修缮", "希望增加绿化养护", "路边停车影响通行"],
}
GENERAL = ["多组织老年人活动", "希望增加助餐点", "居委会工作人员很热情", "小区里遛狗要拴绳"]
HEADER = [
    "序号",
    "提交答卷时间",
    "所用时间",
    "来源",
    "来源详情",
    "来自IP",
    "总分",
    "1、您居住的居民区：",
    "2、您的性别：",
    "3、您的年龄段：",
    "4、您在本社区居住了多少年？",
    "5、您的居住情况：",
    *[f"6、您或家人目前需要以下哪些社区服务？(多选)({s})" for s in [*SERVICES, "其他"]],
    "7、您最希望社区优先解决的问题是？（最多选3项）",
    *[f"8、您对本社区以下方面是否满意？(1=非常不满意，5=非常满意)({m})" for m in MATRIX],
    "9、过去一年您是否参加过居委会组织的活动？",
    "10、您参加过哪些活动？",
    "11、您每月愿意参加志愿服务多少小时？",
    "12、您对社区工作有什么意见或建议？",
    "13、您的姓名（选填）：",
    "14、您的联系电话（选填）：",
    "15、您的住址（选填）：",
]


def build(ctx: Context) -> tuple[list[str], list[list[object]]]:
    """The header and N rows of the export, drawn from the sample data in `ctx`."""
    rng = ctx.rng("needs_survey")
    b = ctx["buildings"]
    areas = ctx["residential_areas"].set_index("area_id")
    made_over = set(ctx["stairwells"]["building_id"])
    home = b.sample(N, replace=True, weights=b["residents"], random_state=rng).reset_index(
        drop=True
    )
    housing = home["housing_type_code"].to_numpy()
    old_share = (home["residents_60plus"] / home["residents"]).to_numpy()
    older = rng.random(N) < np.minimum(0.85, old_share * 1.5)
    age = np.where(
        older,
        rng.choice([3, 4, 5], N, p=[0.5, 0.35, 0.15]),
        rng.choice([0, 1, 2], N, p=[0.15, 0.42, 0.43]),
    )
    times = SURVEY_START + pd.to_timedelta(
        np.sort(rng.integers(0, SURVEY_DAYS * 86400 - 57600, N)), "s"
    )
    rows = []
    for i in range(N):
        a = int(age[i])
        rows.append(
            [
                i + 1,
                f"{times[i]:%Y/%-m/%-d %H:%M:%S}",
                f"{int(rng.lognormal(5.7, 0.35))}秒",
                *_source(rng),
                f"{documentation_ip(rng)}(上海-上海)",
                0,
                areas.loc[home["area_id"][i], "name"],
                "女" if rng.random() < 0.58 else "男",
                AGES[a],
                int(min(70, max(1, rng.gamma(2.0 + a, 4.0)))),
                _living(rng, a),
                *_services(rng, a),
                _priorities(rng, housing[i]),
                *_satisfaction(rng, housing[i], home["building_id"][i] in made_over),
                *_activities(rng, a),
                _hours(rng),
                _suggestion(rng, housing[i]),
            ]
        )
    _personal(rng, rows, home)
    return HEADER, rows


def _source(rng: np.random.Generator) -> list[str]:
    source = rng.choice(["微信", "手机提交", "链接"], p=[0.62, 0.3, 0.08])
    return [str(source), "N/A" if source != "链接" else "直接访问"]


def documentation_ip(rng: np.random.Generator) -> str:
    """An address from the documentation ranges (RFC 5737): never a real respondent's."""
    net = rng.choice(["192.0.2", "198.51.100", "203.0.113"])
    return f"{net}.{int(rng.integers(1, 255))}"


def _living(rng: np.random.Generator, age: int) -> str:
    alone = [0.05, 0.08, 0.08, 0.12, 0.2, 0.3][age]
    spouse = [0.15, 0.4, 0.5, 0.55, 0.5, 0.3][age]
    pick = rng.choice(LIVING, p=[alone, spouse, 0.97 - alone - spouse, 0.03])
    return f"其他〖{rng.choice(OTHER_LIVING)}〗" if pick == "其他" else str(pick)


def _services(rng: np.random.Generator, age: int) -> list[object]:
    p = {
        "为老助餐": [0.03, 0.05, 0.1, 0.35, 0.5, 0.62][age],
        "助浴": [0.01, 0.01, 0.03, 0.05, 0.14, 0.3][age],
        "日间照料": [0.02, 0.03, 0.06, 0.1, 0.2, 0.28][age],
        "家政服务": 0.15,
        "儿童托管": [0.15, 0.48, 0.12, 0.1, 0.04, 0.01][age],
        "文体活动": [0.3, 0.25, 0.32, 0.48, 0.4, 0.2][age],
        "法律咨询": 0.1,
        "就业指导": [0.28, 0.1, 0.12, 0.01, 0.0, 0.0][age],
    }
    chosen = [int(rng.random() < p[s]) for s in SERVICES]
    if not any(chosen):
        chosen[SERVICES.index("文体活动")] = 1
    other = f"1〖{rng.choice(OTHER_SERVICES)}〗" if rng.random() < 0.03 else 0
    return [*chosen, other]


def _priorities(rng: np.random.Generator, housing: str) -> str:
    weights = {
        "workers_village": [2, 9, 5, 2, 1, 1, 2, 5],
        "lane": [2, 1, 6, 3, 3, 5, 3, 2],
        "commodity": [9, 1, 2, 3, 5, 1, 3, 3],
        "villa": [7, 1, 2, 5, 3, 2, 2, 1],
    }[housing]
    k = int(rng.choice([1, 2, 3], p=[0.2, 0.3, 0.5]))
    p = np.array(weights, float) / sum(weights)
    picked = [str(x) for x in rng.choice(PRIORITIES, k, replace=False, p=p)]
    if rng.random() < 0.02:
        picked.append("其他〖" + str(rng.choice(["小区门禁坏了", "遛狗不拴绳", "路灯不亮"])) + "〗")
    return "┋".join(picked)


def _satisfaction(rng: np.random.Generator, housing: str, made_over: bool) -> list[object]:
    base = {
        "workers_village": [2.8, 3.3, 3.0, 3.9, 4.1, 3.0],
        "lane": [2.6, 3.0, 3.2, 3.8, 4.2, 2.8],
        "commodity": [3.6, 3.7, 2.5, 4.0, 3.8, 3.4],
        "villa": [3.4, 4.0, 2.7, 4.1, 3.9, 3.3],
    }[housing]
    mood = rng.normal(0, 0.5)  # one respondent rates everything a little higher or lower
    out: list[object] = []
    for j, mean in enumerate(base):
        if j == 0 and made_over:
            mean += 0.9  # planted: a beautiful stairwell is noticed
        if rng.random() < 0.015:
            out.append("(空)")
            continue
        out.append(int(np.clip(np.rint(rng.normal(mean + mood, 0.8)), 1, 5)))
    return out


def _activities(rng: np.random.Generator, age: int) -> list[str]:
    joined = rng.random() < [0.2, 0.3, 0.35, 0.6, 0.62, 0.45][age]
    if not joined:
        return ["否", "(跳过)"]
    p = np.array([3, 2, 1, 3, 2, 1], float) if age >= 3 else np.array([1, 1, 1, 1, 2, 4], float)
    k = int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15]))
    return ["是", "┋".join(str(x) for x in rng.choice(ACTIVITIES, k, replace=False, p=p / p.sum()))]


def _hours(rng: np.random.Generator) -> object:
    if rng.random() < 0.05:
        return "(空)"
    return int(
        rng.choice([0, 1, 2, 4, 6, 8, 10, 20], p=[0.3, 0.15, 0.2, 0.15, 0.08, 0.06, 0.04, 0.02])
    )


def _suggestion(rng: np.random.Generator, housing: str) -> str:
    """Open answers vary as real ones do: a topic, sometimes a place and a closing word."""
    if rng.random() < 0.62:
        return "(空)"
    if rng.random() < 0.15:
        return str(rng.choice(["无", "没有", "暂无", "没有意见", "都挺好"]))
    text = str(rng.choice(SUGGESTIONS[housing] + GENERAL))
    if rng.random() < 0.4:
        text = f"{int(rng.integers(1, 40))}号{rng.choice(['楼下', '门口', '附近'])}：{text}"
    text += str(rng.choice(["", "。", "！", "，谢谢", "，辛苦了", "，希望早日解决"]))
    if rng.random() < 0.02:  # some leave a number in the open answer: the import must hide it
        text += f"，请联系我{_mobile(rng)}"
    return text


def _mobile(rng: np.random.Generator) -> str:
    return "100" + f"{int(rng.integers(0, 10**8)):08d}"


def _personal(rng: np.random.Generator, rows: list[list[object]], home: pd.DataFrame) -> None:
    """Optional name, mobile and address: fake, and left empty by most respondents."""
    names = fake_names(rng, len(rows))
    for i, row in enumerate(rows):
        gives = rng.random() < 0.16
        row.append(names[i] if gives and rng.random() < 0.8 else "(空)")
        row.append(_mobile(rng) if gives else "(空)")
        room = f"{int(rng.integers(1, 7))}0{int(rng.integers(1, 5))}室"
        row.append(home["address"][i] + room if gives and rng.random() < 0.5 else "(空)")
