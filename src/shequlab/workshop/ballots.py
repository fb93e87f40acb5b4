"""What is voted or rated, how an entry is checked, and how the room's entries add up."""

from __future__ import annotations

import statistics
from typing import Any

import pandas as pd

from shequlab.data.load import load_table
from shequlab.workshop.store import EntryRefused

DEFAULT_BUDGET = 20  # 万元 (10,000 yuan) each participant splits among the proposals
SCORES = (1, 2, 3, 4, 5)


def vote_config(year: int = 2017, n: int = 8, budget: int = DEFAULT_BUDGET) -> dict[str, Any]:
    """A vote over `n` micro-project proposals of `year` (the first n with distinct titles)."""
    projects = load_table("micro_projects")
    areas = load_table("residential_areas").set_index("area_id")
    chosen = projects[projects["year"] == year].drop_duplicates("title").head(n)
    items = [
        {
            "id": str(r.micro_id),
            "zh": f"{r.title}（{areas.loc[r.area_id, 'name']}）",
            "en": f"{r.title}: {r.category_code.replace('_', ' ')} "
            f"({areas.loc[r.area_id, 'name_en']})",
        }
        for r in chosen.itertuples()
    ]
    return {"items": items, "budget": budget, "unit": {"zh": "万元", "en": "×10,000 yuan"}}


def rating_config() -> dict[str, Any]:
    """A rating of the 12 administrative bodies on the representatives' criteria."""
    bodies = load_table("admin_bodies")
    ratings = load_table("representative_ratings")
    criteria = ratings.drop_duplicates("criterion_code")
    return {
        "items": [
            {"id": str(b.body_id), "zh": str(b.name), "en": str(b.name_en)}
            for b in bodies.itertuples()
        ],
        "criteria": [
            {
                "id": str(c.criterion_code),
                "zh": str(c.criterion),
                "en": str(c.criterion_code).replace("_", " "),
            }
            for c in criteria.itertuples()
        ],
    }


def check_allocation(values: dict[str, Any], config: dict[str, Any]) -> dict[str, int]:
    """Whole, non-negative amounts for known items that add up to the budget; else EntryRefused."""
    budget = config["budget"]
    known = {item["id"]: item for item in config["items"]}
    clean: dict[str, int] = {}
    for key, value in values.items():
        if key not in known:
            raise EntryRefused(f"未知的项目 {key}", f"unknown proposal {key}")
        label = known[key]["zh"]
        if value is None or value == "":
            value = 0
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise EntryRefused(
                f"“{label}”的金额必须是数字", f"the amount for {key} must be a number"
            ) from None
        if number != int(number):
            raise EntryRefused(f"“{label}”的金额请填整数", f"the amount for {key} must be whole")
        if number < 0:
            raise EntryRefused(
                f"“{label}”的金额不能为负数", f"the amount for {key} cannot be negative"
            )
        clean[key] = int(number)
    total = sum(clean.values())
    if total != budget:
        raise EntryRefused(
            f"分配合计 {total}，必须正好等于预算 {budget}（还差 {budget - total}）",
            f"your amounts add up to {total}; they must equal the budget of {budget} "
            f"({budget - total:+d} to go)",
        )
    return clean


def check_scores(
    scores: dict[str, dict[str, Any]], config: dict[str, Any]
) -> dict[str, dict[str, int]]:
    """Scores 1–5 for known bodies and criteria, at least one; else EntryRefused."""
    bodies = {item["id"]: item for item in config["items"]}
    criteria = {c["id"] for c in config["criteria"]}
    clean: dict[str, dict[str, int]] = {}
    for body, by_criterion in scores.items():
        if body not in bodies:
            raise EntryRefused(f"未知的评议对象 {body}", f"unknown body {body}")
        for criterion, score in by_criterion.items():
            if criterion not in criteria:
                raise EntryRefused(f"未知的评议指标 {criterion}", f"unknown criterion {criterion}")
            if score is None or score == "":
                continue
            if isinstance(score, bool) or score not in SCORES:
                raise EntryRefused(
                    f"“{bodies[body]['zh']}”的分数必须是 1 到 5 的整数（收到 {score}）",
                    f"scores for {body} must be whole numbers 1–5 (got {score})",
                )
            clean.setdefault(body, {})[criterion] = int(score)
    if not clean:
        raise EntryRefused("请至少给一个单位打分", "score at least one body")
    return clean


def allocation_summary(entries: dict[str, dict[str, int]], config: dict[str, Any]) -> pd.DataFrame:
    """Per proposal: the room's total, its share of all money, and how many gave it anything."""
    rows = []
    grand = sum(sum(v.values()) for v in entries.values()) or 1
    for item in config["items"]:
        amounts = [e.get(item["id"], 0) for e in entries.values()]
        rows.append(
            {
                "id": item["id"],
                "zh": item["zh"],
                "en": item["en"],
                "total": sum(amounts),
                "share": sum(amounts) / grand,
                "supporters": sum(a > 0 for a in amounts),
            }
        )
    return pd.DataFrame(rows).sort_values(["total", "id"], ascending=[False, True])


def rating_summary(
    entries: dict[str, dict[str, dict[str, int]]], config: dict[str, Any]
) -> pd.DataFrame:
    """Per body (all criteria pooled): n, mean, spread, score counts and agreement.

    Agreement is the share of scores within one point of the body's median score: 1.0 when the
    room agrees, low when it is divided.
    """
    rows = []
    for item in config["items"]:
        scores = [s for e in entries.values() for s in e.get(item["id"], {}).values()]
        row: dict[str, Any] = {
            "id": item["id"],
            "zh": item["zh"],
            "en": item["en"],
            "n": len(scores),
        }
        if scores:
            median = statistics.median(scores)
            row |= {
                "mean": statistics.fmean(scores),
                "sd": statistics.pstdev(scores),
                "agreement": sum(abs(s - median) <= 1 for s in scores) / len(scores),
            }
        else:
            row |= {"mean": float("nan"), "sd": float("nan"), "agreement": float("nan")}
        for score in SCORES:
            row[str(score)] = scores.count(score)
        rows.append(row)
    return pd.DataFrame(rows).sort_values(
        ["mean", "id"], ascending=[False, True], na_position="last"
    )
