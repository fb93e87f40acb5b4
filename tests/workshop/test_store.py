"""The workshop store: sessions, upserts, refusals, export, and many writers at once."""

from __future__ import annotations

import multiprocessing

import pytest

from shequlab.workshop.store import EntryRefused, WorkshopStore


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    """The embedded SQLite store, and a PostgreSQL database on the suite's own server."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'workshop.db'}"


@pytest.fixture
def store(url):
    return WorkshopStore(url)


def test_sqlite_runs_in_wal_mode(tmp_path):
    store = WorkshopStore(f"sqlite:///{tmp_path / 'workshop.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_new_sqlite_store_is_closed_to_other_accounts(tmp_path):
    # participants' entries: owner and group only (on a cohort hub, the trainers running the apps);
    # a store on a database server has no file: its credentials guard it (docs/hub.md)
    store = WorkshopStore(f"sqlite:///{tmp_path / 'workshop.db'}")
    session = store.open_session("vote", "测试", {"items": []})
    store.submit(session.code, "座位 1", {"a": 1})
    files = sorted(tmp_path.glob("workshop.db*"))
    assert files and {oct(f.stat().st_mode & 0o777) for f in files} == {"0o660"}


def test_resubmitting_replaces_only_ones_own_entry(store):
    session = store.open_session("vote", "测试", {"items": []})
    assert len(session.code) == 4 and session.is_open
    store.submit(session.code, "座位 1", {"a": 1})
    store.submit(session.code.lower(), "  座位   1 ", {"a": 2})  # same person, spacing differs
    store.submit(session.code, "座位 2", {"a": 5})
    assert store.entries(session.code) == {"座位 1": {"a": 2}, "座位 2": {"a": 5}}
    assert store.entry(session.code, "座位 1") == {"a": 2}
    assert store.entry(session.code, "座位 3") is None


def test_closed_unknown_and_nameless_entries_are_refused(store):
    session = store.open_session("rating", "评议", {})
    with pytest.raises(EntryRefused, match="nickname"):
        store.submit(session.code, "  ", {})
    store.set_status(session.code, "closed")
    with pytest.raises(EntryRefused, match="closed"):
        store.submit(session.code, "A1", {})
    with pytest.raises(EntryRefused, match="no session"):
        store.submit("ZZZZ", "A1", {})
    with pytest.raises(EntryRefused):
        store.open_session("quiz", "x", {})
    assert store.set_status(session.code, "open").is_open


def test_reset_export_and_listing(store):
    vote = store.open_session("vote", "投票", {})
    rating = store.open_session("rating", "评议", {})
    store.submit(vote.code, "王芳", {"M1": 12, "M2": 8})
    store.submit(rating.code, "R1", {"housing": {"attitude": 2}})
    csv_text = store.export_csv(vote.code)
    assert csv_text.startswith("\ufeffsession,kind,participant,item,criterion,value\n")
    assert f"{vote.code},vote,王芳,M1,,12" in csv_text
    assert f"{rating.code},rating,R1,housing,attitude,2" in store.export_csv(rating.code)
    assert [s.code for s in store.sessions(kind="vote")] == [vote.code]
    assert store.reset(vote.code) == 1 and store.entries(vote.code) == {}


def _participant(args):
    url, code, i = args
    store = WorkshopStore(url)
    for round_ in range(3):  # each participant changes their mind twice
        store.submit(code, f"P{i:02d}", {"M1": i, "round": round_})
    return i


@pytest.mark.slow
def test_thirty_concurrent_participants_lose_nothing(url):
    code = WorkshopStore(url).open_session("vote", "并发", {}).code
    with multiprocessing.get_context("spawn").Pool(30) as pool:
        done = pool.map(_participant, [(url, code, i) for i in range(30)])
    assert sorted(done) == list(range(30))
    entries = WorkshopStore(url).entries(code)
    assert len(entries) == 30
    assert all(entries[f"P{i:02d}"] == {"M1": i, "round": 2} for i in range(30))
