"""The facilitator key: long, hashed for kernels, guessed a few times at most; undoable reset."""

from __future__ import annotations

import pytest

from shequlab.workshop import facilitator
from shequlab.workshop.facilitator import KeyGuard, KeyRefused, key_hash, key_matches, new_key
from shequlab.workshop.store import WorkshopStore


@pytest.fixture
def store(tmp_path, monkeypatch):
    key = "K7QM-4XRT-9HPA"
    monkeypatch.delenv(facilitator.KEY_ENV, raising=False)
    monkeypatch.setenv(facilitator.KEY_HASH_ENV, key_hash(key, iterations=1000))
    return WorkshopStore(f"sqlite:///{tmp_path / 'w.db'}")


def test_keys_are_long_and_kernels_get_only_a_salted_hash():
    key = new_key()
    assert len(facilitator.normalise(key)) == 12 and key != new_key()
    stored = key_hash(key)
    assert key not in stored and key_hash(key) != stored  # salted
    assert key_matches(key.lower().replace("-", " "), stored)
    assert not key_matches("K7QM-4XRT-9HPB", key_hash("K7QM-4XRT-9HPA"))


def test_one_kernel_may_guess_five_times_then_is_locked(store):
    guard = KeyGuard(store)
    for left in (4, 3, 2, 1, 0):
        with pytest.raises(KeyRefused, match=f"{left} tries left"):
            guard.check("AAAA-AAAA-AAAA", ["ABCD"])
    with pytest.raises(KeyRefused, match="this page is locked") as caught:
        guard.check("K7QM-4XRT-9HPA", ["ABCD"])  # even the right key, once locked
    assert "已锁定" in caught.value.zh


def test_many_kernels_together_are_limited_per_join_code(store):
    for _ in range(facilitator.CODE_FAILURES // 2):
        guard = KeyGuard(store)  # a fresh page (kernel) each time
        for _ in range(2):
            with pytest.raises(KeyRefused, match="tries left"):
                guard.check("BBBB-BBBB-BBBB", ["ABCD"])
    with pytest.raises(KeyRefused, match="too many wrong keys for this session"):
        KeyGuard(store).check("K7QM-4XRT-9HPA", ["ABCD"])
    KeyGuard(store).check("K7QM-4XRT-9HPA", ["WXYZ"])  # another room's code is not locked


def test_right_key_unlocks(store):
    KeyGuard(store).check("k7qm 4xrt 9hpa", [])


def test_reset_can_be_undone_until_the_session_is_deleted(store):
    code = store.open_session("vote", "t", {}).code
    store.submit(code, "A1", {"x": 1})
    store.submit(code, "A2", {"x": 2})
    assert store.reset(code) == 2 and store.entries(code) == {}
    store.submit(code, "A2", {"x": 5})  # submitted after the reset: kept
    assert store.undo_reset(code) == 1
    assert store.entries(code) == {"A1": {"x": 1}, "A2": {"x": 5}}
    assert store.undo_reset(code) == 0
    store.reset(code)
    store.delete_session(code)
    assert code not in [s.code for s in store.sessions()]
