"""The fork-server's reap: kill(-1) only inside bwrap's pid namespace, never machine-wide."""

from __future__ import annotations

import signal

import pytest

from shequlab.forking import forkserver


@pytest.fixture
def calls(monkeypatch) -> list[tuple]:
    """Record kill/killpg instead of sending signals; no children to collect."""
    recorded: list[tuple] = []
    monkeypatch.setattr(forkserver.os, "kill", lambda *a: recorded.append(("kill", *a)))
    monkeypatch.setattr(forkserver.os, "killpg", lambda *a: recorded.append(("killpg", *a)))

    def no_children(*_):
        raise ChildProcessError

    monkeypatch.setattr(forkserver.os, "waitpid", no_children)
    monkeypatch.setattr(forkserver, "_started", {4242, 4343})
    return recorded


def test_without_bwrap_reap_kills_only_its_kernels_sessions(calls, monkeypatch) -> None:
    monkeypatch.setattr(forkserver.os, "getpid", lambda: 31337)  # not pid 2: no own namespace
    forkserver.reap()
    assert ("kill", -1, signal.SIGKILL) not in calls  # would kill every process of the user
    assert sorted(calls) == [("killpg", 4242, signal.SIGKILL), ("killpg", 4343, signal.SIGKILL)]
    assert forkserver._started == set()


def test_inside_bwrap_reap_kills_the_whole_sandbox(calls, monkeypatch) -> None:
    monkeypatch.setattr(forkserver.os, "getpid", lambda: 2)  # bwrap's init is 1, the server 2
    forkserver.reap()
    assert calls == [("kill", -1, signal.SIGKILL)]
