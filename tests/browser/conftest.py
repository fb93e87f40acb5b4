"""A real `shequlab apps serve` on a free port and Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
DOCS_IMAGES = ROOT / "docs" / "images"  # rewritten with --update-goldens
FACILITATOR_KEY = "246810"
SHEQULAB = Path(sys.executable).with_name("shequlab")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0) -> None:
    """Poll `url` until it answers 200; every request and the whole wait have a timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")
        time.sleep(0.2)


def wait_pools_filled(log: Path, build: Path, timeout: float) -> None:
    """Wait until every app's preheated kernels are ready, so a test measures an app, not a
    machine still starting a kernel per app (on 2 cores that takes a while)."""
    deadline = time.monotonic() + timeout
    while True:
        apps = len(list(build.glob("root/**/*.ipynb")))
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        filled = {line.split(" of ", 1)[1] for line in text.splitlines() if "is filled" in line}
        if apps and len(filled) >= apps:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {len(filled)} of {apps} app pools were filled")
        time.sleep(0.5)


@contextmanager
def serve_apps(workdir: Path, *args: str, port: int | None = None) -> Iterator[dict]:
    """Run `shequlab apps serve` and stop it (and its kernels, by pid) afterwards."""
    port = port or free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    log = (workdir / "serve.log").open("w")
    env = {**os.environ, "SHEQULAB_FACILITATOR_KEY": FACILITATOR_KEY}
    proc = subprocess.Popen(
        [
            str(SHEQULAB),
            "apps",
            "serve",
            "--port",
            str(port),
            "--build-dir",
            str(workdir / "build"),
            "--db",
            str(workdir / "workshop.db"),
            *args,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    kernels: set[int] = set()
    try:
        wait_http(f"http://127.0.0.1:{port}/", timeout=60)
        if "--no-preheat" not in args:
            wait_pools_filled(workdir / "serve.log", workdir / "build", timeout=600)
        yield {
            "url": f"http://127.0.0.1:{port}/",
            "proc": proc,
            "log": workdir / "serve.log",
            "db": workdir / "workshop.db",
            "kernels": kernels,
        }
    finally:
        with suppress(psutil.NoSuchProcess):
            kernels.update(c.pid for c in psutil.Process(proc.pid).children(recursive=True))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        for pid in kernels:  # kernels run in their own sessions; Voila normally stops them
            with suppress(psutil.NoSuchProcess):
                psutil.Process(pid).kill()
        log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[dict]:
    """One server for the whole browser suite, one preheated kernel per app."""
    with serve_apps(tmp_path_factory.mktemp("apps"), "--pool-size", "1") as srv:
        yield srv


def open_app(context, url: str, timeout: float = 60_000):
    """Open an app page and wait until the page script has put every widget in place."""
    page = context.new_page()
    page.goto(url, timeout=timeout)
    page.wait_for_selector("body[data-widgets]", timeout=timeout)
    assert page.get_attribute("body", "data-widgets") == "ready", page_errors(page)
    page.wait_for_selector(".jupyter-widgets", state="visible", timeout=timeout)
    return page


def page_errors(page) -> list[str]:
    """Error outputs Voila rendered (a cell raised), its error page, widgets that failed."""
    found = page.eval_on_selector_all(
        '[data-mime-type="application/vnd.jupyter.error"], .jp-OutputArea-output.jp-mod-error, '
        ".shequlab-widget-error, #shequlab-status:not([hidden])",
        "els => els.map(e => e.innerText)",
    )
    if page.locator("text=There was an error when executing cell").count():
        found.append("Voila: There was an error when executing cell")
    return found
