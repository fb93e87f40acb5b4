"""Live participation in real browsers: participants vote and rate, the facilitator sees it."""

from __future__ import annotations

from pathlib import Path

import pytest

from shequlab.widgets.own_data import UPLOADABLE

from .conftest import ARTIFACTS, DOCS_IMAGES, FACILITATOR_KEY, open_app, page_errors

pytestmark = [pytest.mark.slow, pytest.mark.server]
PHONE = {"width": 375, "height": 740}
DATASETS = Path(__file__).resolve().parents[2] / "datasets"


def facilitator_opens_session(page, title: str) -> str:
    """Unlock the facilitator tab, start a new session, and return its join code."""
    page.locator(".lm-TabBar-tab, .p-TabBar-tab", has_text="主持人").click()
    page.locator(".shequlab-key input").fill(FACILITATOR_KEY)
    page.locator(".shequlab-unlock").click()
    page.locator(".shequlab-title input").fill(title)
    page.locator(".shequlab-new").click()
    code = page.locator(".shequlab-code")
    code.wait_for(timeout=15_000)
    return code.inner_text().strip()


def participant_joins(page, code: str, name: str) -> None:
    page.locator(".shequlab-join-code input").fill(code)
    page.locator(".shequlab-participant input").fill(name)
    page.locator(".shequlab-join").click()
    page.locator(".shequlab-msg-ok").first.wait_for(timeout=15_000)


def wait_for_count(page, n: int) -> None:
    page.wait_for_function(
        "(n) => { const c = document.querySelector('.shequlab-count');"
        " return c && c.innerText.trim() === String(n); }",
        arg=n,
        timeout=20_000,
    )


def fill_amounts(page, amounts: list[int]) -> None:
    boxes = page.locator(".shequlab-amount input")
    for i, amount in enumerate(amounts):
        boxes.nth(i).fill(str(amount))
        boxes.nth(i).press("Tab")


def test_voting_from_several_browsers(server, browser, request):
    url = server["url"] + "voila/render/workshop/vote.ipynb"
    contexts = [browser.new_context(viewport=PHONE) for _ in range(4)]
    try:
        desk = open_app(contexts[0], url)
        code = facilitator_opens_session(desk, "测试投票")
        pages = [open_app(c, url) for c in contexts[1:]]
        for i, page in enumerate(pages):
            participant_joins(page, code, f"座位{i + 1}")
        # Bad input is refused in the widget with a message: the sum is off, then a negative.
        fill_amounts(pages[0], [5, 5])
        pages[0].locator(".shequlab-submit").click()
        pages[0].locator(".shequlab-msg-error", has_text="必须正好等于预算").wait_for(
            timeout=10_000
        )
        fill_amounts(pages[0], [25, -5])
        pages[0].locator(".shequlab-submit").click()
        pages[0].locator(".shequlab-msg-error", has_text="不能为负数").wait_for(timeout=10_000)
        for page, amounts in zip(pages, ([20, 0], [10, 10], [0, 20]), strict=True):
            fill_amounts(page, amounts)
            page.locator(".shequlab-submit").click()
            page.locator(".shequlab-msg-ok", has_text="已保存").wait_for(timeout=10_000)
        wait_for_count(desk, 3)  # the facilitator's screen updates by itself
        # Proposals 1 and 2 received 20 + 10 + 0 and 0 + 10 + 20.
        desk.wait_for_function(
            "() => [...document.querySelectorAll('.shequlab-table tr')].filter("
            "r => /^M2017-0[12]\\s.*\\s30\\s/.test(r.innerText)).length === 2",
            timeout=20_000,
        )
        # The chart is an image widget the kernel sent later, its bytes in a binary frame.
        desk.wait_for_function(
            "() => [...document.querySelectorAll('.shequlab-results img.widget-image')]"
            ".some(i => i.complete && i.naturalWidth > 200)",
            timeout=20_000,
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        desk.screenshot(path=str(ARTIFACTS / "vote-facilitator.png"), full_page=True)
        if request.config.getoption("--update-goldens"):  # the facilitator guide's screenshots
            desk.screenshot(path=str(DOCS_IMAGES / "vote-facilitator.png"))
            pages[0].screenshot(path=str(DOCS_IMAGES / "vote-participant.png"))
        # A participant who reloads gets their own entry back by typing the same name.
        pages[1].reload()
        pages[1].wait_for_selector(".shequlab-join", timeout=60_000)
        participant_joins(pages[1], code, "座位2")
        pages[1].get_by_text("已载入你上次的提交").wait_for(timeout=10_000)
        pages[1].locator(".shequlab-amount input").first.wait_for(timeout=10_000)
        values = (
            pages[1].locator(".shequlab-amount input").evaluate_all("els => els.map(e => e.value)")
        )
        assert values[:2] == ["10", "10"]
        # Closing the session refuses further entries.
        desk.locator(".shequlab-close").click()
        desk.get_by_text("已结束 closed").first.wait_for(timeout=10_000)
        pages[2].locator(".shequlab-submit").click()
        pages[2].locator(".shequlab-msg-error", has_text="已结束").wait_for(timeout=10_000)
        desk.locator(".shequlab-export").click()
        link = desk.locator("a.shequlab-download")
        link.wait_for(timeout=10_000)
        assert link.get_attribute("href").startswith("data:text/csv")
        for page in [desk, *pages]:
            assert page_errors(page) == []
    finally:
        for context in contexts:
            context.close()


def test_rating_from_several_browsers(server, browser):
    url = server["url"] + "voila/render/workshop/rating.ipynb"
    contexts = [browser.new_context(viewport=PHONE) for _ in range(3)]
    try:
        desk = open_app(contexts[0], url)
        code = facilitator_opens_session(desk, "测试评议")
        pages = [open_app(c, url) for c in contexts[1:]]
        for i, page in enumerate(pages):
            participant_joins(page, code, f"代表{i + 1}")
            page.locator(".shequlab-submit").click()  # nothing scored yet: refused
            page.locator(".shequlab-msg-error", has_text="至少").wait_for(timeout=10_000)
            selects = page.locator(".shequlab-score select")
            for j in range(6):
                selects.nth(j).select_option(str(5 - i * 3 if j % 2 else 4))
            page.locator(".shequlab-submit").click()
            page.locator(".shequlab-msg-ok", has_text="已保存").wait_for(timeout=10_000)
        wait_for_count(desk, 2)
        desk.get_by_text("一致度").first.wait_for(timeout=10_000)
        # The six selects are the first two bodies' three criteria. 代表1 gave 4 5 4 | 5 4 5,
        # 代表2 gave 4 2 4 | 2 4 2: 党政办公室 6 scores, mean 23/6, 5 of 6 within one point of the
        # median 4; 党建办公室 6 scores, mean 22/6, 4 of 6 within one point of the median 4.
        for body, n, mean, agreement in (("党政办公室", 6, 23 / 6, 5 / 6),
                                         ("党建办公室", 6, 22 / 6, 4 / 6)):  # fmt: skip
            row = rf"^{body}\s+{n}\s+{mean:.2f}\s+[0-9.]+\s+{agreement:.2f}\s*$"
            desk.wait_for_function(
                "(re) => [...document.querySelectorAll('.shequlab-table tr')].some("
                "r => new RegExp(re).test(r.innerText.trim()))",
                arg=row,
                timeout=20_000,
            )
        for page in [desk, *pages]:
            assert page_errors(page) == []
    finally:
        for context in contexts:
            context.close()


def choose_file(page, path: Path) -> None:
    with page.expect_file_chooser(timeout=10_000) as chooser:
        page.locator(".shequlab-upload-button").click()
    chooser.value.set_files(str(path))


def test_upload_gbk_and_malformed(server, browser, tmp_path):
    text = (DATASETS / "admin_bodies.csv").read_text(encoding="utf-8")
    good = tmp_path / "我的部门.csv"
    good.write_bytes(text.encode("gbk"))
    bad = tmp_path / "坏表.csv"
    lines = text.splitlines()
    lines[3] = lines[3].replace("街道机关科室", "居委会")
    bad.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    context = browser.new_context(viewport=PHONE)
    try:
        page = open_app(context, server["url"] + "voila/render/workshop/own-data.ipynb")
        page.locator(".shequlab-table-choice select").select_option(
            index=UPLOADABLE.index("admin_bodies")
        )
        page.wait_for_function(
            "() => document.querySelector('.shequlab-upload code').innerText === 'admin_bodies'",
            timeout=10_000,
        )
        choose_file(page, good)
        ok = page.locator(".shequlab-upload-ok")
        ok.wait_for(timeout=20_000)
        assert "12" in ok.inner_text()
        assert page.get_by_text("GBK").count() >= 1
        choose_file(page, bad)
        error = page.locator(".shequlab-upload-error")
        error.wait_for(timeout=20_000)
        details = page.locator(".shequlab-upload").inner_text()
        assert "第 4 行" in details and "kind" in details and "row 4" in details
        assert page_errors(page) == []
    finally:
        context.close()


def test_upload_hotline_export_with_chinese_headers(
    server, browser, tmp_path, chinese_hotline_export
):
    export = tmp_path / "12345工单导出.csv"
    export.write_bytes(chinese_hotline_export)
    context = browser.new_context(viewport=PHONE)
    try:
        page = open_app(context, server["url"] + "voila/render/workshop/own-data.ipynb")
        page.locator(".shequlab-table-choice select").select_option(
            index=UPLOADABLE.index("hotline_orders")
        )
        page.wait_for_function(
            "() => document.querySelector('.shequlab-upload code').innerText === 'hotline_orders'",
            timeout=10_000,
        )
        choose_file(page, export)
        ok = page.locator(".shequlab-upload-ok")
        ok.wait_for(timeout=30_000)
        assert "200" in ok.inner_text()
        shown = page.locator(".shequlab-upload").inner_text()
        assert "工单编号 → order_id" in shown and "H20" in shown
        assert "10012345678" not in shown  # the caller's number column is dropped
        assert page_errors(page) == []
    finally:
        context.close()
