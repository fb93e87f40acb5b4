"""Checking a participant's allocation or scores, and adding up the room."""

from __future__ import annotations

import math

import pytest

from shequlab.workshop.ballots import (
    allocation_summary,
    check_allocation,
    check_scores,
    rating_config,
    rating_summary,
    vote_config,
)
from shequlab.workshop.store import EntryRefused


def test_vote_config_offers_eight_2017_proposals():
    config = vote_config()
    assert len(config["items"]) == 8 and config["budget"] == 20
    assert all(item["id"].startswith("M2017-") for item in config["items"])


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"M2017-01": 5}, "must equal the budget"),
        ({"M2017-01": 25, "M2017-02": -5}, "negative"),
        ({"M2017-01": "abc"}, "must be a number"),
        ({"M2017-01": 19.5, "M2017-02": 0.5}, "whole"),
        ({"X": 20}, "unknown proposal"),
    ],
)
def test_bad_allocations_are_refused(values, message):
    with pytest.raises(EntryRefused, match=message):
        check_allocation(values, vote_config())


def test_good_allocation_and_summary():
    config = vote_config()
    a, b = config["items"][0]["id"], config["items"][1]["id"]
    assert check_allocation({a: 20, b: None}, config) == {a: 20, b: 0}
    summary = allocation_summary({"p1": {a: 20}, "p2": {a: 10, b: 10}}, config)
    top = summary.iloc[0]
    assert top["id"] == a and top["total"] == 30 and top["supporters"] == 2
    assert math.isclose(top["share"], 0.75)


def test_rating_config_and_score_checks():
    config = rating_config()
    assert len(config["items"]) == 12 and len(config["criteria"]) == 3
    body, crit = config["items"][0]["id"], config["criteria"][0]["id"]
    assert check_scores({body: {crit: 4, "efficiency": ""}}, config) == {body: {crit: 4}}
    for bad, message in (
        ({body: {crit: 6}}, "1–5"),
        ({body: {crit: True}}, "1–5"),
        ({body: {}}, "at least one"),
        ({"x": {crit: 3}}, "unknown body"),
        ({body: {"speed": 3}}, "unknown criterion"),
    ):
        with pytest.raises(EntryRefused, match=message):
            check_scores(bad, config)


def test_rating_summary_shows_distribution_and_agreement():
    config = rating_config()
    body = config["items"][0]["id"]
    entries = {
        "a": {body: {"attitude": 5}},
        "b": {body: {"attitude": 5}},
        "c": {body: {"attitude": 1}},
    }
    row = rating_summary(entries, config).set_index("id").loc[body]
    assert row["n"] == 3 and row["5"] == 2 and row["1"] == 1
    assert math.isclose(row["agreement"], 2 / 3) and math.isclose(row["mean"], 11 / 3)
