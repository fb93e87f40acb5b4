"""`research new` + `research report` end to end: content, privacy, atomic writes."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from shequlab.rehearsal.survey_export import write_export
from shequlab.research import read_survey, text
from shequlab.research.report_docx import write_docx
from shequlab.research.report_html import write_html

SHEQULAB = str(Path(sys.executable).with_name("shequlab"))
PHONE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
IP = re.compile(r"(?<!\d)\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\d)")


def run(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([SHEQULAB, "research", *args], capture_output=True, text=True,
                          timeout=timeout)  # fmt: skip


def docx_text(path: Path) -> str:
    return docx_text_of(Document(str(path)))


def docx_text_of(doc) -> str:
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.fixture(scope="module")
def reported(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("survey")
    export = write_export(tmp / "问卷.csv", 300)
    made = run("new", "survey", "--data", str(export), "--out", str(tmp / "ws"))
    assert made.returncode == 0, made.stderr
    done = run("report", str(tmp / "ws"))
    assert done.returncode == 0, done.stderr
    return tmp / "ws"


@pytest.mark.slow
def test_workspace_holds_data_without_identifiers_codebook_and_a_clean_notebook(reported) -> None:
    data = (reported / "data" / "survey.csv").read_text(encoding="utf-8-sig")
    assert not PHONE.search(data) and not IP.search(data)
    assert "来自IP" not in data.splitlines()[0]
    assert "question,columns,text,type" in (reported / "codebook.csv").read_text("utf-8-sig")
    nb = json.loads((reported / "analysis.ipynb").read_text(encoding="utf-8"))
    assert all(not c.get("outputs") for c in nb["cells"])  # the run never wrote into it


@pytest.mark.slow
def test_report_docx_has_headings_word_tables_charts_and_the_methods_section(reported) -> None:
    doc = Document(str(reported / "report.docx"))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "问卷调查报告 Survey report" in headings
    assert "方法与数据 / Methods and data" in headings and "局限 / Limits" in headings
    assert any("多选题 multi-select" in h for h in headings)
    assert len(doc.tables) >= 8 and len(doc.inline_shapes) >= 5
    text = docx_text(reported / "report.docx")
    assert "Cronbach's α" in text and "回答率 response rate" in text
    assert "8、联系电话：" in text  # the methods section names what was removed …
    assert "怎样使用本笔记本" not in text and "open_workspace" not in text  # … never code


@pytest.mark.slow
@pytest.mark.parametrize("name", ["report.docx", "report.html"])
def test_identifiers_never_reach_the_report(reported, name) -> None:
    path = reported / name
    text = docx_text(path) if name.endswith(".docx") else path.read_text(encoding="utf-8")
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
    assert not PHONE.search(text) and not ID_NUMBER.search(text) and not IP.search(text)


@pytest.mark.slow
def test_report_html_is_self_contained(reported) -> None:
    page = (reported / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert page.count("data:image/png;base64,") >= 5


@pytest.mark.slow
def test_the_kernel_warm_up_imports_but_leaves_the_notebook_namespace_alone(
    reported, tmp_path
) -> None:
    """The report's kernel imports the analyses' modules before the notebook runs (shequlab.
    research.report.WARM_UP); a notebook that forgot an import must still fail as in JupyterLab."""
    copy = tmp_path / "ws"
    subprocess.run(["cp", "-r", str(reported), str(copy)], check=True, timeout=30)
    nb = json.loads((copy / "analysis.ipynb").read_text(encoding="utf-8"))
    probe = (
        "import sys\n"
        "assert {'jieba', 'scipy.stats', 'shequlab.widgets.charts'} <= set(sys.modules)\n"
        "assert not {'_shequlab_warm_up', 'importlib', 'jieba'} & set(globals())"
    )
    nb["cells"].insert(1, {"cell_type": "code", "metadata": {"tags": ["no-report"]},
                           "source": probe, "outputs": [], "execution_count": None})  # fmt: skip
    (copy / "analysis.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    done = run("report", str(copy))
    assert done.returncode == 0, done.stderr
    nb["cells"][1]["source"] = "jieba.lcut('社区')"  # never imported by the notebook
    (copy / "analysis.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    done = run("report", str(copy))
    assert done.returncode == 1 and "NameError" in done.stderr, done.stderr


def test_the_warm_up_client_does_not_take_the_identity_nbclient_uses(tmp_path) -> None:
    """The kernel routes replies by the client socket's identity (the session id). The warm-up
    client once shared km's session with nbclient's client: whichever reached the kernel first
    owned the identity, and when it was the warm-up's, nbclient's requests went unanswered (CI
    waited out the timeout, more often where nbclient ran on jupyter_core's runner thread)."""
    from shequlab.research.report import _stop, start_kernel

    km = start_kernel(tmp_path)
    try:
        assert km.warm.session.bsession != km.session.bsession
        client = km.client()  # as NotebookClient makes its own
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
        finally:
            client.stop_channels()
    finally:
        _stop(km)


@pytest.mark.slow
def test_a_failing_notebook_writes_no_report_and_says_which_cell(reported, tmp_path) -> None:
    broken = tmp_path / "ws"
    subprocess.run(["cp", "-r", str(reported), str(broken)], check=True, timeout=30)
    for name in ("report.docx", "report.html"):
        (broken / name).unlink()
    nb = json.loads((broken / "analysis.ipynb").read_text(encoding="utf-8"))
    nb["cells"][5]["source"] = "ws.analyse('99')"
    (broken / "analysis.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    done = run("report", str(broken))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "第 6 个单元格" in done.stderr and "cell 6" in done.stderr
    assert not list(broken.glob("report.*")) and not list(broken.glob(".report*"))


def test_templates_are_listed() -> None:
    done = run("templates")
    assert done.returncode == 0
    for name in ("survey", "pre-post", "hotline"):
        assert name in done.stdout


def test_unknown_template_and_existing_folder_are_bilingual_errors(tmp_path) -> None:
    export = write_export(tmp_path / "e.csv", 20)
    done = run("new", "poll", "--data", str(export), "--out", str(tmp_path / "a"))
    assert done.returncode == 1 and "没有模板" in done.stderr and "no template" in done.stderr
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "keep.txt").write_text("x")
    done = run("new", "survey", "--data", str(export), "--out", str(tmp_path / "b"))
    assert done.returncode == 1 and "不是空文件夹" in done.stderr and "not empty" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_report_html_reads_well_in_chromium(reported, browser) -> None:
    """As its reader sees it: every chart loads from the page itself, tables are laid out, and
    Chinese text is drawn in a CJK font (a screenshot is kept in test-artifacts/research/)."""
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    try:
        page.goto((reported / "report.html").as_uri(), timeout=30_000)
        images = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
        assert len(images) >= 5 and all(w > 300 for w in images)
        assert page.locator("table").count() >= 8
        assert page.locator("h2", has_text="方法与数据").count() == 1
        fonts = page.evaluate("() => getComputedStyle(document.body).fontFamily")
        assert "Noto Sans CJK SC" in fonts
        width = page.evaluate("() => document.querySelector('h1').getBoundingClientRect().width")
        assert width > 100  # the Chinese title takes room: its glyphs are drawn
        out = Path(__file__).resolve().parents[2] / "test-artifacts" / "research"
        out.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out / "report.png"), full_page=False)
    finally:
        page.close()


def test_an_open_question_of_codes_gets_a_note_instead_of_an_empty_keyword_table(tmp_path) -> None:
    """Voucher codes typed as answers: the import types the column text (all distinct), jieba
    finds no Chinese word, and the report says so under the question — no empty table."""
    codes = [f"{'ABC'[i % 3]}{100 + i}" for i in range(36)] + ["2017", "8"]
    export = tmp_path / "e.csv"
    export.write_text("1、您领取的活动券编号：\n" + "\n".join(codes) + "\n", encoding="utf-8")
    survey = read_survey(export)
    assert survey.codebook.set_index("question").loc["1", "type"] == "text"
    found = text.keywords(survey.data["Q1"], "1. 您领取的活动券编号")
    assert found.table.empty and found.figure is None and found.title == "1. 您领取的活动券编号"
    assert any("只有编号、数字或字母" in n and "only codes" in n for n in found.notes)
    shown = [("finding", found.to_json())]
    doc = Document(io.BytesIO(write_docx(shown, [])))
    assert not doc.tables and "关键词 keywords" not in docx_text_of(doc)
    assert "只有编号、数字或字母" in docx_text_of(doc)
    page = write_html(shown, []).decode("utf-8")
    assert "<table" not in page and "只有编号、数字或字母" in page
    assert "<table" not in found.to_html()


def test_keywords_nobody_shares_give_a_note_and_count_as_words_not_cells() -> None:
    found = text.keywords(pd.Series(["停车太难", "绿化太少", "路灯坏了"]), "建议")
    assert found.table.empty and any("没有一个词有至少 5 人提到" in n for n in found.notes)
    said = found.to_json()["suppressed"][0]
    assert "少于 5 人提到的词未列出" in said and "words mentioned by fewer than 5" in said
    assert "格子" not in said and "cells" not in said
