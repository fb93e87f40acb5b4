"""Identifiers inside answers: an open question with few distinct answers is typed single, and a
number typed into one of its options must still never reach the data, the codebook or a report.

The numbers are public service numbers or documented examples, never a person's: 13800138000 is
China Mobile's service line, 11010519491231002X the example of GB 11643, 203.0.113.x and
example.com are reserved for documentation.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from shequlab.rehearsal.survey_export import header, rows
from shequlab.research import read_survey
from shequlab.research.privacy import REDACTED

SHEQULAB = str(Path(sys.executable).with_name("shequlab"))
CONTACT = "9、联系方式或建议："
ANSWERS = [
    "没有建议",
    "多办活动",
    "请打电话给我 13800138000",
    "邮箱 resident@example.com，座机 021-62345678",
]
NUMBERS = ["13800138000", "resident@example.com", "62345678", "11010519491231002X", "203.0.113."]


def write_contact_export(path: Path, n: int = 80) -> Path:
    """The rehearsal export plus an open question that 4 repeated answers make single-choice,
    and a joined multi-select whose "other" text holds an ID number and an IP address."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*header(), CONTACT, "10、您常去哪里？"])
        for i, row in enumerate(rows(n)):
            place = (
                "公园┋其他〖身份证 11010519491231002X 在 203.0.113.7〗"
                if i % 5 == 0
                else "菜场┋公园"
            )
            writer.writerow([*row, ANSWERS[i % len(ANSWERS)], place])
    return path


def row(survey, question: str) -> pd.Series:
    return survey.codebook.set_index("question").loc[question]


def test_numbers_in_the_options_of_an_open_question_typed_single_are_replaced(tmp_path) -> None:
    survey = read_survey(write_contact_export(tmp_path / "e.csv"))
    contact = row(survey, "9")
    assert contact["type"] == "single"  # few distinct answers: the case that leaked
    assert f"请打电话给我 {REDACTED}" in contact["options"]
    assert f"邮箱 {REDACTED}，座机 {REDACTED}" in contact["options"]
    shown = " ".join(map(str, contact["options"])) + " ".join(survey.data["Q9"].astype(str))
    other = " ".join(survey.data["Q10_other"].dropna())
    assert REDACTED in other
    for number in NUMBERS:
        assert number not in shown and number not in other
    removed = survey.removed[survey.removed["header"] == CONTACT]
    assert set(removed["kind"]) == {"mobile", "email", "phone"}
    assert removed.set_index("kind")["cells"].to_dict() == {"mobile": 20, "email": 20, "phone": 20}
    assert set(survey.removed[survey.removed["header"] == "10、您常去哪里？"]["kind"]) == {
        "id_number",
        "ip",
    }


def test_a_numeric_column_of_mobile_numbers_is_an_identifier(tmp_path) -> None:
    """Typed in a workbook as numbers, with a header that does not say "phone"."""
    frame = pd.DataFrame(
        {
            "1、您的年龄：": [30 + i % 40 for i in range(40)],
            "2、回访号码": [13800138000 + 17 * i for i in range(40)],
        }
    )
    path = tmp_path / "e.xlsx"
    frame.to_excel(path, index=False)
    survey = read_survey(path)
    assert row(survey, "2")["type"] == "identifier" and row(survey, "1")["type"] == "numeric"
    assert list(survey.data.columns) == ["Q1"]
    assert survey.removed.set_index("header").loc["2、回访号码", "kind"] == "mobile"


def test_an_option_the_codebook_declares_is_scrubbed_like_the_answers(tmp_path) -> None:
    export = write_contact_export(tmp_path / "e.csv", 40)
    book = read_survey(export).codebook
    at = book.index[book["question"] == "9"][0]
    book.at[at, "options"] = ["多办活动", "没有建议", "请打电话给我 13800138000", *ANSWERS[3:]]
    survey = read_survey(export, codebook=book)
    assert row(survey, "9")["options"][2] == f"请打电话给我 {REDACTED}"
    assert survey.data["Q9"].value_counts()[f"请打电话给我 {REDACTED}"] == 10


def _run(*args: str) -> None:
    done = subprocess.run([SHEQULAB, "research", *args], capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_numbers_in_answers_reach_neither_the_workspace_nor_the_report(tmp_path) -> None:
    export = write_contact_export(tmp_path / "问卷.csv")
    ws = tmp_path / "ws"
    _run("new", "survey", "--data", str(export), "--out", str(ws))
    _run("report", str(ws))
    doc = Document(str(ws / "report.docx"))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    docx_text = "\n".join([*(p.text for p in doc.paragraphs), *cells])
    with zipfile.ZipFile(ws / "report.docx") as package:  # headers, footers, anything else
        parts = "\n".join(package.read(n).decode("utf-8", "replace") for n in package.namelist())
    html = (ws / "report.html").read_text(encoding="utf-8")
    files = {p: p.read_bytes().decode("utf-8", "replace") for p in ws.rglob("*") if p.is_file()}
    for number in NUMBERS:
        assert number not in docx_text and number not in parts and number not in html
        for path, content in files.items():
            assert number not in content, f"{number} in {path.relative_to(ws)}"
    # the frequency table of question 9 is published, with the replaced option …
    assert f"请打电话给我 {REDACTED}" in cells and f"请打电话给我 {REDACTED}" in html
    # … and the methods section says what was replaced, in both reports
    for text in (docx_text, html):
        assert CONTACT in text and "手机号已替换为" in text and "电子邮箱已替换为" in text
        assert "身份证号已替换为" in text and "IP 地址已替换为" in text
        assert "选项、开放题" in text
