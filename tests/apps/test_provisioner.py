"""Forked app kernels: fast, and isolated from the server and from each other."""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from jupyter_client.multikernelmanager import AsyncMultiKernelManager

from shequlab.apps import provisioner
from shequlab.apps.ipykernel_launcher import AppKernelSpecManager
from shequlab.forking.host import bwrap_available

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not bwrap_available(), reason="bubblewrap cannot run here"),
]

SERVER_KEY = "QWER-TYUP-ASDF"

# Run in kernel B: what it can learn of the server's key and of kernel A (its pid and key given).
PROBE = """
import json, os, re
def readable(path):
    try:
        with open(path, 'rb') as f:
            f.read(1)
        return True
    except OSError:
        return False
def in_own_memory(needles):
    # Each needle comes in two halves, never joined here: only a real copy matches.
    found = set()
    with open('/proc/self/maps') as maps, open('/proc/self/mem', 'rb', 0) as mem:
        for line in maps:
            addr, perms = line.split()[:2]
            if 'r' not in perms:
                continue
            start, end = (int(x, 16) for x in addr.split('-'))
            try:
                mem.seek(start); chunk = mem.read(end - start)
            except (OSError, ValueError, OverflowError):
                continue
            for name, (head, tail) in needles.items():
                at = chunk.find(head.encode())
                while at >= 0 and name not in found:
                    if chunk[at + len(head):at + len(head) + len(tail)] == tail.encode():
                        found.add(name)
                    at = chunk.find(head.encode(), at + 1)
    return sorted(found)
print(json.dumps({
    "key in env": any(
        %(key_head)r in v and %(key_tail)r in v or k == 'SHEQULAB_FACILITATOR_KEY'
        for k, v in os.environ.items()
    ),
    "hash given": 'SHEQULAB_FACILITATOR_KEY_HASH' in os.environ,
    "other environ": readable('/proc/%(pid)d/environ'),
    "other mem": readable('/proc/%(pid)d/mem'),
    "server home": os.path.exists(%(home)r),
    "in memory": in_own_memory(
        {"server key": (%(key_head)r, %(key_tail)r), "other kernel's key": %(other)r}
    ),
    "uid": os.getuid(),
}))
"""


async def _run(home: str) -> tuple[dict, list[float]]:
    manager = AsyncMultiKernelManager(kernel_spec_manager=AppKernelSpecManager(fork=True))
    try:
        first = await manager.start_kernel(kernel_name="python3")
        starts = []
        for _ in range(5):
            began = time.perf_counter()
            await manager.start_kernel(kernel_name="python3")
            starts.append(time.perf_counter() - began)
        kernel_a = manager.get_kernel(first)
        other = kernel_a.session.key.decode()
        b_id = [k for k in manager.list_kernel_ids() if k != first][-1]
        client = manager.get_kernel(b_id).client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            code = PROBE % {
                "key_head": SERVER_KEY[:7],
                "key_tail": SERVER_KEY[7:],
                "pid": kernel_a.provisioner.pid,
                "home": home,
                "other": (other[:32], other[32:]),
            }
            out: list[str] = []
            reply = await client.execute_interactive(
                code, timeout=120, output_hook=lambda m: out.append(m["content"].get("text", ""))
            )
            assert reply["content"]["status"] == "ok", reply["content"]
        finally:
            client.stop_channels()
        return json.loads("".join(out)), starts
    finally:
        await manager.shutdown_all(now=True)
        provisioner.stop_app_forkserver()


def test_forked_kernels_start_fast_and_learn_nothing_of_the_server_or_each_other(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("SHEQULAB_FACILITATOR_KEY", SERVER_KEY)  # the server's environment
    monkeypatch.setenv("SHEQULAB_FACILITATOR_KEY_HASH", "pbkdf2-sha256$1$salt$00")
    home = tmp_path / "server-only"
    home.mkdir()
    with ThreadPoolExecutor(1) as pool:
        seen, starts = pool.submit(asyncio.run, _run(str(home))).result()
    assert seen == {
        "key in env": False,
        "hash given": True,
        "other environ": False,
        "other mem": False,
        "server home": False,
        "in memory": [],
        "uid": 65534,
    }
    assert sorted(starts)[len(starts) // 2] < 1.0, starts  # a cold app kernel takes ~1.7 s
