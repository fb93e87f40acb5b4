"""Components of the case apps, tested without a browser."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from shequlab.widgets.charts import bar_chart, chart, use_chinese_font
from shequlab.widgets.controls import ALL, apply_filter, filter_dropdown, row
from shequlab.widgets.header import header, header_html
from shequlab.widgets.i18n import Language, language_switch
from shequlab.widgets.tables import table_html
from shequlab.widgets.upload import check_upload, result_html, upload

DATASETS = Path(__file__).resolve().parents[2] / "datasets"


def test_language_switch_relabels_bound_widgets():
    import ipywidgets as widgets

    lang = Language()
    button = lang.bind(widgets.Button(), "description", "加入", "Join")
    seen = []
    lang.on_change(seen.append)
    switch = language_switch(lang)
    assert button.description == "加入"
    switch.value = "en"
    assert button.description == "Join" and seen == ["en"]
    with pytest.raises(ValueError):
        lang.set("fr")


def test_header_shows_title_and_objectives_in_either_language():
    from shequlab.curriculum import load_curriculum

    module = load_curriculum().programs[0].modules[0]
    zh = header_html(module.id, "zh")
    assert module.title.zh in zh and module.objectives[0].zh in zh and "学习目标" in zh
    en = header_html(module.id, "en")
    assert module.objectives[0].en.split()[0] in en and "Objectives" in en
    lang = Language()
    box = header(module.id, lang)
    lang.set("en")
    assert "Objectives" in box.children[0].value
    with pytest.raises(KeyError, match="no module"):
        header_html("onb-99-nothing")


def test_filter_dropdown_and_apply_filter():
    df = pd.DataFrame({"area": ["香花桥", "新华", "新华"], "n": [1, 2, 3]})
    lang = Language()
    dropdown = filter_dropdown(df, "area", "居民区", "Area", language=lang)
    assert dropdown.value == ALL and dropdown.options[0][0] == "全部"
    assert [v for _, v in dropdown.options[1:]] == ["新华", "香花桥"]
    lang.set("en")
    assert dropdown.options[0][0] == "All" and dropdown.description == "Area"
    assert len(apply_filter(df, "area", ALL)) == 3
    assert apply_filter(df, "area", "新华")["n"].tolist() == [2, 3]
    assert row(dropdown).layout.flex_flow == "row wrap"


def test_table_scrolls_sideways_and_counts_rows():
    html = table_html(pd.DataFrame({"名称": [f"<b>{i}</b>" for i in range(60)]}), max_rows=10)
    assert "overflow-x:auto" in html and "共 60 行" in html and "<b>0</b>" not in html


def test_bar_chart_draws_chinese_with_a_cjk_font():
    assert use_chinese_font() is not None
    fig = bar_chart(pd.Series([3, 1], index=["香花桥", "新华"]), title="测试", highlight="新华")
    assert isinstance(fig, Figure)
    png = io.BytesIO()
    fig.savefig(png, format="png")  # a missing glyph would warn; pytest -W error would catch it
    (shown,) = chart(fig).outputs
    assert shown["data"]["image/png"]


def test_upload_accepts_gbk_and_utf8_bom():
    text = (DATASETS / "admin_bodies.csv").read_text(encoding="utf-8")
    for data in (text.encode("gbk"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        result = check_upload("导出.csv", data, "admin_bodies")
        assert result.ok and len(result.frame) == 12
        assert "12" in result_html(result, "admin_bodies")


def test_upload_refuses_with_row_and_column_in_both_languages():
    lines = (DATASETS / "admin_bodies.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("街道机关科室", "居委会")
    result = check_upload("坏.csv", ("\n".join(lines) + "\n").encode("gbk"), "admin_bodies")
    assert not result.ok
    message = result.problems[0]
    assert "坏.csv" in message and "第 3 行" in message and "row 3" in message and "kind" in message
    assert "shequlab-upload-error" in result_html(result, "admin_bodies")


def test_upload_reads_excel_and_refuses_other_files():
    frame = pd.read_csv(DATASETS / "admin_bodies.csv", dtype=str)
    xlsx = io.BytesIO()
    frame.to_excel(xlsx, index=False)
    assert check_upload("部门.xlsx", xlsx.getvalue(), "admin_bodies").ok
    assert not check_upload("x.pdf", b"%PDF", "admin_bodies").ok
    assert not check_upload("x.xlsx", b"not a workbook", "admin_bodies").ok
    panel = upload("admin_bodies")
    assert panel.frame is None


def test_labelled_controls_follow_the_language_switch():
    from shequlab.widgets.controls import checkbox, choice, slider, toggles

    lang = Language()
    dropdown = choice([("二〇一七", 2017), ("2016", 2016)], "年份", "Year", 2016, lang)
    buttons = toggles(["已完成", "进行中"], "状态", "Status", language=lang)
    years = slider("服务年限", "Years of service", 2, 0, 35, language=lang)
    tick = checkbox("去掉直线作答", "Drop straight-liners", value=True, language=lang)
    assert dropdown.value == 2016 and buttons.value == "已完成"
    assert (years.min, years.max) == (0, 35)
    assert tick.value and [w.description for w in (dropdown, buttons, years, tick)] == [
        "年份",
        "状态",
        "服务年限",
        "去掉直线作答",
    ]
    lang.set("en")
    assert [w.description for w in (dropdown, buttons, years, tick)] == [
        "Year",
        "Status",
        "Years of service",
        "Drop straight-liners",
    ]


def test_figure_with_source_note_becomes_a_png_without_pyplot():
    from shequlab.widgets.charts import figure, figure_png, source_note

    fig, (left, right) = figure(6, 2, ncols=2)
    left.barh(["香花桥", "新华"], [3, 1])
    right.plot([1, 2], [3, 4])
    png = figure_png(source_note(fig, "数据来源：虚构数据 / synthetic"))
    assert png.startswith(b"\x89PNG") and fig.texts[0].get_text().startswith("数据来源")


def test_stacked_barh_stacks_columns_left_to_right_with_a_legend():
    from shequlab.widgets.charts import figure, stacked_barh

    shares = pd.DataFrame({"补偿": [60.0, 20.0], "生计": [40.0, 80.0]}, index=["第一批", "第二批"])
    _fig, ax = figure(6, 2)
    stacked_barh(ax, shares, colors=["#b71c1c", "#5b7a99"])
    bars = ax.patches
    assert [(b.get_x(), b.get_width()) for b in bars] == [(0, 60), (0, 20), (60, 40), (20, 80)]
    assert [b.get_facecolor()[:3] for b in bars[:1]] == [(183 / 255, 28 / 255, 28 / 255)]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["补偿", "生计"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["第一批", "第二批"]


def test_format_columns_and_key_figures():
    from shequlab.widgets.tables import format_columns, key_figures

    df = pd.DataFrame({"居民区": ["新华", "香花桥"], "share": [0.1234, float("nan")]})
    shown = format_columns(df, {"share": "{:.1%}"})
    assert shown["share"].tolist() == ["12.3%", ""] and df["share"].iloc[0] == 0.1234
    box = key_figures({"工单数 orders": "1,234", "按时办结率 on time": "98.1%"})
    assert "指标 indicator" in box.value and "98.1%" in box.value and "overflow-x:auto" in box.value


def test_a_font_cache_made_before_the_cjk_fonts_were_installed_is_refreshed(monkeypatch):
    from matplotlib import font_manager

    stale = [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    assert use_chinese_font() == "Noto Sans CJK SC"  # found on disk, not in the stale cache


def test_upload_accepts_a_hotline_export_with_chinese_headers(chinese_hotline_export):
    result = check_upload("12345导出.csv", chinese_hotline_export, "hotline_orders")
    assert result.ok, result.problems
    assert list(result.frame.columns) == [
        "order_id",
        "received_at",
        "channel",
        "category",
        "area_id",
        "handler",
        "closed_at",
        "on_time",
        "satisfaction",
    ]
    assert len(result.frame) == 200
    assert result.frame["received_at"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:00").all()
    shown = result_html(result, "hotline_orders")
    assert "10012345678" not in shown and "张三" not in shown  # dropped, never shown
    assert "联系电话" in shown and "channel_code" in shown  # but named in the notes


def test_upload_of_a_partial_export_still_checks_every_cell(chinese_hotline_export):
    text = chinese_hotline_export.decode("gbk").splitlines()
    text[5] = text[5].replace("XH", "ZZ", 1)  # an area id that does not exist
    result = check_upload("12345导出.csv", ("\n".join(text) + "\n").encode("gbk"), "hotline_orders")
    assert not result.ok
    assert any("第 6 行" in p and "area_id" in p for p in result.problems), result.problems
