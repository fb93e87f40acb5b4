"""The shipped example exports through read_survey: codebook types, privacy, both file variants."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from shequlab.data import examples
from shequlab.layout.project import datasets_dir
from shequlab.research import Survey, read_survey

FOLDER = datasets_dir() / examples.FOLDER
EXPECTED_TYPES = {
    **dict.fromkeys(["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "总分"], "meta"),
    **dict.fromkeys(["来自IP", "13", "14", "15"], "identifier"),
    **dict.fromkeys(["1", "2", "3", "5", "9"], "single"),
    **dict.fromkeys(["4", "11"], "numeric"),
    **dict.fromkeys(["6", "7", "10"], "multi"),
    **{f"8.{i}": "likert" for i in range(1, 7)},
    **dict.fromkeys(["5.other", "6.other", "7.other", "12"], "text"),
}
PHONE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
IP = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")


@pytest.fixture(scope="module", params=[examples.NEEDS_SURVEY_XLSX, examples.NEEDS_SURVEY_GBK_CSV])
def survey(request: pytest.FixtureRequest) -> Survey:
    return read_survey(FOLDER / request.param)


def test_every_question_of_the_example_gets_its_type(survey: Survey) -> None:
    types = dict(zip(survey.codebook["question"], survey.codebook["type"], strict=True))
    assert types == EXPECTED_TYPES
    assert survey.n_rows == 2000 and len(survey.data) == 2000


def test_codebook_counts_and_options(survey: Survey) -> None:
    book = survey.codebook.set_index("question")
    assert book.loc["3", "options"] == [
        "18–29岁",
        "30–44岁",
        "45–59岁",
        "60–69岁",
        "70–79岁",
        "80岁及以上",
    ]
    assert book.loc["6", "options"][-1] == "其他" and len(book.loc["6", "columns"]) == 9
    assert (book["valid_n"] + book["missing"] == 2000).all()
    skipped = (survey.data["Q9"] == "否").sum()
    assert book.loc["10", "missing"] == skipped  # "(跳过)" when Q9 is 否
    assert book.loc["8.1", "options"] == ["1", "2", "3", "4", "5"]
    assert survey.data[survey.columns_for("8")].stack().between(1, 5).all()


def test_gbk_csv_and_workbook_import_to_the_same_table() -> None:
    book = read_survey(FOLDER / examples.NEEDS_SURVEY_XLSX)
    csv = read_survey(FOLDER / examples.NEEDS_SURVEY_GBK_CSV)
    assert (book.encoding, csv.encoding) == ("xlsx", "gb18030")
    pd.testing.assert_frame_equal(book.data, csv.data)
    pd.testing.assert_frame_equal(book.codebook, csv.codebook)


def test_no_identifier_reaches_the_analysis_table(survey: Survey) -> None:
    text = survey.data.astype("string").to_csv(index=False)
    assert not PHONE.search(text)
    assert not IP.search(text)
    assert "室" not in text  # no address down to the flat
    names = pd.read_excel(FOLDER / examples.NEEDS_SURVEY_XLSX, dtype=str, engine="openpyxl")
    given = set(names["13、您的姓名（选填）："]) - {"(空)"}
    assert given and not given & set(survey.data.astype("string").stack())
    assert set(survey.removed["kind"]) == {"ip", "name", "mobile", "address"}
    redacted = survey.removed[survey.removed["header"].str.startswith("12、")]
    assert redacted["cells"].sum() == survey.data["Q12"].str.contains("〔已删除〕").sum() > 0


def test_pre_post_waves_import_with_the_key_and_words_as_ratings() -> None:
    pre = read_survey(FOLDER / examples.PROJECT_EVAL_PRE)
    post = read_survey(FOLDER / examples.PROJECT_EVAL_POST)
    assert pre.columns_for("5") == post.columns_for("5") == ["Q5_1", "Q5_2", "Q5_3", "Q5_4"]
    assert pre.codebook.set_index("question").loc["5.1", "options"][0] == "完全不符合"
    assert "2" not in pre.data.columns and "Q2" not in pre.data.columns  # the names
    matched = pre.data.merge(post.data, on="Q1", suffixes=("_pre", "_post"))
    assert len(matched) == 61
    assert matched["Q5_3_post"].mean() > matched["Q5_3_pre"].mean() + 0.5
