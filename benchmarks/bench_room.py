"""A workshop room joins at once (issue 15): `shequlab apps serve --room 30` over every app, 30 and
60 participants opening the vote app in one headless Chromium beside the same crowd opening the
static gallery (the floor), the facilitator's live view, the pools' fill time and memory, and
kernel start forked vs cold."""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import tempfile
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import psutil
from bench_apps import (  # run.py puts benchmarks/ on sys.path
    CHROMIUM_ARGS,
    SHEQULAB,
    _free_port,
    _stop,
)

TITLE = "Workshop room (issue 15)"
ROOM = int(os.environ.get("SHEQULAB_BENCH_ROOM", "30"))  # smaller only to try the script out
VOTE = "voila/render/workshop/vote.ipynb"
# The first widget a participant needs: the join button (a live ipywidgets view).
VOTE_WIDGET = ".shequlab-join"
GALLERY_WIDGET = ".card"  # the gallery's first app card (a static page: the client's own cost)
READY = "就绪 / ready"
KEY = "246810"
CULL_IDLE = 30  # closed tabs' kernels go between the 30 and the 60 (a room leaving)
PHONE = {"width": 375, "height": 740}
KERNEL_STARTS = 6  # kernel starts measured per kind (forked, cold)
QUICK_CLIENT = "shequlab.forking.client.QuickReadyClient"  # as `apps serve` configures it


_LOADS: list[float] = []  # the 1-min load average, sampled through the run


def _load() -> None:
    _LOADS.append(os.getloadavg()[0])


@contextmanager
def _room_server(workdir: Path, *args: str):
    """`shequlab apps serve --room 30` over every app; yields (url, proc, log, started)."""
    port = _free_port()
    log_path = workdir / "serve.log"
    log = log_path.open("w")
    env = {**os.environ, "SHEQULAB_FACILITATOR_KEY": KEY}
    started = time.monotonic()
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
            str(workdir / "w.db"),
            "--room",
            str(ROOM),
            "--cull-idle",
            str(CULL_IDLE),
            "--cull-interval",
            "5",
            *args,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    try:
        yield f"http://127.0.0.1:{port}/", proc, log_path, started
    finally:
        _stop(proc)
        log.close()


def _wait_ready(log: Path, started: float, timeout: float = 240) -> tuple[float, str]:
    """Seconds from the command's start to its ready line, and the line."""
    while time.monotonic() - started < timeout:
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if READY in line:
                return time.monotonic() - started, line.strip()
        time.sleep(0.1)
    raise TimeoutError(f"no ready line within {timeout:.0f} s")


def _room_kernels(server_pid: int) -> list[psutil.Process]:
    """The app kernels: children of the fork-server (the python process below bwrap)."""
    procs = psutil.Process(server_pid).children(recursive=True)
    names = {}
    for p in procs:
        with suppress(psutil.NoSuchProcess):
            names[p.pid] = (p.name(), p.ppid(), p.status())
    servers = {
        pid for pid, (name, ppid, _) in names.items() if name != "bwrap" and ppid in names
        and names[ppid][0] == "bwrap"
    }  # fmt: skip
    return [
        p
        for p in procs
        if p.pid in names and names[p.pid][1] in servers and names[p.pid][2] != "zombie"
    ]


def _pss_mb(procs: list[psutil.Process]) -> list[float]:
    found = []
    for p in procs:
        with suppress(psutil.NoSuchProcess):
            found.append(p.memory_full_info().pss / 2**20)
    return found


def _wait_back_to_pools(server_pid: int, pools: int, timeout: float = 150) -> float:
    """After a crowd left: wait until culling brought the kernels back to the pools' count and
    the server's processes are calm (refilled pools rendered). Seconds waited."""
    start = time.monotonic()
    server = psutil.Process(server_pid)
    while time.monotonic() - start < timeout:
        if len(_room_kernels(server_pid)) == pools:
            tree = [server, *server.children(recursive=True)]
            before = sum(_cpu(p) for p in tree)
            time.sleep(1)
            if sum(_cpu(p) for p in tree) - before < 0.25:  # idle: the restarters poll
                return time.monotonic() - start
        time.sleep(1)
    raise TimeoutError(f"kernels did not come back to the {pools} of the pools")


def _cpu(p: psutil.Process) -> float:
    try:
        t = p.cpu_times()
        return t.user + t.system
    except psutil.NoSuchProcess:
        return 0.0


# Installed before the page's scripts: the time (ms since navigation start) of the first frame
# drawn with the watched element laid out, then a call to Playwright (`__shequlabSeen`). The
# watch waits on DOM changes and looks at frames only once the element exists: a page waiting for
# its widgets does no work for the watch (Playwright's own `wait_for_selector` polls on every
# animation frame, in each of the crowd's pages, for as long as it waits, which on 2 cores shared
# with 30 pages was a good part of what it measured).
FRAME_WATCH = """
(() => {
  const visible = () => {
    const el = document.querySelector(SELECTOR);
    const box = el && el.getBoundingClientRect();
    return Boolean(box && box.width > 0 && box.height > 0);
  };
  const frames = () => requestAnimationFrame(() => {
    if (!visible()) {
      frames();
      return;
    }
    window.__firstWidget = performance.now();
    window.__shequlabSeen();
  });
  const watch = new MutationObserver(() => {
    if (document.querySelector(SELECTOR)) {
      watch.disconnect();
      frames();
    }
  });
  watch.observe(document, { childList: true, subtree: true });
})();
"""


def _cpu_by_kind(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far: the server process, its descendants (fork-server, kernels),
    and every Chromium process (the crowd's browser)."""
    server = psutil.Process(server_pid)
    kinds = {"server": _cpu(server), "kernels": 0.0, "browser": 0.0}
    for p in server.children(recursive=True):
        kinds["kernels"] += _cpu(p)
    for p in psutil.process_iter(["name"]):
        if "chrom" in (p.info["name"] or ""):
            kinds["browser"] += _cpu(p)
    return kinds


async def _open(context, url: str, selector: str) -> tuple[float, float] | None:
    """(in the page: navigation start to the first frame showing `selector`; as Playwright saw
    it: goto to the page's call after that frame), seconds; None if it never showed within
    120 s."""
    page = await context.new_page()
    seen = asyncio.get_running_loop().create_future()

    def on_seen(_source) -> None:
        if not seen.done():
            seen.set_result(time.perf_counter())

    await page.expose_binding("__shequlabSeen", on_seen)
    await page.add_init_script(FRAME_WATCH.replace("SELECTOR", repr(selector)))
    start = time.perf_counter()
    try:
        await page.goto(url, timeout=120_000, wait_until="commit")
        shown = await asyncio.wait_for(seen, 120)
        return await page.evaluate("window.__firstWidget") / 1000, shown - start
    except Exception:
        return None


async def _crowd(browser, url: str, selector: str, people: int) -> tuple[list, list]:
    """`people` new contexts (empty caches) open `url` at the same moment; (results, contexts)."""
    contexts = [await browser.new_context(viewport=PHONE) for _ in range(people)]
    results = await asyncio.gather(*(_open(c, url, selector) for c in contexts))
    return list(results), contexts


async def _join_and_vote(page, code: str, name: str, amounts: list[int]) -> float | None:
    """Join, split the budget, submit; the monotonic time the saved message showed (None: it
    did not within 90 s, counted as a lost vote)."""
    try:
        await page.locator(".shequlab-join-code input").fill(code)
        await page.locator(".shequlab-participant input").fill(name)
        await page.locator(".shequlab-join").click()
        await page.locator(".shequlab-msg-ok").first.wait_for(timeout=90_000)
        boxes = page.locator(".shequlab-amount input")
        for i, amount in enumerate(amounts):
            await boxes.nth(i).fill(str(amount))
            await boxes.nth(i).press("Tab")
        await page.locator(".shequlab-submit").click()
        await page.locator(".shequlab-msg-ok", has_text="已保存").wait_for(timeout=90_000)
    except Exception:
        return None
    return time.monotonic()


async def _facilitator_view(browser, url: str, contexts: list) -> tuple[float | None, str, int]:
    """The facilitator opens a vote; every participant (one page per context, already open)
    joins and votes at once. Seconds from the last vote saved to the facilitator's count showing
    everyone (None: not within 30 s, or a page never showed its vote saved), the join code, and
    how many pages showed their vote saved (within 90 s each)."""
    desk_context = await browser.new_context()
    desk = await desk_context.new_page()
    await desk.goto(url + VOTE, timeout=120_000)
    await desk.locator(".shequlab-join").wait_for(state="visible", timeout=120_000)
    await desk.locator(".lm-TabBar-tab, .p-TabBar-tab", has_text="主持人").click()
    await desk.locator(".shequlab-key input").fill(KEY)
    await desk.locator(".shequlab-unlock").click()
    await desk.locator(".shequlab-title input").fill("全场投票")
    await desk.locator(".shequlab-new").click()
    await desk.locator(".shequlab-code").wait_for(timeout=60_000)
    code = (await desk.locator(".shequlab-code").inner_text()).strip()
    pages = [c.pages[0] for c in contexts]
    saved = await asyncio.gather(
        *(
            _join_and_vote(page, code, f"座位{i + 1:02d}", [i % 21, 20 - i % 21])
            for i, page in enumerate(pages)
        )
    )
    shown_saved = sum(s is not None for s in saved)
    if not all(saved):
        await desk_context.close()
        return None, code, shown_saved
    last = max(saved)
    try:
        await desk.wait_for_function(
            "(n) => { const c = document.querySelector('.shequlab-count');"
            " return c && c.innerText.trim() === String(n); }",
            arg=len(pages),
            timeout=30_000,
        )
        shown = time.monotonic() - last
    except Exception:
        shown = None
    await desk_context.close()
    return shown, code, shown_saved


async def _the_room(url: str, server_pid: int, pools: int) -> dict:
    from playwright.async_api import async_playwright

    out: dict = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            for people in (ROOM, 2 * ROOM):
                start = _cpu_by_kind(server_pid)
                floor, contexts = await _crowd(browser, url, GALLERY_WIDGET, people)
                floor_browser = _cpu_by_kind(server_pid)["browser"] - start["browser"]
                for context in contexts:
                    await context.close()
                before = _cpu_by_kind(server_pid)
                room, contexts = await _crowd(browser, url + VOTE, VOTE_WIDGET, people)
                after = _cpu_by_kind(server_pid)
                cpu = {k: after[k] - before[k] for k in after}
                out[people] = {"floor": floor, "room": room, "cpu": cpu, "floor_cpu": floor_browser}
                _load()
                if people == ROOM and all(room):
                    out["shown_after"], out["code"], out["saved"] = await _facilitator_view(
                        browser, url, contexts
                    )
                for context in contexts:
                    await context.close()  # the crowd leaves; culling returns their kernels
                if people == ROOM:
                    out["settled_s"] = await asyncio.to_thread(
                        _wait_back_to_pools, server_pid, pools
                    )
        finally:
            await browser.close()
    return out


def _vote_source(root: Path) -> str:
    import json

    cells = json.loads((root / "workshop" / "vote.ipynb").read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


async def _kernel_starts(fork: bool, cwd: Path, code: str) -> tuple[list[float], list[float]]:
    """Start app kernels through jupyter_client's kernel manager with the server's own kernel
    spec manager (the shequlab-fork provisioner, or a new process with fork=False) and the
    client `apps serve` gives its kernel managers (ready 20 ms after the first kernel_info
    reply, where jupyter_client's own waits 200 ms more): seconds from start_kernel to ready.
    Then each runs the vote app, and the PSS of the cold ones (host processes) is measured once
    they are idle (MB)."""
    from jupyter_client.manager import AsyncKernelManager

    from shequlab.apps.ipykernel_launcher import AppKernelSpecManager

    specs = AppKernelSpecManager(fork=fork)
    if fork:  # warm, as in a running server: its start-up is the fill's, not a kernel's
        from shequlab.apps.provisioner import app_forkserver

        await app_forkserver()
    started, kernels = [], []
    try:
        for _ in range(KERNEL_STARTS):
            km = AsyncKernelManager(
                kernel_name="python3", kernel_spec_manager=specs, client_class=QUICK_CLIENT
            )
            t0 = time.perf_counter()
            await km.start_kernel(cwd=str(cwd))
            kc = km.client()
            kc.start_channels()
            await kc.wait_for_ready(timeout=120)
            started.append(time.perf_counter() - t0)
            kernels.append((km, kc))
        pss = []
        if not fork:
            for _, kc in kernels:
                reply = await kc.execute_interactive(code, timeout=120, output_hook=lambda m: None)
                assert reply["content"]["status"] == "ok", reply["content"]
            await asyncio.sleep(1.5)  # the kernels give memory back 0.5 s after a cell
            procs = [psutil.Process(km.provisioner.pid) for km, _ in kernels]
            pss = _pss_mb(procs)
        return started, pss
    finally:
        for km, kc in kernels:
            kc.stop_channels()
            with suppress(Exception):
                await km.shutdown_kernel(now=True)


def _pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by the nearest-rank rule."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))]


def run() -> str:
    from shequlab.apps import provisioner

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with _room_server(work) as (url, proc, log, started):
            fill_s, ready = _wait_ready(log, started)
            _load()
            # The room's pools are full at the line; the other apps' pools fill after it.
            notebooks = [nb.relative_to(work / "build" / "root").parts for nb in
                         (work / "build" / "root").rglob("*.ipynb")]  # fmt: skip
            pools = sum(ROOM if parts[0] == "workshop" else 1 for parts in notebooks)
            rest_s = _wait_back_to_pools(proc.pid, pools)
            kernels = _room_kernels(proc.pid)
            room_pss = _pss_mb(kernels)
            room = asyncio.run(_the_room(url, proc.pid, pools))
            root = work / "build" / "root"
            from shequlab.workshop.store import WorkshopStore

            votes = (
                len(WorkshopStore(f"sqlite:///{work / 'w.db'}").entries(room["code"]))
                if room.get("code")
                else 0
            )
            log_text = log.read_text(encoding="utf-8", errors="replace")
        # Kernel start, outside the server, with the environment `apps serve` gives its kernels.
        os.environ.update(
            {
                provisioner.APPS_ROOT_ENV: str(root),
                "SHEQULAB_WORKSHOP_DB": f"sqlite:///{work / 'k.db'}",
            }
        )
        code = _vote_source(root)
        cwd = root / "workshop"
        try:
            forked, _ = asyncio.run(_kernel_starts(True, cwd, code))
        finally:
            provisioner.stop_app_forkserver()
        cold, cold_pss = asyncio.run(_kernel_starts(False, cwd, code))
        _load()

    match = re.search(r"filled in ([\d.]+) s; pools hold (\d+) MB", ready)
    own_s, ready_mb = (float(match[1]), int(match[2])) if match else (float("nan"), 0)
    rows = []
    for people, budget in ((ROOM, 3.0), (2 * ROOM, 6.0)):
        floor, crowd = room[people]["floor"], room[people]["room"]
        served = [r for r in crowd if r]
        floor_ok = [r for r in floor if r]
        f50 = _pct([r[1] for r in floor_ok], 0.5)
        f95 = _pct([r[1] for r in floor_ok], 0.95)
        r50 = _pct([r[1] for r in served], 0.5) if served else float("nan")
        r95 = _pct([r[1] for r in served], 0.95) if served else float("nan")
        i95 = _pct([r[0] for r in served], 0.95) if served else float("nan")
        fi95 = _pct([r[0] for r in floor_ok], 0.95)
        rows.append(
            (
                f"{people} open the static gallery at once: first card p50 / p95 (the floor)",
                f"{f50:.2f} / {f95:.2f} s (in the page p95 {fi95:.2f} s; "
                f"{len(floor_ok)}/{people} shown)",
                "",
                None,
            )
        )
        beyond = f"; {people - ROOM} beyond the room, forked on arrival" if people > ROOM else ""
        ok = len(served) == people and r95 <= f95 + budget
        rows.append(
            (
                f"{people} open the vote app at once: first widget p50 / p95{beyond}",
                f"{r50:.2f} / {r95:.2f} s (in the page p95 {i95:.2f} s; "
                f"{len(served)}/{people} served); p95 {r95 - f95:+.2f} s over the floor",
                f"all served, p95 ≤ floor + {budget:.0f} s",
                ok,
            )
        )
        cpu = room[people]["cpu"]
        rows.append(
            (
                f"… CPU while the {people} opened the vote app: server / kernels / browser",
                f"{cpu['server']:.1f} / {cpu['kernels']:.1f} / {cpu['browser']:.1f} CPU-s "
                f"({(cpu['server'] + cpu['kernels']) / people:.2f} CPU-s per participant on "
                f"the server's side; the browser used {room[people]['floor_cpu']:.1f} CPU-s "
                "for the gallery crowd)",
                "",
                None,
            )
        )
    shown = room.get("shown_after")
    rows.append(
        (
            f"facilitator's view: last of {ROOM} votes saved → full count on screen",
            f"{shown:.2f} s ({votes}/{ROOM} votes in the store)"
            if shown is not None
            else f"not within 30 s ({room.get('saved', 0)}/{ROOM} pages showed their vote saved "
            f"within 90 s; {votes}/{ROOM} votes in the store)",
            "≤ 2 s, none lost",
            shown is not None and shown <= 2 and votes == ROOM,
        )
    )
    f_med, c_med = statistics.median(forked), statistics.median(cold)
    rows.append(
        (
            f"kernel start, forked (refill path) vs cold `--no-fork`: median of {KERNEL_STARTS}",
            f"{f_med:.3f} s vs {c_med:.2f} s ({c_med / f_med:.0f}× faster; forked max "
            f"{max(forked):.3f} s)",
            "forked ≤ 0.2 s",
            f_med <= 0.2,
        )
    )
    per_kernel = sum(room_pss) / len(room_pss)
    rows.append(
        (
            "PSS per extra participant (room's kernels / kernels) vs a cold kernel",
            f"{per_kernel:.1f} MB ({len(room_pss)} kernels, {sum(room_pss):.0f} MB) vs "
            f"{statistics.fmean(cold_pss):.1f} MB (cold, vote app run, mean of {len(cold_pss)})",
            "",
            None,
        )
    )
    rows.append(
        (
            f"`--room {ROOM}` pools filled: command start → ready line",
            f"{fill_s:.1f} s ({3 * ROOM} kernels; the line says {own_s:.1f} s); the other "
            f"{pools - 3 * ROOM} apps' pools full and calm {rest_s:.0f} s later",
            "≤ 30 s",
            fill_s <= 30,
        )
    )
    rows.append(
        (
            "memory held as the ready line prints (PSS: server, fork-server, room's kernels)",
            f"{ready_mb} MB",
            "",
            None,
        )
    )
    rows.append(
        (
            "after the 30 left: kernels culled back to the pools",
            f"{room.get('settled_s', float('nan')):.0f} s (cull after {CULL_IDLE} s idle); "
            f"ready line printed {log_text.count(READY)}×",
            "back to pools, once",
            "settled_s" in room and log_text.count(READY) == 1,
        )
    )
    loads = ", ".join(f"{load:.1f}" for load in _LOADS)
    lines = [
        f"*Load average (1 min) after the fill, each crowd and the kernel starts: {loads}; "
        "other jobs on the same cores show here as slower pages, fill and starts.*",
        "",
        "| measure | result | target | ok |",
        "| --- | --- | --- | --- |",
    ]
    for name, value, target, ok in rows:
        lines.append(
            f"| {name} | {value} | {target} | {'' if ok is None else ('✅' if ok else '❌')} |"
        )
    return (
        f"One `shequlab apps serve --room {ROOM} --cull-idle {CULL_IDLE}` over every app "
        f"({pools} kernels: {ROOM} for each of the three participation apps, one for each case "
        "app), forked from the warm sandboxed fork-server. One headless Debian Chromium; every "
        "participant is a new browser context (empty cache, phone viewport) and a crowd opens "
        "at the same moment (Playwright's async API). The floor is the same crowd opening the "
        "static gallery page of the same server: what this 2-core machine's own browser costs "
        f"for so many pages at once. First widget: the vote app's join button (`{VOTE_WIDGET}`) "
        "visible, timed as Playwright saw it (`goto` to the page's call after the first frame "
        "drawn with it), with the in-page time (navigation start to that frame) beside; p95 by "
        "nearest rank. The pages are watched without polling (a DOM observer, then frames once "
        "the element exists), the same for the floor and the vote. The 60 come after the 30 left "
        "and culling returned their kernels: 30 take the pool's, 30 get a kernel forked on "
        "arrival. The facilitator unlocks the vote app's "
        "facilitator tab in its own context after the 30 opened; all 30 then join and vote at "
        "once, and the time runs from the last page showing its vote saved to the facilitator's "
        "count showing all 30 (it polls the store every second). Kernel start is timed through "
        "jupyter_client's kernel manager with the server's own kernel spec manager "
        "(`AppKernelSpecManager`, the path a pool refill takes), outside the server after it "
        "stopped: `start_kernel` to the client ready (the server's client, ready 20 ms after the "
        "first `kernel_info` reply), forked from a warm fork-server "
        "vs a new `python -OO` process (`--no-fork`). PSS (psutil `memory_full_info`) shares "
        "each page among the processes using it: the room's kernels share the fork-server's "
        "imported pages; the cold kernels share only libraries (the room's PSS is taken once "
        "every pool is full and calm). The fill time runs from the command's start (imports "
        "included) to its ready line, printed once the room's pools are full and their pages "
        "rendered (the other apps' pools are held back until then); measured here and printed "
        "by the line itself.\n\n" + "\n".join(lines)
    )


if __name__ == "__main__":
    print(run())
