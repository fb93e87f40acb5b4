"""How the subdistrict handles a 12345 order: handler, deadline and extension, first contact,
closing time, outcome, rating, and the repeat calls that unsolved orders bring."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shequlab.data.common import END, add_working_days, pick
from shequlab.data.tables.hotline_codes import (
    CATEGORIES,
    CHANNELS,
    DEADLINE_DAYS,
    HANDLERS,
    ORDER_TYPES,
    P_EXTENDED,
    P_REPEAT,
    P_RETURNED,
    SATISFACTION,
)


def repeat_calls(rng: np.random.Generator, first: pd.DataFrame) -> pd.DataFrame:
    """重复件: callers ring again after their order closed, most often when it was not solved.
    Stairwell clutter is left out so that yf-02's planted makeover effect stays exact."""
    o = first[
        ~first["order_type_code"].eq("praise") & ~first["category_code"].eq("stairwell_clutter")
    ]
    p = np.where(
        ~o["solved"].astype(bool),
        P_REPEAT["unsolved"],
        np.where(~o["on_time"].astype(bool), P_REPEAT["late"], P_REPEAT["other"]),
    )
    o = o[rng.random(len(o)) < p]
    after = pd.to_timedelta(rng.uniform(0.3, 20, len(o)) * 24 * 60, unit="min")
    r = pd.DataFrame(
        {
            "received_at": (o["closed_at"] + after).dt.floor("min").to_numpy(),
            "order_type_code": o["order_type_code"].to_numpy(),
            "category_code": o["category_code"].to_numpy(),
            "area_id": o["area_id"].to_numpy(),
            "building_id": o["building_id"].to_numpy(),
            "repeat_key": o["key"].to_numpy(),
        }
    )
    night = r["received_at"].dt.hour < 7
    r.loc[night, "received_at"] += pd.Timedelta(hours=8)
    r = r[r["received_at"] <= END].reset_index(drop=True)
    r["key"] = len(first) + np.arange(len(r))
    return r


def number(o: pd.DataFrame) -> pd.DataFrame:
    """Order ids in time order per year; repeat calls point at their earlier order's id."""
    o = o.sort_values(["received_at", "area_id", "key"], kind="stable").reset_index(drop=True)
    year = o["received_at"].dt.year.astype(str)
    o.insert(0, "order_id", "H" + year + (o.groupby(year).cumcount() + 1).map("{:06d}".format))
    ids = o.set_index("key")["order_id"]
    o["repeat_of"] = o["repeat_key"].map(ids).where(o["repeat_key"] >= 0)
    return o.drop(columns=["key", "repeat_key"])


def _handlers(rng: np.random.Generator, cat: pd.Series) -> pd.Series:
    out = pd.Series(index=cat.index, dtype=object)
    for c, idx in cat.groupby(cat).groups.items():
        h = CATEGORIES[c][1]
        out[idx] = h if isinstance(h, str) else pick(rng, h, len(idx))
    return out


def _contact_hours(ts: pd.Series, delay: np.ndarray) -> pd.Series:
    """Handlers call back from 08:00 to 22:00: a contact due at night is made the next morning,
    within its first hour (the minutes come from the delay already drawn, so no new draws)."""
    hour = ts.dt.hour
    night = (hour < 8) | (hour >= 22)
    morning = (
        ts.dt.normalize()
        + pd.to_timedelta(np.where(hour >= 22, 1, 0), unit="D")
        + pd.Timedelta(hours=8)
        + pd.to_timedelta(np.asarray(delay) % 60, unit="min")
    )
    return ts.where(~night, morning)


def _in_office_hours(
    rng: np.random.Generator, ts: pd.Series, received: pd.Series, due: pd.Series, late: np.ndarray
) -> pd.Series:
    """Handlers close orders between 08:00 and 20:00. A closing time at night moves to the next
    morning (spread over its first three hours), or, where that would make an order meant to be
    on time late, back to the evening before (spread over its last three hours)."""
    hour = ts.dt.hour
    night = (hour < 8) | (hour >= 20)
    day = ts.dt.normalize()
    spread = pd.to_timedelta(rng.uniform(1, 180, len(ts)), unit="min")
    forward = day + pd.to_timedelta(np.where(hour >= 20, 1, 0), unit="D") + pd.Timedelta(hours=8)
    back = day - pd.to_timedelta(np.where(hour < 8, 1, 0), unit="D") + pd.Timedelta(hours=20)
    forward, back = forward + spread, back - spread
    use_back = ~late & (forward > due) & (back > received)
    return ts.where(~night, forward.where(~use_back, back))


def handle(
    rng: np.random.Generator, o: pd.DataFrame, lateness: np.random.Generator
) -> pd.DataFrame:
    """Times, outcome and satisfaction; slow handling and unsolved problems lower satisfaction.
    Praise is passed on to the praised unit and closed: no deadline, outcome or rating."""
    n = len(o)
    o = o.reset_index(drop=True)
    cat = o["category_code"]
    praise = o["order_type_code"].eq("praise").to_numpy()
    o["channel_code"] = pick(rng, {"phone": 78, "web": 10, "wechat": 8, "app": 4}, n)
    o["handler_code"] = _handlers(rng, cat)
    o["returned"] = ~praise & (rng.random(n) < cat.map(lambda c: P_RETURNED.get(c, 0.02)))
    deadline = o["order_type_code"].map(DEADLINE_DAYS)
    extended = (deadline >= 5) & (rng.random(n) < cat.map(lambda c: P_EXTENDED.get(c, 0.01)))
    o["deadline_days"] = deadline.astype("Int64")
    o["extension_days"] = pd.Series(
        np.where(extended, rng.choice([5, 10, 15], n, p=[0.5, 0.35, 0.15]), 0), dtype="Int64"
    ).where(~praise)
    o["due_at"] = add_working_days(
        o["received_at"], (deadline + o["extension_days"]).fillna(0).astype(int)
    ).where(~praise)
    delay = np.round(rng.lognormal(3.6, 0.8, n)) + np.where(
        o["returned"], rng.uniform(240, 1440, n), 0
    )
    contact = _contact_hours(o["received_at"] + pd.to_timedelta(delay, unit="min"), delay)
    limit = (o["due_at"] - o["received_at"]).dt.total_seconds().fillna(86_400).to_numpy()
    late = (rng.random(n) < cat.map(lambda c: CATEGORIES[c][4])).to_numpy().copy()
    # group renting's lateness has its own stream (same probability in both years), so that
    # other changes to the data never move onb-02's year-to-year comparison (see hotline.py)
    gr = cat.eq("group_renting").to_numpy()
    late[gr] = lateness.random(gr.sum()) < CATEGORIES["group_renting"][4]
    frac = np.where(late, 1 + rng.uniform(0.05, 1.0, n), rng.beta(2, 4, n))
    closed = o["received_at"] + pd.to_timedelta(limit * frac, unit="s")
    o["closed_at"] = _in_office_hours(rng, closed, o["received_at"], o["due_at"], late)
    o["closed_at"] = o["closed_at"].dt.floor("min")
    # nobody closes an order before first contacting the caller
    o["first_contact_at"] = contact.where(contact <= o["closed_at"], o["closed_at"]).where(~praise)
    o["on_time"] = (o["closed_at"] <= o["due_at"]).astype(object).where(~praise)
    solved = rng.random(n) < cat.map(lambda c: CATEGORIES[c][3])
    o["solved"] = pd.Series(solved, dtype=object).where(~praise)
    # speed explains about half of dissatisfaction, the outcome about a quarter (estimate);
    # a returned order or a repeat call adds to it
    logit = (
        -4.2
        + 2.6 * np.minimum(frac, 2)
        + 1.4 * ~solved
        + 0.5 * o["returned"].to_numpy()
        + 0.6 * (o["repeat_key"] >= 0).to_numpy()
        + rng.normal(0, 0.6, n)
    )
    unsat = rng.random(n) < 1 / (1 + np.exp(-logit))
    fairly = rng.random(n) < 0.22
    sat = np.where(unsat, "unsatisfied", np.where(fairly, "fairly_satisfied", "satisfied"))
    rated = (rng.random(n) < 0.85) & ~praise
    o["satisfaction_code"] = pd.Series(sat).where(rated)
    for col, labels in (
        ("channel", CHANNELS),
        ("order_type", ORDER_TYPES),
        ("handler", HANDLERS),
        ("satisfaction", SATISFACTION),
    ):
        o[col] = o[f"{col}_code"].map(labels)
    o["category"] = cat.map(lambda c: CATEGORIES[c][0])
    return o
