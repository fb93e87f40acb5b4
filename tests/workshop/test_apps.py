"""The vote and rating apps driven through their widgets, without a browser."""

from __future__ import annotations

import pytest

from shequlab.widgets.i18n import Language
from shequlab.workshop.ballots import rating_config
from shequlab.workshop.rating_app import rating_app
from shequlab.workshop.store import WorkshopStore
from shequlab.workshop.vote_app import vote_app


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEQULAB_FACILITATOR_KEY", "1234")
    return WorkshopStore(f"sqlite:///{tmp_path / 'w.db'}")


def test_vote_app_round_trip(store):
    desk = vote_app(store, Language()).desk
    desk.key.value = "0000"
    desk._unlock()
    # A wrong key builds no controls: a participant's page carries none of them.
    assert "wrong key" in desk.message.value and desk.desk is None
    assert len(desk.children) == 2
    desk._stop.set()  # no polling thread in this test
    desk.key.value = "1234"
    desk._unlock()
    assert desk.desk in desk.children and desk.message.value == ""
    desk._act("new")
    code = desk.sessions.value
    app = vote_app(store, Language())
    app.join.code.value, app.join.name.value = code, "A1"
    app.join.join()
    boxes = list(app.ballot.amounts.values())
    boxes[0].value = 15
    app.ballot.send()
    assert "shequlab-msg-error" in app.ballot.message.value  # 15 ≠ 20
    boxes[1].value = 5
    app.ballot.send()
    assert "已保存" in app.ballot.message.value
    again = vote_app(store, Language())  # a reload: a new kernel, the same name
    again.join.code.value, again.join.name.value = code, "A1"
    again.join.join()
    assert [b.value for b in list(again.ballot.amounts.values())[:2]] == [15, 5]
    desk.refresh(force=True)
    assert ">1</span>" in desk.banner.value and desk.results.children
    desk._act("export")
    assert "data:text/csv" in desk.download.value


def test_rating_app_refuses_empty_and_saves_scores(store):
    session = store.open_session("rating", "评议", rating_config())
    app = rating_app(store, Language())
    assert app.join.code.value == session.code  # the only open session is filled in
    app.join.name.value = "R1"
    app.join.join()
    app.sheet.send()
    assert "至少" in app.sheet.message.value
    next(iter(app.sheet.choices.values())).value = 4
    app.sheet.send()
    assert "已保存" in app.sheet.message.value
    assert len(store.entries(session.code)) == 1
