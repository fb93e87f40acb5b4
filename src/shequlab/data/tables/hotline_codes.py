"""The 12345 hotline's codes and rates: order types, categories, handlers and how often orders
are late, solved, returned, extended or followed by a repeat call (estimates unless noted)."""

from __future__ import annotations

ORDER_TYPES = {
    "consultation": "咨询",
    "help": "求助",
    "complaint": "投诉",
    "suggestion": "建议",
    "report": "举报",
    "praise": "表扬",
}
# shares of the orders DISPATCHED to the subdistrict by type (estimate). Consultations are about
# half of the city's calls (2014: 47 %), but the hotline answers most of them itself: only those
# needing local knowledge reach the subdistrict. Complaints here exclude stairwell clutter, which
# is drawn per building below.
TYPE_WEIGHTS = {
    "consultation": 19,
    "help": 36,
    "complaint": 25,
    "suggestion": 9,
    "report": 8.5,
    "praise": 2.5,
}
# working days to close; praise (表扬) is passed on to the praised unit: no deadline, no
# handling outcome, no satisfaction call-back
DEADLINE_DAYS = {
    "consultation": 1,
    "help": 5,
    "suggestion": 5,
    "complaint": 15,
    "report": 15,
}
CHANNELS = {"phone": "电话", "web": "网站", "wechat": "微信", "app": "手机应用"}
HANDLERS = {
    "residents_committee": "居委会",
    "affairs_centre": "社区事务受理服务中心",
    "housing_office": "房管办",
    "law_enforcement": "城管执法中队",
    "police_station": "派出所",
    "market_supervision": "市场监管所",
    "greenery": "绿化市容所",
}
# code: (name, handler or handlers with weights, type weights, P(solved), P(late),
# tied to a building?)
CATEGORIES: dict[str, tuple[str, str | dict[str, float], dict[str, float], float, float, bool]] = {
    "policy": ("政策咨询", "affairs_centre", {"consultation": 70}, 0.92, 0.004, False),
    "community_service": (
        "社区服务",
        "residents_committee",
        {"consultation": 30, "suggestion": 40},
        0.88,
        0.004,
        False,
    ),
    "leakage": ("房屋漏水", "housing_office", {"help": 30, "complaint": 8}, 0.82, 0.02, True),
    "facility_repair": ("设施报修", "housing_office", {"help": 40}, 0.90, 0.015, True),
    "property": ("物业管理", "housing_office", {"help": 20, "complaint": 20}, 0.76, 0.02, True),
    # neighbours' noise: the police station (public-security noise) or the residents' committee
    # (mediation); 城管 handles construction and street noise, which the grid cases hold
    "noise": (
        "噪声扰民",
        {"police_station": 55, "residents_committee": 45},
        {"complaint": 18, "help": 5},
        0.78,
        0.01,
        True,
    ),
    "parking": (
        "停车管理",
        "police_station",
        {"complaint": 14, "suggestion": 20},
        0.66,
        0.01,
        False,
    ),
    "neighbour_dispute": (
        "邻里纠纷",
        "residents_committee",
        {"complaint": 10, "help": 5},
        0.74,
        0.01,
        True,
    ),
    "group_renting": ("群租", "housing_office", {"report": 18, "complaint": 2}, 0.45, 0.20, True),
    "illegal_construction": (
        "违法搭建",
        "law_enforcement",
        {"report": 40, "complaint": 6},
        0.55,
        0.06,
        True,
    ),
    "unlicensed_stalls": (
        "无证摊贩",
        "law_enforcement",
        {"complaint": 8, "report": 10},
        0.70,
        0.01,
        False,
    ),
    "greenery": ("绿化养护", "greenery", {"complaint": 4, "suggestion": 25}, 0.85, 0.01, False),
    "fire_lane": (
        "消防通道堵塞",
        "police_station",
        {"complaint": 6, "report": 5},
        0.80,
        0.01,
        False,
    ),
    "fumes": ("油烟扰民", "market_supervision", {"complaint": 6}, 0.60, 0.02, False),
    "stairwell_clutter": ("楼道堆物", "residents_committee", {}, 0.85, 0.01, True),
    "praise": ("表扬", "residents_committee", {"praise": 100}, 1.0, 0.0, False),
}
SATISFACTION = {"satisfied": "满意", "fairly_satisfied": "基本满意", "unsatisfied": "不满意"}
# 退单: the first handler sends the order back as not its business and the hotline re-dispatches
# it; most likely where responsibility is shared (estimates; other categories 2 %)
P_RETURNED = {"group_renting": 0.12, "parking": 0.10, "noise": 0.08, "property": 0.08}
# 延期: an approved extension of 5, 10 or 15 working days, for cases needing procedures
P_EXTENDED = {"illegal_construction": 0.12, "group_renting": 0.08, "leakage": 0.06}
# 重复件: the caller rings again about the same problem, mostly when it was not solved
P_REPEAT = {"unsolved": 0.45, "late": 0.15, "other": 0.02}
