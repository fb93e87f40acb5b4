"""Room-sized pools: which apps get the room's size, refusals, Voila options, the ready line."""

from __future__ import annotations

import asyncio
import json

import pytest

from shequlab.apps.room import ReadyReporter, kernel_pools_config, pool_sizes
from shequlab.apps.serve import ServeError, ServeOptions, check_room, prepare_apps, voila_argv
from tests.conftest import run_in_fresh_loop

NOTEBOOKS = [
    "onboarding/onb-01-neighbourhood/case.ipynb",
    "onboarding/onb-02-hotline/case.ipynb",
    "workshop/vote.ipynb",
    "workshop/rating.ipynb",
    "workshop/own-data.ipynb",
]


def test_room_sizes_participation_apps_and_named_case_apps_only():
    sizes = pool_sizes(NOTEBOOKS, 1, 30, ["onb-02-hotline"])
    assert sizes == {
        "onboarding/onb-02-hotline/case.ipynb": 30,
        "workshop/vote.ipynb": 30,
        "workshop/rating.ipynb": 30,
        "workshop/own-data.ipynb": 30,
    }
    assert pool_sizes(NOTEBOOKS, 1, 0, []) == {}
    assert kernel_pools_config(sizes, 2)["default"] == {"pool_size": 2}


def test_serve_passes_room_pools_and_forking_to_voila(tmp_path):
    prepared = prepare_apps(tmp_path)
    options = ServeOptions(room=12, room_apps=["onb-02-hotline"])
    check_room(options, prepared)
    argv = voila_argv(options, prepared)
    assert "--AppKernelSpecManager.fork=True" in argv
    sizes = json.loads(
        next(a for a in argv if a.startswith("--ShequlabVoila.pool_sizes=")).split("=", 1)[1]
    )
    assert (
        sizes["workshop/vote.ipynb"] == 12 and sizes["onboarding/onb-02-hotline/case.ipynb"] == 12
    )
    assert "onboarding/onb-01-neighbourhood/case.ipynb" not in sizes
    assert "--AppKernelSpecManager.fork=True" not in voila_argv(
        ServeOptions(fork_kernels=False), prepared
    )


def test_page_renders_use_a_client_ready_at_the_kernels_first_reply(tmp_path):
    """Voila's kernel managers, configured as `apps serve` configures them, make clients that
    stop waiting 20 ms after the kernel's first reply (not jupyter_client's 200 ms flush)."""
    from jupyter_server.services.kernels.kernelmanager import ServerKernelManager
    from traitlets.config import KVArgParseConfigLoader

    from shequlab.forking.client import QuickReadyClient

    argv = voila_argv(ServeOptions(), prepare_apps(tmp_path))
    config = KVArgParseConfigLoader(
        [a for a in argv if a.startswith("--ServerKernelManager.")]
    ).load_config()
    km = ServerKernelManager(config=config)
    assert km.client_factory is QuickReadyClient
    assert ServerKernelManager().client_factory is not QuickReadyClient  # not by default


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (ServeOptions(room=5, room_apps=["onb-99-nothing"]), "no such app"),
        (ServeOptions(room_apps=["onb-02-hotline"]), "needs --room"),
        (ServeOptions(room=-1), "0 or more"),
    ],
)
def test_bad_room_options_are_refused_in_both_languages(tmp_path, options, message):
    with pytest.raises(ServeError, match=message) as caught:
        check_room(options, prepare_apps(tmp_path))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(caught.value))


def _pool_item(loop, render):
    done = loop.create_future()
    done.set_result({"task": render})
    return done


def test_ready_line_comes_once_when_the_room_pools_are_full_and_rendered():
    """With room pools the line waits for them alone, then lets the other apps' pools fill."""

    async def run() -> tuple[list[str], list[str]]:
        lines: list[str] = []
        released: list[str] = []
        loop = asyncio.get_running_loop()
        render_done, render_running = loop.create_future(), loop.create_future()
        render_done.set_result(None)
        reporter = ReadyReporter(
            {"workshop/vote.ipynb": 2},
            1,
            2,
            lines.append,
            on_ready=lambda: released.append("room filled"),
        )
        # The case app's pool is held back (empty) until the room's pool is full.
        pools = {"workshop/vote.ipynb": [_pool_item(loop, render_done)], "a/case.ipynb": []}
        assert not reporter.check(pools)  # vote holds 1 of 2
        pools["workshop/vote.ipynb"].append(_pool_item(loop, render_running))
        assert not reporter.check(pools)  # the second page is still rendering
        assert not released
        render_running.set_result(None)
        assert reporter.check(pools) and reporter.check(pools)
        return lines, released

    lines, released = run_in_fresh_loop(run())
    assert released == ["room filled"]  # once
    assert len(lines) == 1 and lines[0].startswith("就绪 / ready: 2 个内核 kernels in 1 pools")
    assert "PSS" in lines[0] and "the other 1 apps follow" in lines[0]


def test_without_a_room_the_ready_line_waits_for_every_pool():
    async def run() -> list[str]:
        lines: list[str] = []
        loop = asyncio.get_running_loop()
        render_done, render_running = loop.create_future(), loop.create_future()
        render_done.set_result(None)
        reporter = ReadyReporter({}, 1, 2, lines.append)
        pools = {"a/case.ipynb": [_pool_item(loop, render_done)]}
        assert not reporter.check(pools)  # the second pool is not there yet
        pools["b/case.ipynb"] = [_pool_item(loop, render_running)]
        assert not reporter.check(pools)  # its page is still rendering
        render_running.set_result(None)
        assert reporter.check(pools)
        return lines

    lines = run_in_fresh_loop(run())
    assert len(lines) == 1 and lines[0].startswith("就绪 / ready: 2 个内核 kernels in 2 pools")
    assert "follow" not in lines[0]


def _refill(km, pool: list, started: list[float]) -> asyncio.Task:
    """A pool refill as Voila makes one: a task, in its pool, that starts a kernel; records the
    loop time the kernel start was let through (the start itself is left out)."""

    async def refill() -> None:
        await km._after_the_wave()
        started.append(asyncio.get_running_loop().time())

    task = asyncio.get_running_loop().create_task(refill())
    pool.append(task)
    return task


def test_pools_refill_after_the_room_has_arrived_not_during_it(monkeypatch):
    """A refill waits while a page that took a kernel has not connected, and WAVE_QUIET more;
    the server's first fill does not wait; a refill a visitor already took starts at once."""
    from shequlab.apps import server

    monkeypatch.setattr(server, "WAVE_QUIET", 0.4)
    monkeypatch.setattr(server, "WAVE_CHECK", 0.02)

    async def run() -> dict[str, float]:
        loop = asyncio.get_running_loop()
        km = server.VisitorAwareKernelManager()
        pool: list = []
        km._pools = {"workshop/vote.ipynb": pool}
        times: dict[str, float] = {}

        first: list[float] = []
        t0 = loop.time()
        await _refill(km, pool, first)  # nobody has arrived: the first fill starts at once
        times["first fill"] = first[0] - t0
        pool.clear()

        km._kernel_connections["k1"] = 0
        km.arrived(kernel_id="k1")  # a page took k1; its browser is still loading
        waiting: list[float] = []
        refill = _refill(km, pool, waiting)
        await asyncio.sleep(1.0)
        times["while k1 connects"] = len(waiting)
        connected = loop.time()
        km.notify_connect("k1")
        await refill
        times["after connect"] = waiting[0] - connected
        assert km._kernel_connections["k1"] == 1  # the server's own count still kept

        km.arrived(kernel_id="k2")  # another wave; a visitor beyond the pool takes the refill
        taken: list[float] = []
        t1 = loop.time()
        refill = _refill(km, pool, taken)
        await asyncio.sleep(0.1)
        pool.remove(refill)
        await refill
        times["taken by a visitor"] = taken[0] - t1
        times["deferred"] = km.refills_deferred
        return times

    times = run_in_fresh_loop(run())
    assert times["first fill"] < 0.1
    assert times["while k1 connects"] == 0
    assert 0.35 <= times["after connect"] < 1.0
    assert times["taken by a visitor"] < 0.3
    assert times["deferred"] == 2


def test_a_refill_waits_at_most_wave_at_most_for_a_page_that_never_connects(monkeypatch):
    from shequlab.apps import server

    monkeypatch.setattr(server, "WAVE_AT_MOST", 0.5)
    monkeypatch.setattr(server, "WAVE_QUIET", 0.1)
    monkeypatch.setattr(server, "WAVE_CHECK", 0.02)

    async def run() -> tuple[float, bool]:
        loop = asyncio.get_running_loop()
        km = server.VisitorAwareKernelManager()
        pool: list = []
        km._pools = {"workshop/vote.ipynb": pool}
        km.arrived(kernel_id="gone")  # a tab closed before its page connected
        started: list[float] = []
        t0 = loop.time()
        await _refill(km, pool, started)
        return started[0] - t0, km.room_arriving()

    waited, arriving = run_in_fresh_loop(run())
    assert 0.45 <= waited < 1.0
    assert not arriving  # the page that never connected no longer counts


def test_culling_activity_is_read_from_each_kernels_messages():
    """The server's own activity watcher (headers only): a real app kernel's execution counts
    as activity and its state follows busy/idle; a kernel_info request (untracked) does not."""
    from shequlab.apps.ipykernel_launcher import AppKernelSpecManager
    from shequlab.apps.server import VisitorAwareKernelManager

    async def run() -> dict:
        km = VisitorAwareKernelManager(kernel_spec_manager=AppKernelSpecManager())
        seen: dict = {}
        kernel_id = await km.start_kernel(kernel_name="python3")
        kernel = km.get_kernel(kernel_id)
        client = kernel.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            await asyncio.sleep(0.5)
            before = kernel.last_activity
            await client.kernel_info(reply=True, timeout=30)
            await asyncio.sleep(0.3)
            seen["after kernel_info"] = kernel.last_activity == before
            client.execute("import time; time.sleep(1.0)")
            await asyncio.sleep(0.5)
            seen["while running"] = kernel.execution_state
            await asyncio.sleep(1.2)
            seen["after running"] = kernel.execution_state
            seen["activity advanced"] = kernel.last_activity > before
        finally:
            client.stop_channels()
            await km.shutdown_all(now=True)
        return seen

    seen = run_in_fresh_loop(run())
    assert seen == {
        "after kernel_info": True,
        "while running": "busy",
        "after running": "idle",
        "activity advanced": True,
    }


def test_app_server_logger_drops_debug_calls_at_its_level():
    """Debug calls are dropped by the logger itself (no record built per kernel message),
    and --debug still turns them on."""
    import logging

    from shequlab.apps.server import ShequlabVoila

    app = ShequlabVoila()
    assert app.log.isEnabledFor(logging.INFO)
    assert not app.log.isEnabledFor(logging.DEBUG)
    app.log_level = logging.DEBUG
    assert app.log.isEnabledFor(logging.DEBUG)
