"""Bad exports and bad codebook edits: one bilingual message naming file, row and column."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from shequlab.errors import ExpectedError
from shequlab.research import (
    CodebookProblem,
    ImportProblem,
    read_codebook,
    read_survey,
    write_codebook,
)

GOOD = "序号,1、您的性别：,2、您的年龄：\n1,女,67\n2,男,45\n3,女,(跳过)\n"


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def refused(path: Path, *needles: str, **kw) -> str:
    with pytest.raises(ImportProblem) as caught:
        read_survey(path, **kw)
    message = str(caught.value)
    assert isinstance(caught.value, ExpectedError)
    assert " / " in message  # Chinese, then English
    for needle in needles:
        assert needle in message, message
    return message


def test_corrupt_workbook(tmp_path: Path) -> None:
    path = write(tmp_path, "问卷.xlsx", b"PK\x03\x04 this is not really a zip")
    refused(path, "问卷.xlsx", "不是完好的 Excel 工作簿", "not an intact Excel workbook")


def test_empty_files(tmp_path: Path) -> None:
    refused(write(tmp_path, "空.csv", b""), "空.csv", "是空的", "is empty")
    refused(write(tmp_path, "只有表头.csv", "序号,1、性别\n"), "只有表头", "no answers")
    book = Workbook()
    book.save(tmp_path / "空.xlsx")
    refused(tmp_path / "空.xlsx", "是空的", "is empty")


def test_duplicated_header_names_both_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", "序号,1、您的性别：,1、您的性别：\n1,女,男\n")
    refused(path, "第 B 列", "第 C 列", "column B", "column C", "duplicated header")


def test_a_column_without_header_but_with_answers(tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", "序号,,2、年龄\n1,,30\n2,x,40\n")
    refused(path, "第 B 列没有表头", "第 3 行", "column B has no header")


def test_unreadable_encoding_and_utf16(tmp_path: Path) -> None:
    refused(write(tmp_path, "bad.csv", b"\x81\xff\xfe\x00abc\n"), "UTF-8", "bad.csv")
    utf16 = write(tmp_path, "u16.csv", GOOD.encode("utf-16"))
    refused(utf16, "UTF-16")


def test_gbk_and_utf8_bom_are_read(tmp_path: Path) -> None:
    for name, data in (("g.csv", GOOD.encode("gbk")), ("b.csv", GOOD.encode("utf-8-sig"))):
        survey = read_survey(write(tmp_path, name, data))
        assert survey.data["Q2"].tolist() == [67, 45, pd.NA]
    assert read_survey(tmp_path / "g.csv").encoding == "gb18030"
    assert read_survey(tmp_path / "b.csv").encoding == "utf-8-sig"


def test_ragged_csv_and_other_files(tmp_path: Path) -> None:
    refused(write(tmp_path, "r.csv", "a,b\n1,2\n1,2,3,4\n"), "CSV")
    refused(write(tmp_path, "x.pdf", b"%PDF"), ".xlsx", ".csv")
    refused(tmp_path / "nowhere.csv", "找不到", "not found")


def test_a_split_multi_select_cell_that_fits_no_type(tmp_path: Path) -> None:
    text = "序号,3、服务？(助餐),3、服务？(助浴),3、服务？(理发)\n1,1,0,0\n2,0,1,0\n3,1,2,0\n"
    refused(write(tmp_path, "m.csv", text), "第 4 行", "第 C 列", "row 4", "column C", "'2'")


def test_a_repeated_question_number(tmp_path: Path) -> None:
    text = "1、性别,2、年龄,1、居民区\n女,3,番禺\n"
    refused(write(tmp_path, "n.csv", text), "题号 1 出现了两次", "question 1 appears twice")


def test_a_workbook_export_reads_like_its_csv(tmp_path: Path) -> None:
    frame = pd.read_csv(io.StringIO(GOOD), dtype=str)
    book = Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([int(v) if v.isdigit() else v for v in row])
    book.save(tmp_path / "w.xlsx")
    csv = read_survey(write(tmp_path, "w.csv", GOOD))
    xlsx = read_survey(tmp_path / "w.xlsx")
    pd.testing.assert_frame_equal(csv.data, xlsx.data)
    pd.testing.assert_frame_equal(csv.codebook, xlsx.codebook)


# --- the worker's codebook ------------------------------------------------------------------


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return write(tmp_path, "s.csv", GOOD)


def test_codebook_round_trip_is_excel_friendly_and_lossless(export: Path, tmp_path: Path) -> None:
    survey = read_survey(export)
    path = write_codebook(survey.codebook, tmp_path / "codebook.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens it in Chinese
    pd.testing.assert_frame_equal(read_codebook(path), survey.codebook)
    gbk = write(tmp_path, "gbk.csv", path.read_text(encoding="utf-8-sig").encode("gbk"))
    pd.testing.assert_frame_equal(read_codebook(gbk), survey.codebook)  # saved again by Excel


def test_codebook_edits_change_text_type_and_option_order(export: Path, tmp_path: Path) -> None:
    book = read_survey(export).codebook
    book.loc[book["question"] == "1", "options"] = pd.Series([["男", "女"]], index=[1])
    book.loc[book["question"] == "1", "text"] = "性别"
    book.loc[book["question"] == "2", "type"] = "text"
    write_codebook(book, tmp_path / "codebook.csv")
    survey = read_survey(export, codebook=tmp_path / "codebook.csv")
    assert list(survey.data["Q1"].cat.categories) == ["男", "女"]
    assert survey.label("Q1") == "Q1 性别"
    assert survey.data["Q2"].dtype == "string"


def test_codebook_marking_a_question_identifier_removes_it(export: Path) -> None:
    book = read_survey(export).codebook
    book.loc[book["question"] == "2", "type"] = "identifier"
    survey = read_survey(export, codebook=book)
    assert "Q2" not in survey.data.columns
    assert survey.removed["header"].tolist() == ["2、您的年龄："]


def test_bad_codebook_edits_name_the_row(export: Path, tmp_path: Path) -> None:
    book = read_survey(export).codebook
    path = tmp_path / "codebook.csv"
    cases = [
        ("type", "数字", "第 3 行 type", "row 3 column type"),
        ("valid_n", "many", "第 3 行 valid_n", "row 3 column valid_n"),
    ]
    for column, value, zh, en in cases:
        edited = book.copy()
        edited[column] = edited[column].astype(object)
        edited.loc[1, column] = value
        write_codebook(edited, path)
        with pytest.raises(CodebookProblem) as caught:
            read_codebook(path)
        assert zh in str(caught.value) and en in str(caught.value)
    path.write_text("question,text\n1,x\n", encoding="utf-8")
    with pytest.raises(CodebookProblem, match="lacks the columns"):
        read_codebook(path)


def test_a_declared_type_the_answers_do_not_fit(export: Path) -> None:
    book = read_survey(export).codebook
    book.loc[book["question"] == "1", "type"] = "numeric"
    refused(export, "第 2 行", "第 B 列", "'女' is not a number", codebook=book)


def test_a_codebook_of_another_file_is_refused(export: Path, tmp_path: Path) -> None:
    other = read_survey(write(tmp_path, "o.csv", "序号,5、别的题\n1,x\n")).codebook
    refused(export, "codebook.csv", "no row for question 1", codebook=other)


def test_a_detected_identifier_cannot_be_brought_back(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", "序号,9、联系电话\n1,10012345678\n2,10087654321\n")
    book = read_survey(path).codebook
    book.loc[book["question"] == "9", "type"] = "text"
    refused(path, "不能改为其他类型", "cannot be changed", codebook=book)


def test_a_failed_codebook_write_leaves_the_old_file(export: Path, tmp_path: Path) -> None:
    path = write_codebook(read_survey(export).codebook, tmp_path / "codebook.csv")
    before = path.read_bytes()
    with pytest.raises(KeyError):
        write_codebook(pd.DataFrame({"question": ["1"]}), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
