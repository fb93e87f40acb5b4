"""The bilingual (zh, en) messages of the typed checks, in one place for translators."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "integer": (
        "{name} 应是一个整数（现在是 {type}）",
        "{name} should be a whole number (it is a {type})",
    ),
    "number": ("{name} 应是一个数（现在是 {type}）", "{name} should be a number (it is a {type})"),
    "percentage": (
        "{name} 像是百分数：比率请写成 0 到 1 之间的小数（例如 0.97），不要乘 100",
        "{name} looks like a percentage: give the rate as a fraction (e.g. 0.97), not × 100",
    ),
    "count": (
        "{name} 应是 0 到 1 之间的比率，像是个数：用 .mean() 或 除以总数",
        "{name} should be a rate between 0 and 1; it looks like a count: "
        "use .mean() or divide by the total",
    ),
    "text": (
        "{name} 应是文字（str，例如类别的名称），现在是 {type}",
        "{name} should be text (a str, e.g. a category's name), not a {type}",
    ),
    "series": (
        "{name} 应是一个 Series（例如 groupby 的结果），现在是 {type}",
        "{name} should be a Series (e.g. a groupby result), not a {type}",
    ),
    "mask": (
        "{name} 是一列 True/False，而不是筛选出的表格：把条件放进 表[...] 里",
        "{name} is a column of True/False, not the filtered table: "
        "put the condition inside table[...]",
    ),
    "table": (
        "{name} 应是一张表（DataFrame），现在是 {type}",
        "{name} should be a table (DataFrame), not a {type}",
    ),
    "length": (
        "{name} 应有 {length} 个值，现在有 {n} 个",
        "{name} should have {length} values; it has {n}",
    ),
    "nonempty": (
        "{name} 是空的：检查筛选条件用的列和取值",
        "{name} is empty: check the column and value of your condition",
    ),
    "fractions": (
        "{name} 的值应是 0 到 1 之间的比率（用 .mean()），不是个数或百分数",
        "{name} should hold rates between 0 and 1 (use .mean()), not counts or percentages",
    ),
    "ascending": (
        "请从低到高排序（.sort_values()）",
        "sort from lowest to highest (.sort_values())",
    ),
    "descending": (
        "请从高到低排序（.sort_values(ascending=False)）",
        "sort from highest to lowest (.sort_values(ascending=False))",
    ),
    "index_has": (
        "{name} 的索引里没有 {label}：按哪一列分组？",
        "{label} is not in {name}'s index: which column did you group by?",
    ),
    "wrong": ("{name} 的值还不对", "{name} does not have the right value yet"),
}


def message(key: str, **fields: object) -> tuple[str, str]:
    """The (zh, en) message `key` with its fields filled in."""
    zh, en = MESSAGES[key]
    return zh.format(**fields), en.format(**fields)
