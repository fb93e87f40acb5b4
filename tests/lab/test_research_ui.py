"""A research workspace opens and runs in the real JupyterLab that `make start` serves.

`shequlab research new survey` makes a workspace from the shipped needs survey under the server
root; its analysis.ipynb opens from the lab, runs all its cells as the research guide says
(运行 → 运行所有单元格), and shows tables and charts, no error and no phone number or IP. The
screenshot is docs/images/research-workspace.png (replaced with SHEQULAB_UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from lab.make_start import ROOT
from lab.screenshots import Screenshots
from shequlab.data import examples
from tests.conftest import LabServer

pytestmark = [pytest.mark.server, pytest.mark.slow]

WORKSPACE = ROOT / "test-artifacts" / "lab" / "research" / "我的调查"  # under the server root
UI_TIMEOUT_MS = 30_000
RUN_TIMEOUT_MS = 180_000
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
IP = re.compile(r"(?<![\d.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\d.])")


@pytest.fixture
def workspace() -> Path:
    shutil.rmtree(WORKSPACE, ignore_errors=True)
    WORKSPACE.parent.mkdir(parents=True, exist_ok=True)
    data = ROOT / "datasets" / examples.FOLDER / examples.NEEDS_SURVEY_XLSX
    shequlab = Path(sys.executable).parent / "shequlab"
    subprocess.run(
        [shequlab, "research", "new", "survey", "--data", data, "--out", WORKSPACE],
        check=True,
        timeout=120,
    )
    return WORKSPACE


def test_workspace_runs_in_the_lab(lab_server: LabServer, workspace: Path, browser) -> None:
    notebook = quote(str((workspace / "analysis.ipynb").relative_to(ROOT)))
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT_MS)
    page: Page = context.new_page()
    shots = Screenshots.from_env(prefix="research")
    try:
        page.goto(lab_server.url(f"lab/workspaces/research/tree/{notebook}"))  # its own tabs
        panel = page.locator(".jp-NotebookPanel:visible")
        expect(panel.locator(".jp-Notebook .jp-CodeCell").first).to_be_visible(
            timeout=RUN_TIMEOUT_MS
        )
        status = page.locator("#jp-main-statusbar")
        expect(status).to_contain_text("空闲", timeout=RUN_TIMEOUT_MS)  # the kernel is ready
        page.locator(".lm-MenuBar-itemLabel", has_text="运行").click()
        page.locator(".lm-Menu-itemLabel").get_by_text("运行所有单元格", exact=True).click()
        prompts = panel.locator(".jp-CodeCell .jp-InputPrompt")
        expect(prompts.last).to_have_text(re.compile(r"\[\d+\]"), timeout=RUN_TIMEOUT_MS)
        expect(panel.locator(".jp-InputPrompt", has_text="[*]")).to_have_count(0)

        outputs = panel.locator(".jp-OutputArea-output")
        expect(outputs.locator("table").first).to_be_visible()
        assert outputs.locator("img").count() >= 5  # a chart per analysed question
        expect(panel).not_to_contain_text("Traceback")
        expect(panel.locator(".shequlab-friendly")).to_have_count(0)  # no error box either
        shown = panel.inner_text()
        assert "有效" in shown  # valid n beside the tables
        assert not PHONE.search(shown) and not IP.search(shown)

        heading = panel.locator(".jp-MarkdownCell h2").first
        heading.evaluate("h => h.scrollIntoView({block: 'start'})")
        page.mouse.move(640, 790)
        shots.take(page, "workspace")
    finally:
        context.close()
    shots.publish()
