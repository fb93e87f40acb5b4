"""The pre-post and hotline templates: pseudonymised matching key, hotline columns by name."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from shequlab.rehearsal.survey_export import write_export
from shequlab.research import prepost
from shequlab.research.report import make_report
from shequlab.research.templates import new_workspace
from shequlab.research.workspace import open_workspace

ROOT = Path(__file__).resolve().parents[2]


def test_pre_post_matches_by_key_and_replaces_it_with_pseudonyms(tmp_path) -> None:
    pre = write_export(tmp_path / "pre.csv", 120, seed=1)
    post = write_export(tmp_path / "post.csv", 100, seed=2, shift=0.6)
    ws_dir = new_workspace("pre-post", [pre, post], tmp_path / "ws", key="1")
    text = (ws_dir / "data" / "pre.csv").read_text(encoding="utf-8-sig")
    assert "XH0000" not in text and "R0001" in text
    ws = open_workspace(ws_dir)
    assert prepost.matching(ws).table["人数 n"].tolist()[2] == "100"
    found = prepost.paired(ws)
    assert all(r["n"] == 100 for r in found.stats.values())


@pytest.mark.slow
def test_hotline_template_reports_on_a_gbk_export_with_chinese_headers(tmp_path) -> None:
    """A real 12345 export's shape: the datapackage's Chinese titles as headers, GBK."""
    package = json.loads((ROOT / "datasets" / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = [r for r in package["resources"] if r["name"] == "hotline_orders"]
    titles = {f["name"]: f["title"] for f in resource["schema"]["fields"]}
    orders = pd.read_csv(ROOT / "datasets" / "hotline_orders.csv", dtype=str)
    orders = orders[[c for c in orders if not c.endswith("_code")]].rename(columns=titles)
    export = tmp_path / "工单导出.csv"
    orders.to_csv(export, index=False, encoding="gbk")
    ws_dir = new_workspace("hotline", [export], tmp_path / "ws")
    report = make_report(ws_dir)
    assert report.findings == 6 and report.docx.is_file() and report.html.is_file()
    page = report.html.read_text(encoding="utf-8")
    assert "诉求类别 × 按时办结" in page
    assert "卡方检验" in page or "Fisher" in page


def test_pre_post_on_the_shipped_example_matches_the_61_in_both_waves(tmp_path) -> None:
    examples = ROOT / "datasets" / "examples"
    ws_dir = new_workspace(
        "pre-post",
        [examples / "project_eval_2017_pre.xlsx", examples / "project_eval_2017_post.xlsx"],
        tmp_path / "ws",
        key="1",
    )
    ws = open_workspace(ws_dir)
    counts = dict(zip(*prepost.matching(ws).table.to_dict("list").values(), strict=True))
    assert counts["前测 pre"] == "72" and counts["后测 post"] == "64"
    # 3 answered only the second wave: hidden, and with it the 61 matched (64 − 61 = 3)
    assert counts["只有后测 post only"] == "<5" and counts["两次都参加 both (matched)"] == "×"
    assert all(r["n"] <= 61 for r in prepost.paired(ws).stats.values())
    assert max(r["n"] for r in prepost.paired(ws).stats.values()) == 61
    assert "8" in set(ws.codebook["question"])  # the question only the second wave asked


def test_pre_post_matching_gives_no_hidden_count_away_by_subtraction(tmp_path) -> None:
    """103 before, the first 100 of them after: "pre only" is 3, so "both" (= 103 − 3) and
    "post only" (= 100 − both) are hidden too, here and as the paired comparison's n."""
    pre = write_export(tmp_path / "pre.csv", 103, seed=1)
    post = write_export(tmp_path / "post.csv", 100, seed=2, shift=0.6)
    ws = open_workspace(new_workspace("pre-post", [pre, post], tmp_path / "ws", key="1"))
    found = prepost.matching(ws)
    shown = dict(zip(*found.table.to_dict("list").values(), strict=True))
    assert shown == {
        "前测 pre": "103",
        "后测 post": "100",
        "两次都参加 both (matched)": "×",
        "只有前测 pre only": "<5",
        "只有后测 post only": "×",
    }
    both = "两次都参加 both (matched)"
    for line in [
        ("前测 pre", both, "只有前测 pre only"),
        ("后测 post", both, "只有后测 post only"),
    ]:
        assert sum(not shown[k].isdigit() for k in line) != 1  # none follows alone
    assert found.suppressed[0].primary == 1 and found.suppressed[0].secondary == 2
    paired = prepost.paired(ws)
    assert all(r["n"] == 100 for r in paired.stats.values())
    assert set(paired.table["配对人数 n"]) == {"×"} and "100" not in paired.table.to_numpy()
