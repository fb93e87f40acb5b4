"""Shared pytest options and fixtures for the whole suite."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright cannot download browsers here
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Files whose tests must not run beside each other (`make test` runs the suite on pytest-xdist):
# one worker runs each group's files one after another.
GROUPS = {
    # `make start` in this checkout (it builds and releases the course here)
    "checkout": ("tests/test_start.py", "tests/lab/"),
    # OS accounts and groups made and removed (the rehearsal checks that none is left behind)
    "os-accounts": ("tests/hub/", "tests/test_permissions.py"),
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (as `make test` runs it), with the files of a group in GROUPS sent to
    the same worker as one unit. (xdist's own `loadgroup` marks do not group anything with
    pytest 9.2: xdist 3.8 renames `item._nodeid`, which pytest no longer reads.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class GroupedFileScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return next((g for g, paths in GROUPS.items() if path.startswith(paths)), path)

    return GroupedFileScheduling(config, log)


def run_in_fresh_loop(coroutine):
    """asyncio.run(coroutine) on a thread of its own. In a worker where a browser test ran,
    Playwright's sync API leaves this thread's event loop marked running, and asyncio.run here
    would refuse ("cannot be called from a running event loop")."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="Rewrite golden files (e.g. tests/course/goldens/) from the current output.",
    )


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test (Playwright's sync API allows one driver
    per thread, so the suites share it rather than each starting their own)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server of the suite's own (Debian's postgresql, started in a temporary
    folder on a unix socket and a random port), stopped at the end. In CI (CI=true) a missing
    server is a failure, never a skip."""
    import os

    from shequlab.rehearsal.postgres import PostgresUnavailable, start_postgres

    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres, request) -> str:
    """A new, empty database on the suite's PostgreSQL server, for one test."""
    import re
    import uuid

    name = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:40]
    return postgres.create_database(f"{name}_{uuid.uuid4().hex[:8]}")


@pytest.fixture(scope="session")
def chinese_hotline_export() -> bytes:
    """A 12345 export as a hotline system gives it: GBK, Chinese headers (the titles of
    datapackage.json), only some of the columns, 2017/3/6 9:05 times, 是/否, and two columns the
    table does not have (a caller's fake name and number), which the upload must drop."""
    import pandas as pd

    from shequlab.layout.project import datasets_dir

    orders = pd.read_csv(datasets_dir() / "hotline_orders.csv", dtype=str, keep_default_na=False)
    titles = {
        "order_id": "工单编号",
        "received_at": "受理时间",
        "channel": "来源渠道",
        "category": "诉求类别",
        "area_id": "居民区编号",
        "handler": "承办单位",
        "closed_at": "办结时间",
        "on_time": "按时办结（空=表扬件，不考核）",
        "satisfaction": "满意度",
    }
    export = orders.head(200)[list(titles)].rename(columns=titles)
    export["受理时间"] = pd.to_datetime(export["受理时间"]).dt.strftime("%Y/%-m/%-d %H:%M")
    export["按时办结（空=表扬件，不考核）"] = export["按时办结（空=表扬件，不考核）"].map(
        {"true": "是", "false": "否", "": ""}
    )
    export.insert(3, "市民姓名", "张三（虚构）")
    export.insert(4, "联系电话", "10012345678")
    return export.to_csv(index=False).encode("gbk")


@dataclass(frozen=True)
class LabServer:
    """A JupyterLab from the real `make start`: where it serves and what it was given."""

    base: str  # http://127.0.0.1:PORT
    token: str
    exchange: Path  # the private nbgrader exchange make start released the course into
    log: Path  # make start's output

    def url(self, path: str = "lab") -> str:
        return f"{self.base}/{path}?token={self.token}"


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory) -> Iterator[LabServer]:
    """The real `make start` (private HOME, exchange and trainee folder), shared by the tests
    that only read from it; stopped at the end, when its port must be free again."""
    from lab.make_start import (
        STOP_TIMEOUT_S,
        free_port,
        make_env,
        port_is_free,
        spawn_make_start,
        stop_group,
        tail,
        wait_until_lab_serves,
    )

    tmp_path = tmp_path_factory.mktemp("lab")
    port, token = free_port(), secrets.token_hex(16)
    home = tmp_path / "home"
    home.mkdir()
    env = make_env(tmp_path, HOME=str(home), SHEQULAB_TRAINEE_DIR=str(tmp_path / "trainee"))
    log = tmp_path / "make-start.log"
    server = LabServer(f"http://127.0.0.1:{port}", token, tmp_path / "exchange", log)
    proc = spawn_make_start(port, token, log, env)
    try:
        wait_until_lab_serves(proc, server.url(), log)
        yield server
    finally:
        stop_group(proc)
        print(tail(log, 60))  # shown by pytest when a test fails
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while not port_is_free(port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert port_is_free(port), f"port {port} still taken after stopping make start"
