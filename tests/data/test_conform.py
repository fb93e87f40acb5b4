"""Conforming an outside export to a sample table: header spellings, dropped and missing columns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from shequlab.data.conform import conform, header_names
from shequlab.data.load import resource
from shequlab.data.validate import validate_file


def test_every_field_is_known_by_name_chinese_title_and_english_title() -> None:
    res = resource("hotline_orders")
    names = header_names(res)
    for f in res["schema"]["fields"]:
        assert names[f["name"].casefold()] == f["name"]
        assert names["".join(f["title"].split()).casefold()] == f["name"], f["title"]
        assert names["".join(f["title_en"].split()).casefold()] == f["name"], f["title_en"]
    assert names["办理时限"] == "deadline_days"  # the title without its bracketed note
    assert names["工单号"] == "order_id"  # a spelling seen in real exports


def test_a_shortened_title_two_fields_share_is_not_guessed() -> None:
    res = {
        "name": "t",
        "schema": {
            "fields": [
                {"name": "a", "type": "string", "title": "金额（元）", "title_en": "A"},
                {"name": "b", "type": "string", "title": "金额（万元）", "title_en": "B"},
            ]
        },
    }
    names = header_names(res)
    assert "金额" not in names and names["金额（元）"] == "a"


def test_conform_renames_orders_drops_and_reports() -> None:
    frame = pd.DataFrame(
        {
            "办结时间": ["2017/3/7 10:00"],
            "联系电话": ["10012345678"],
            "工单编号": ["H2017000001"],
            "退单": ["否"],
        }
    )
    out = conform(frame, resource("hotline_orders"))
    assert not out.problems
    assert list(out.frame.columns) == ["order_id", "closed_at", "returned"]
    assert out.frame.iloc[0].tolist() == ["H2017000001", "2017-03-07 10:00:00", "false"]
    assert out.dropped == ["联系电话"]
    assert "received_at" in out.missing and "order_id" not in out.missing


def test_two_columns_for_one_field_or_none_at_all_are_problems() -> None:
    twice = pd.DataFrame({"工单编号": ["a"], "order_id": ["a"]})
    assert "order_id" in conform(twice, resource("hotline_orders")).problems[0]
    nothing = pd.DataFrame({"姓名": ["x"]})
    assert "no column matches" in conform(nothing, resource("hotline_orders")).problems[0]


def test_a_partial_table_is_validated_on_the_columns_it_has(tmp_path: Path) -> None:
    path = tmp_path / "part.csv"
    path.write_text("order_id,area_id\nH2017000001,XH01\nH2017000002,XH99\n", encoding="utf-8")
    assert not validate_file(path, "hotline_orders").ok  # the whole table is expected
    report = validate_file(path, "hotline_orders", partial=True)
    assert [(p.row, p.column) for p in report.problems] == [(3, "area_id")]  # XH99: no such area
