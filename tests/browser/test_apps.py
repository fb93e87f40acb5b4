"""Browser tests against a real `shequlab apps serve`: gallery, every case app, language switch."""

from __future__ import annotations

import pytest

from .conftest import ARTIFACTS, DOCS_IMAGES, open_app, page_errors, serve_apps

pytestmark = [pytest.mark.slow, pytest.mark.server]

PHONE = {"width": 375, "height": 740}


def curriculum_modules() -> list[str]:
    """program/module of every curriculum module, read at collection time."""
    from shequlab.curriculum import CurriculumError, load_curriculum

    try:
        return [f"{p.id}/{m.id}" for p in load_curriculum().programs for m in p.modules]
    except CurriculumError as exc:
        return [f"curriculum-invalid: {exc}"]


MODULES = curriculum_modules()

# One interaction: change the first dropdown, else click an inactive toggle button, else a slider.
INTERACT_JS = """() => {
  const select = document.querySelector('.widget-dropdown select');
  if (select && select.options.length > 1) {
    select.selectedIndex = (select.selectedIndex + 1) % select.options.length;
    select.dispatchEvent(new Event('change', {bubbles: true}));
    return 'dropdown';
  }
  const toggle = document.querySelector('.widget-toggle-buttons button:not(.mod-active)');
  if (toggle) { toggle.click(); return 'toggle'; }
  return null;
}"""
OUTPUTS_JS = """() => Array.from(document.querySelectorAll('.widget-output, .widget-html, img'))
  .map(e => e.tagName === 'IMG' ? e.src.length + e.src.slice(-64) : e.innerHTML).join('|')"""


def test_gallery_lists_every_module_and_app(server, browser, request):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = context.new_page()
        page.goto(server["url"], timeout=30_000)
        assert "新华路社区治理案例应用" in page.locator("#gallery-title").inner_text()
        assert "Xinhua Road community governance case apps" in page.content()
        cards = page.eval_on_selector_all("a.card", "els => els.map(e => e.dataset.app)")
        for module in MODULES:
            assert f"{module}/case.ipynb" in cards, (
                f"no app card for {module} (missing case.ipynb?)"
            )
        for app in ("vote", "rating", "own-data"):
            assert f"workshop/{app}.ipynb" in cards
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "gallery.png"), full_page=True)
        if request.config.getoption("--update-goldens"):  # the facilitator guide's screenshot
            page.set_viewport_size({"width": 1000, "height": 700})
            page.screenshot(path=str(DOCS_IMAGES / "gallery.png"))
        page.set_viewport_size(PHONE)
        overflow = page.evaluate("() => document.scrollingElement.scrollWidth")
        assert overflow <= PHONE["width"] + 1, "the gallery scrolls sideways on a phone"
        # Only the apps are served: no file listing, no data files, no notebook sources.
        listing = page.goto(server["url"] + "voila/tree/onboarding", timeout=30_000)
        assert listing.ok and 'a class="card"' in page.content()
        data = page.goto(server["url"] + "voila/files/workshop/vote.ipynb", timeout=30_000)
        assert data.status == 403
    finally:
        context.close()


@pytest.mark.parametrize("module", MODULES)
def test_case_app_renders_and_responds(server, browser, module):
    assert not module.startswith("curriculum-invalid"), module
    context = browser.new_context(viewport=PHONE)
    try:
        page = open_app(context, f"{server['url']}voila/render/{module}/case.ipynb")
        assert page_errors(page) == []
        assert 'pd.read_csv("data/' not in page.content(), "sources must be stripped"
        before = page.evaluate(OUTPUTS_JS)
        kind = page.evaluate(INTERACT_JS)
        assert kind, f"{module}: no dropdown or toggle buttons to interact with"
        page.wait_for_function(
            f"(before) => ({OUTPUTS_JS})() !== before", arg=before, timeout=30_000
        )
        assert page_errors(page) == []
        if module == MODULES[0]:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "case-app-phone.png"), full_page=True)
    finally:
        context.close()


def test_language_switch(server, browser):
    context = browser.new_context(viewport=PHONE)
    try:
        page = open_app(context, server["url"] + "voila/render/workshop/vote.ipynb")
        join = page.locator(".shequlab-join")
        assert join.inner_text().strip() == "加入"
        page.locator(".shequlab-language-switch button", has_text="English").click()
        page.wait_for_function(
            "() => document.querySelector('.shequlab-join').innerText.trim() === 'Join'",
            timeout=10_000,
        )
        assert page.get_by_text("Join code").count() >= 1
        page.locator(".shequlab-language-switch button", has_text="中文").click()
        page.wait_for_function(
            "() => document.querySelector('.shequlab-join').innerText.trim() === '加入'",
            timeout=10_000,
        )
    finally:
        context.close()


def _scripts_of(
    server, browser, path: str, widget: str
) -> tuple[str, list[tuple[str, int]], list[str]]:
    """Open an app page and see `widget` shown: (its widget client, [(script, bytes)] in request
    order, requests to other hosts)."""
    context = browser.new_context(viewport=PHONE)
    responses = []
    context.on("response", lambda r: responses.append(r))
    try:
        page = open_app(context, f"{server['url']}voila/render/{path}")
        assert page.locator('script[type="application/vnd.jupyter.widget-state+json"]').count() == 1
        assert page.locator(widget).first.is_visible()
        scripts = [
            (r.url.split("?")[0].rsplit("/", 1)[1], len(r.body()))
            for r in responses
            if r.url.split("?")[0].endswith(".js")
        ]
        foreign = [r.url for r in responses if not r.url.startswith(("data:", server["url"]))]
        return page.get_attribute("body", "data-client"), scripts, foreign
    finally:
        context.close()


def test_workshop_page_is_one_response_with_a_small_script(server, browser):
    """A room's phones fetch one page that carries its small script, its stylesheet and the
    widgets' state: no CDN (a room may be offline), no JupyterLab page app, no ipywidgets
    client, no other request."""
    context = browser.new_context(viewport=PHONE)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    try:
        page = open_app(context, f"{server['url']}voila/render/workshop/vote.ipynb")
        assert page.locator(".shequlab-join").is_visible()
        assert page.get_attribute("body", "data-client") == "light"
        assert page.locator('script[type="application/vnd.jupyter.widget-state+json"]').count() == 1
        inline = page.eval_on_selector_all(
            "script:not([type]):not([src])", "els => els.map(e => e.textContent.length)"
        )
        assert len(inline) == 1 and inline[0] < 64 * 1024  # the full ipywidgets client: 780 KB
        assert [u for u in requests if not u.startswith("data:")] == [
            f"{server['url']}voila/render/workshop/vote.ipynb"
        ]
    finally:
        context.close()


def test_case_page_with_an_output_widget_loads_the_full_client(server, browser):
    """A case app shows charts in an Output widget, which the light script does not draw: it
    loads the full ipywidgets client from this server, and the page works as before."""
    client, scripts, foreign = _scripts_of(
        server, browser, f"{MODULES[0]}/case.ipynb", ".shequlab-header"
    )
    assert client == "full"
    assert [name for name, _ in scripts] == ["shequlab-widgets.js"]
    assert foreign == []


def test_voila_lab_page_remains_available(tmp_path, browser):
    """`--template lab`: Voila's own page, for notebooks with widgets the light page lacks."""
    with serve_apps(tmp_path, "--template", "lab", "--no-preheat", "-p", "onboarding") as srv:
        context = browser.new_context(viewport=PHONE)
        try:
            page = context.new_page()
            page.goto(f"{srv['url']}voila/render/{MODULES[0]}/case.ipynb", timeout=120_000)
            page.wait_for_selector(".shequlab-header", state="visible", timeout=120_000)
            assert page_errors(page) == []
            assert page.locator('script[src*="voila.js"]').count() == 1
        finally:
            context.close()


def test_kernel_websocket_serves_only_the_v1_protocol(server):
    """Voila's handler misreads the older protocol's binary frames (an image widget's bytes)
    and stalls the whole server: a client that does not ask for v1 is refused, with 400."""
    import asyncio
    import json
    import re
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from tornado.httpclient import HTTPClientError
    from tornado.websocket import websocket_connect

    from shequlab.apps.server import KERNEL_WS_PROTOCOL

    url = f"{server['url']}voila/render/workshop/rating.ipynb"
    html = urllib.request.urlopen(url, timeout=120).read().decode("utf-8")
    config = re.search(
        r'id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S
    )
    kernel = json.loads(config.group(1))["kernelId"]
    ws_url = f"{server['url'].replace('http', 'ws', 1)}api/kernels/{kernel}/channels?session_id=t"

    async def connect(subprotocols):
        try:
            ws = await websocket_connect(ws_url, subprotocols=subprotocols)
        except HTTPClientError as exc:
            return exc.code
        selected = ws.selected_subprotocol
        ws.close()
        return selected

    def run(subprotocols):  # in a thread of its own: Playwright's sync API runs a loop here
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, connect(subprotocols)).result(timeout=60)

    assert run(None) == 400
    assert run([KERNEL_WS_PROTOCOL]) == KERNEL_WS_PROTOCOL
