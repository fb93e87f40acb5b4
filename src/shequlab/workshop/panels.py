"""The two halves every participation app shares: joining a session, and the facilitator's desk."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import threading
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from shequlab.widgets.i18n import LANGUAGE, Language, language_switch
from shequlab.workshop.facilitator import KeyGuard
from shequlab.workshop.store import EntryRefused, Session, WorkshopStore

REFRESH_SECONDS = 1.0  # the room's results reach the facilitator's screen within ~1 s


def wide() -> widgets.Layout:
    """A full-width layout. A function, not a module constant: app kernels are forked from a
    server that imported this module, and a widget made there never reaches the browser."""
    return widgets.Layout(width="auto", max_width="100%")


def message_html(kind: str, zh: str, en: str) -> str:
    """A coloured bilingual message; kind is ok | error | info (also its CSS class)."""
    colour = {"ok": "#1b5e20", "error": "#b71c1c", "info": "#37474f"}[kind]
    return (
        f'<div class="shequlab-msg shequlab-msg-{kind}" style="color:{colour}">'
        f"{html.escape(zh)}<br><small>{html.escape(en)}</small></div>"
    )


def refused_html(exc: EntryRefused) -> str:
    return message_html("error", exc.zh, exc.en)


class JoinPanel(widgets.VBox):
    """Join code + nickname/seat; on join, calls on_join(session, participant, previous_entry).

    A participant is the name they type: typing the same name again after a reload brings back
    (and later replaces) their own entry.
    """

    def __init__(
        self,
        store: WorkshopStore,
        kind: str,
        on_join: Callable[[Session, str, dict | None], None],
        language: Language | None = None,
    ) -> None:
        lang = language or LANGUAGE
        open_now = store.sessions(kind=kind, status="open")
        self.code = widgets.Text(
            value=open_now[0].code if len(open_now) == 1 else "",
            placeholder="ABCD",
            layout=widgets.Layout(width="9em"),
            style={"description_width": "initial"},
        )
        self.name = widgets.Text(
            placeholder="如 A12 / 王芳",
            layout=widgets.Layout(width="14em"),
            style={"description_width": "initial"},
        )
        self.button = widgets.Button(button_style="primary", layout=wide())
        self.message = widgets.HTML()
        lang.bind(self.code, "description", "加入码", "Join code")
        lang.bind(self.name, "description", "昵称或座位号", "Nickname or seat")
        lang.bind(self.button, "description", "加入", "Join")
        self.code.add_class("shequlab-join-code")
        self.name.add_class("shequlab-participant")
        self.button.add_class("shequlab-join")
        self.store, self.kind, self.on_join = store, kind, on_join
        self.button.on_click(lambda _: self.join())
        row = widgets.HBox(
            [self.code, self.name, self.button],
            layout=widgets.Layout(flex_flow="row wrap", grid_gap="4px 12px"),
        )
        super().__init__([row, self.message], layout=widgets.Layout(width="100%"))

    def join(self) -> None:
        try:
            session = self.store.session(self.code.value)
            if session.kind != self.kind:
                raise EntryRefused(
                    "这个加入码属于另一个活动", "this join code belongs to another activity"
                )
            if not session.is_open:
                raise EntryRefused("该活动已结束", "this session is closed")
            previous = self.store.entry(session.code, self.name.value)
            participant = " ".join(self.name.value.split())
            if not participant:
                raise EntryRefused(
                    "请先填写你的昵称或座位号", "enter your nickname or seat number first"
                )
        except EntryRefused as exc:
            self.message.value = refused_html(exc)
            return
        self.on_join(session, participant, previous)
        self.message.value = message_html(
            "ok",
            f"已加入「{session.title}」（{session.code}）"
            + ("，已载入你上次的提交" if previous else ""),
            f"joined {session.code}" + (": your previous entry is loaded" if previous else ""),
        )


class EntryForm(widgets.VBox):
    """A participant's entry form, hidden until they join. Its controls are built at the first
    join (`start` calls `build`): a page that has not joined carries none of them."""

    rows: widgets.VBox
    submit: widgets.Button
    message: widgets.HTML
    submit_label = ("提交", "Submit")

    def __init__(self, store: WorkshopStore, language: Language) -> None:
        self.store, self.lang = store, language
        self.session: Session | None = None
        self.participant = ""
        self._built = False
        super().__init__(layout=widgets.Layout(width="100%", display="none"))

    def build(self) -> None:
        """Make the rows box, the submit button and the message, once."""
        if self._built:
            return
        self.rows = widgets.VBox(layout=widgets.Layout(width="100%"))
        self.submit = widgets.Button(button_style="success", layout=widgets.Layout(width="auto"))
        self.lang.bind(self.submit, "description", *self.submit_label)
        self.submit.add_class("shequlab-submit")
        self.submit.on_click(lambda _: self.send())
        self.message = widgets.HTML()
        self.children = self.controls()
        self._built = True

    def controls(self) -> list[widgets.Widget]:
        """The form's children, made in `build` (a subclass may add its own there)."""
        return [self.rows, self.submit, self.message]

    def send(self) -> None:
        raise NotImplementedError


def _wrap() -> widgets.Layout:
    return widgets.Layout(flex_flow="row wrap", grid_gap="4px 8px")


class FacilitatorPanel(widgets.VBox):
    """Unlock with the facilitator key; open, close, reset and export sessions; live results."""

    def __init__(
        self,
        store: WorkshopStore,
        kind: str,
        new_config: Callable[[], dict[str, Any]],
        render: Callable[[Session, dict[str, Any]], list[widgets.Widget]],
        default_title: str,
        language: Language | None = None,
    ) -> None:
        lang = language or LANGUAGE
        self.store, self.kind, self.new_config, self.render = store, kind, new_config, render
        self.key = widgets.Password(
            layout=widgets.Layout(width="12em"), style={"description_width": "initial"}
        )
        lang.bind(self.key, "description", "主持人口令", "Facilitator key")
        self.key.add_class("shequlab-key")
        unlock = widgets.Button(layout=wide())
        lang.bind(unlock, "description", "进入", "Unlock")
        unlock.add_class("shequlab-unlock")
        self.message = widgets.HTML()
        self.lang, self.default_title = lang, default_title
        # The controls and live results are built once the key is accepted: a participant's
        # page (and kernel) carries only the key field, a third of the app's widgets fewer.
        self.desk: widgets.VBox | None = None
        self._seen = ""
        self._stop = threading.Event()
        self.guard = KeyGuard(store)
        unlock.on_click(lambda _: self._unlock())
        super().__init__(
            [widgets.HBox([self.key, unlock], layout=_wrap()), self.message],
            layout=widgets.Layout(width="100%"),
        )

    def _unlock(self) -> None:
        try:
            open_codes = [s.code for s in self.store.sessions(status="open")]
            self.guard.check(self.key.value, open_codes)
        except EntryRefused as exc:
            self.message.value = refused_html(exc)
            return
        finally:
            self.key.value = ""
        self.message.value = ""
        if self.desk is None:
            self.desk = self._build_desk()
            self.children = (*self.children, self.desk)
            threading.Thread(target=self._poll, daemon=True).start()
        self._reload_sessions()

    def _build_desk(self) -> widgets.VBox:
        lang = self.lang
        self.title = widgets.Text(value=self.default_title, layout=widgets.Layout(width="20em"))
        self.title.add_class("shequlab-title")
        self.sessions = widgets.Dropdown(layout=widgets.Layout(width="auto"))
        self.sessions.add_class("shequlab-sessions")
        buttons = {}
        for name, zh, en, style in (
            ("new", "新建活动", "New session", "primary"),
            ("open", "开放投票", "Open", "success"),
            ("close", "结束投票", "Close", "warning"),
            ("reset", "清空结果", "Reset", "danger"),
            ("undo", "撤销清空", "Undo reset", ""),
            ("export", "导出 CSV", "Export CSV", ""),
        ):
            button = widgets.Button(button_style=style, layout=wide())
            lang.bind(button, "description", zh, en)
            button.add_class(f"shequlab-{name}")
            button.on_click(lambda _, name=name: self._act(name))
            buttons[name] = button
        self.banner = widgets.HTML()
        self.banner.add_class("shequlab-banner")
        self.download = widgets.HTML()
        self.results = widgets.VBox(layout=widgets.Layout(width="100%"))
        self.results.add_class("shequlab-results")
        wrap = _wrap()
        self.sessions.observe(lambda _: self.refresh(force=True), names="value")
        return widgets.VBox(
            [
                widgets.HBox([self.title, buttons["new"]], layout=wrap),
                widgets.HBox(
                    [
                        self.sessions,
                        buttons["open"],
                        buttons["close"],
                        buttons["reset"],
                        buttons["undo"],
                        buttons["export"],
                    ],
                    layout=wrap,
                ),
                self.banner,
                self.download,
                self.results,
            ],
            layout=widgets.Layout(width="100%"),
        )

    def _reload_sessions(self, select: str | None = None) -> None:
        found = self.store.sessions(kind=self.kind)
        self.sessions.options = [(f"{s.code} · {s.title} · {s.status}", s.code) for s in found]
        if select or found:
            self.sessions.value = select or found[0].code

    def _act(self, action: str) -> None:
        try:
            if action == "new":
                session = self.store.open_session(
                    self.kind, self.title.value.strip() or "工作坊", self.new_config()
                )
                self._reload_sessions(session.code)
            elif self.sessions.value is None:
                raise EntryRefused("请先新建一个活动", "create a session first")
            elif action in ("open", "close"):
                self.store.set_status(self.sessions.value, "open" if action == "open" else "closed")
                self._reload_sessions(self.sessions.value)
            elif action == "reset":
                self.store.reset(self.sessions.value)
            elif action == "undo":
                self.store.undo_reset(self.sessions.value)
            elif action == "export":
                self.download.value = self._download_link(self.sessions.value)
        except EntryRefused as exc:
            self.message.value = refused_html(exc)
            return
        self.refresh(force=True)

    def _download_link(self, code: str) -> str:
        data = base64.b64encode(self.store.export_csv(code).encode("utf-8")).decode("ascii")
        name = f"workshop-{self.kind}-{code}.csv"
        return (
            f'<a class="shequlab-download" download="{name}" '
            f'href="data:text/csv;charset=utf-8;base64,{data}">⬇ 下载 {name} / download</a>'
        )

    def refresh(self, force: bool = False) -> None:
        """Redraw the banner and results when the session or its entries changed."""
        if self.desk is None:
            return  # not unlocked: nothing is shown
        code = self.sessions.value
        if code is None:
            return
        session = self.store.session(code)
        entries = self.store.entries(code)
        digest = hashlib.sha1(
            json.dumps([session.status, entries], sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        if digest == self._seen and not force:
            return  # no message to the browser: an unwatched kernel stays idle and can be culled
        self._seen = digest
        state = "进行中 open" if session.is_open else "已结束 closed"
        self.banner.value = (
            '<div style="font-size:1.6em">加入码 Join code: '
            f'<b class="shequlab-code">{session.code}</b>'
            f' · {state} · <span class="shequlab-count">{len(entries)}</span> 人 participants</div>'
        )
        self.results.children = self.render(session, entries)

    def _poll(self) -> None:
        while not self._stop.wait(REFRESH_SECONDS):
            try:
                self.refresh()
            except Exception:  # a transient database error must not end the live view
                continue


def participation_app(
    lang: Language,
    intro: tuple[str, str],
    participate: list[widgets.Widget],
    desk: FacilitatorPanel,
    css_class: str,
) -> widgets.VBox:
    """A workshop app: language switch above a participant tab (intro first) and a facilitator tab.

    `intro` is the participant tab's opening paragraph in Chinese and English.
    """
    text = widgets.HTML()
    lang.bind(text, "value", f"<p>{intro[0]}</p>", f"<p>{intro[1]}</p>")
    tabs = widgets.Tab([widgets.VBox([text, *participate]), desk])
    for i, (zh, en) in enumerate((("参与", "Participate"), ("主持人", "Facilitator"))):
        tabs.set_title(i, zh)
        lang.on_change(
            lambda value, i=i, zh=zh, en=en: tabs.set_title(i, zh if value == "zh" else en)
        )
    app = widgets.VBox([language_switch(lang), tabs], layout=widgets.Layout(width="100%"))
    app.add_class(css_class)
    return app
