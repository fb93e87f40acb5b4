"""Room-sized kernel pools: how many kernels each app keeps ready, and the line saying they are.

A workshop room opens the participation apps all at once; the rest of the gallery is opened by
a few people at a time. `shequlab apps serve --room N` therefore keeps N kernels ready for each
participation app (and each case app named with --room-app), and the small pool elsewhere.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

PARTICIPATION_FOLDER = "workshop"  # the served folder of the participation apps


def pool_sizes(
    notebooks: list[str], default: int, room: int, room_apps: list[str]
) -> dict[str, int]:
    """Pool size per served notebook path (relative, '/'-separated); others get `default`.

    `room_apps` name case apps by module id (`onb-02-hotline`) or by served path.
    """
    if room <= 0:
        return {}
    sizes = {}
    for path in notebooks:
        parts = path.split("/")
        if (
            parts[0] == PARTICIPATION_FOLDER
            or path in room_apps
            or any(module in parts[:-1] for module in room_apps)
        ):
            sizes[path] = max(room, default)
    return sizes


def unknown_room_apps(notebooks: list[str], room_apps: list[str]) -> list[str]:
    """Names given with --room-app that match no served app."""
    return [
        name
        for name in room_apps
        if not any(name == path or name in path.split("/")[:-1] for path in notebooks)
    ]


def kernel_pools_config(sizes: Mapping[str, int], default: int) -> dict[str, dict]:
    """Voila's VoilaKernelManager.kernel_pools_config for these sizes."""
    config: dict[str, dict] = {"default": {"pool_size": default}}
    for path, size in sizes.items():
        config[str(Path(path))] = {"pool_size": size}
    return config


def filled_pools(pools: Mapping[str, list], sizes: Mapping[str, int], default: int) -> int:
    """How many pools hold their full size of kernels whose page is already rendered."""
    filled = 0
    for name, pool in pools.items():
        want = sizes.get(name, default)
        ready = 0
        for item in pool:
            if not item.done() or item.cancelled() or item.exception() is not None:
                continue
            render = item.result().get("task")
            if render is None or render.done():
                ready += 1
        filled += ready >= want
    return filled


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (kernels, fork-server), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def pss_bytes(pids: list[int]) -> int:
    """Proportional set size of these processes: shared pages counted once in total."""
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
                break
    return total


def ready_line(kernels: int, pools: int, seconds: float, pss: int, others: int = 0) -> str:
    line = (
        f"就绪 / ready: {kernels} 个内核 kernels in {pools} pools, filled in {seconds:.1f} s; "
        f"pools hold {pss / 2**20:.0f} MB (PSS)"
    )
    if others:
        line += f"; 其余 {others} 个应用随后就绪 / the other {others} apps follow"
    return line


def process_age() -> float:
    """Seconds since this process started (the command itself, its imports included)."""
    ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))


class ReadyReporter:
    """Prints the ready line once, the first time the pools it waits for are full (polled by
    the server).

    With room pools (`sizes`) it waits for those alone: the room is what joins at once, so the
    server fills the room's pools first and the other apps' pools after the line (`on_ready` is
    called as it is printed). Without room pools it waits for all `expected_pools`.
    The fill time counts from `started` (a time.monotonic() value; default: when this process
    started, so the facilitator reads how long the command took to be ready). Measuring the pools'
    memory walks every kernel's page tables; `background`, when given, runs that and the echo
    off the caller's thread (the server's event loop must not stall on it).
    """

    def __init__(
        self,
        sizes: Mapping[str, int],
        default: int,
        expected_pools: int,
        echo: Callable[[str], None],
        started: float | None = None,
        background: Callable[[Callable[[], None]], None] | None = None,
        on_ready: Callable[[], None] | None = None,
    ) -> None:
        self.sizes, self.default, self.expected = sizes, default, expected_pools
        self.echo = echo
        self.started = time.monotonic() - process_age() if started is None else started
        self.background = background
        self.on_ready = on_ready
        self.done = False

    def check(self, pools: Mapping[str, list]) -> bool:
        if self.done:
            return True
        if self.sizes:
            if any(name not in pools for name in self.sizes):
                return False
            waited = {name: pools[name] for name in self.sizes}
        elif len(pools) < self.expected:
            return False
        else:
            waited = dict(pools)
        if filled_pools(waited, self.sizes, self.default) < len(waited):
            return False
        self.done = True
        if self.on_ready is not None:
            self.on_ready()
        kernels = sum(len(pool) for pool in waited.values())
        seconds = time.monotonic() - self.started
        others = max(len(pools), self.expected) - len(waited)

        def report() -> None:
            pss = pss_bytes(descendants(os.getpid()))
            self.echo(ready_line(kernels, len(waited), seconds, pss, others))

        if self.background is None:
            report()
        else:
            self.background(report)
        return True
