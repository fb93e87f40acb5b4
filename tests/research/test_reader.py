"""read_survey on each export convention: metadata, numbering, multi-select, matrices, markers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from shequlab.research import read_survey

HEADER = (
    "序号,提交答卷时间,所用时间,来源,来自IP,1、您的性别：,2、您的年龄：,"
    "3、您需要哪些服务？(为老助餐),3、您需要哪些服务？(助浴),3、您需要哪些服务？(其他),"
    "4、您对以下方面是否满意？(楼道环境),4、您对以下方面是否满意？(绿化),"
    "5、您最常参加的活动：,6、您的建议：,7、联系电话"
)
ROWS = [
    "1,2017/5/3 10:02:11,120秒,微信,203.0.113.5(上海-上海),女,67,1,0,0,4,5,健身操┋合唱,"
    "楼道灯坏了请修 10012345678,10012345678",
    "2,2017/5/3 10:05:11,95秒,手机提交,198.51.100.7(上海-上海),男,45,0,1,1〖理发〗,3,(跳过),"
    "合唱,(空),10087654321",
    "3,2017/5/4 11:05:11,200秒,微信,203.0.113.9(上海-上海),女,72,(跳过),(跳过),(跳过),2,2,"
    "(跳过),无,(空)",
    "4,2017/5/4 11:15:11,2分5秒,微信,203.0.113.19(上海-上海),女,31,1,1,0,5,4,其他〖书法〗,"
    "多办活动,",
]


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "问卷.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


def row(survey, question: str) -> pd.Series:
    return survey.codebook.set_index("question").loc[question]


def test_metadata_columns_are_typed_meta_with_times_and_seconds(export: Path) -> None:
    survey = read_survey(export)
    assert row(survey, "序号")["type"] == "meta"
    assert survey.data["提交答卷时间"][0] == pd.Timestamp("2017-05-03 10:02:11")
    assert list(survey.data["所用时间"]) == [120, 95, 200, 125]


def test_numbered_questions_become_q_columns_with_their_text(export: Path) -> None:
    survey = read_survey(export)
    assert row(survey, "1")["text"] == "您的性别"
    assert row(survey, "1")["type"] == "single"
    assert row(survey, "2")["type"] == "numeric"
    assert list(survey.data["Q2"]) == [67, 45, 72, 31]


def test_split_multi_select_is_one_01_column_per_option_na_when_skipped(export: Path) -> None:
    survey = read_survey(export)
    book = row(survey, "3")
    assert book["type"] == "multi"
    assert book["options"] == ["为老助餐", "助浴", "其他"]
    assert book["columns"] == ["Q3_1", "Q3_2", "Q3_3"]
    assert survey.data["Q3_2"].tolist() == [0, 1, pd.NA, 1]
    assert (book["valid_n"], book["missing"]) == (3, 1)
    assert survey.data["Q3_other"].tolist()[1] == "理发"


def test_joined_multi_select_splits_on_the_platform_separator(export: Path) -> None:
    survey = read_survey(export)
    book = row(survey, "5")
    assert book["type"] == "multi"
    assert set(book["options"]) == {"健身操", "合唱", "其他"}
    chosen = survey.data[book["columns"]]
    assert chosen.iloc[0].sum() == 2 and chosen.iloc[2].isna().all()
    assert survey.data["Q5_other"][3] == "书法"


def test_rating_matrix_items_are_likert_with_their_own_missing(export: Path) -> None:
    survey = read_survey(export)
    assert survey.columns_for("4") == ["Q4_1", "Q4_2"]
    assert row(survey, "4.2")["type"] == "likert"
    assert row(survey, "4.2")["text"] == "您对以下方面是否满意：绿化"
    assert survey.data["Q4_2"].tolist() == [5, pd.NA, 2, 4]
    assert row(survey, "4.2")["missing"] == 1


def test_identifiers_are_removed_and_numbers_in_open_answers_replaced(export: Path) -> None:
    survey = read_survey(export)
    assert row(survey, "来自IP")["type"] == "identifier"
    assert row(survey, "7")["type"] == "identifier"
    assert {"来自IP", "7、联系电话"} <= set(survey.removed["header"])
    flat = survey.data.astype(str).to_csv()
    assert "10012345678" not in flat and "203.0.113" not in flat
    assert survey.data["Q6"][0].startswith("楼道灯坏了请修")
