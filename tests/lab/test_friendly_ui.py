"""What a trainee sees when their code fails, in the real JupyterLab that `make start` serves.

A notebook with a misspelled column and Chinese quotes runs in the lab: each error shows the
bilingual box (rendered HTML, not escaped), the traceback stays folded until its summary is
clicked, and the red error line is still there. The screenshot is
docs/images/trainee-friendly-error.png (replaced with SHEQULAB_UPDATE_SCREENSHOTS=1, as in
test_trainee_ui.py).
"""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest
from playwright.sync_api import Page, expect

from lab.make_start import ROOT
from lab.screenshots import Screenshots
from tests.conftest import LabServer

pytestmark = [pytest.mark.server, pytest.mark.slow]

FOLDER = ROOT / "test-artifacts" / "lab" / "friendly"  # under the server root
CELLS = [
    'import pandas as pd\nareas = pd.read_csv("data/residential_areas.csv")',
    'areas["residents_60"].sum()',
    "areas.sort_values（“residents”，ascending=False）",
]
UI_TIMEOUT_MS = 30_000
RUN_TIMEOUT_MS = 120_000


@pytest.fixture
def lab(lab_server: LabServer) -> str:
    """The URL of a notebook of beginners' mistakes, opened in the lab."""
    shutil.rmtree(FOLDER, ignore_errors=True)
    (FOLDER / "data").mkdir(parents=True)
    shutil.copy(ROOT / "datasets" / "residential_areas.csv", FOLDER / "data")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, FOLDER / "mistakes.ipynb")
    return lab_server.url(f"lab/tree/{FOLDER.relative_to(ROOT) / 'mistakes.ipynb'}")


def run_alone(cell, page: Page, attempts: int = 3) -> None:
    """Select `cell` by its prompt and run it with Shift+Enter. On a loaded machine the click can
    land while the lab is still redrawing after "run all" and select nothing (CI waited 120 s
    for a box): the cell must show as active first, and a run that never started is retried."""
    for attempt in range(1, attempts + 1):
        cell.locator(".jp-InputPrompt").click()
        try:
            expect(cell).to_have_class(re.compile(r"\bjp-mod-active\b"), timeout=5_000)
        except AssertionError:
            if attempt == attempts:
                raise
            continue
        page.keyboard.press("Shift+Enter")
        try:  # the prompt shows [*] or a number once the kernel took the cell
            expect(cell.locator(".jp-InputPrompt")).to_contain_text(
                re.compile(r"\[(\*|\d+)\]"), timeout=20_000
            )
            return
        except AssertionError:
            if attempt == attempts:
                raise


def test_trainee_sees_a_bilingual_box_with_the_traceback_folded(lab: str, browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT_MS)
    expect.set_options(timeout=UI_TIMEOUT_MS)
    page: Page = context.new_page()
    shots = Screenshots.from_env()
    try:
        page.goto(lab)
        cells = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-CodeCell")
        expect(cells).to_have_count(len(CELLS), timeout=RUN_TIMEOUT_MS)
        idle = page.locator("#jp-main-statusbar")
        expect(idle).to_contain_text("空闲", timeout=RUN_TIMEOUT_MS)  # the kernel is ready
        page.locator(".lm-MenuBar-itemLabel", has_text="运行").click()
        page.locator(".lm-Menu-itemLabel").get_by_text("运行所有单元格", exact=True).click()
        # A cell that fails stops "run all": run the last one on its own too.
        box = cells.nth(1).locator(".shequlab-friendly")
        expect(box).to_be_visible(timeout=RUN_TIMEOUT_MS)
        quote_box = cells.nth(2).locator(".shequlab-friendly")
        run_alone(cells.nth(2), page)
        expect(quote_box).to_be_visible(timeout=RUN_TIMEOUT_MS)

        expect(box).to_contain_text("你是不是想写 'residents_60plus'？")
        expect(box).to_contain_text("did you mean 'residents_60plus'?")
        expect(box.locator("code").first).to_be_visible()  # rendered HTML, not escaped text
        expect(quote_box).to_contain_text("切换到英文输入法")
        expect(quote_box).to_contain_text('areas.sort_values("residents",ascending=False)')
        # Python's error line stays below the box; its traceback is folded until clicked.
        expect(
            cells.nth(1).locator(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
            )
        ).to_contain_text("KeyError: 'residents_60'")
        traceback = box.locator("details pre")
        expect(traceback).to_be_hidden()
        page.mouse.move(640, 790)
        cells.nth(1).evaluate("cell => cell.scrollIntoView({block: 'start'})")
        expect(idle).to_contain_text("空闲")
        shots.take(page, "friendly-error")
        box.locator("summary").click()
        expect(traceback).to_be_visible()
        expect(traceback).to_contain_text("Traceback")
        expect(traceback).to_contain_text("KeyError: 'residents_60'")
    finally:
        context.close()
    shots.publish()
