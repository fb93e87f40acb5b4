"""The participatory-budget app: each participant splits a budget over micro-project proposals."""

from __future__ import annotations

import io
from typing import Any

import ipywidgets as widgets

from shequlab.widgets.charts import bar_chart
from shequlab.widgets.i18n import LANGUAGE, Language
from shequlab.widgets.tables import table_html
from shequlab.workshop.ballots import allocation_summary, check_allocation, vote_config
from shequlab.workshop.panels import (
    EntryForm,
    FacilitatorPanel,
    JoinPanel,
    message_html,
    participation_app,
    refused_html,
)
from shequlab.workshop.store import EntryRefused, Session, WorkshopStore


class Ballot(EntryForm):
    """One whole-number amount per proposal, a running total, and a submit button."""

    total: widgets.HTML
    submit_label = ("提交分配", "Submit")

    def __init__(self, store: WorkshopStore, language: Language) -> None:
        super().__init__(store, language)
        self.amounts: dict[str, widgets.IntText] = {}

    def controls(self) -> list[widgets.Widget]:
        self.total = widgets.HTML()
        return [self.rows, self.total, self.submit, self.message]

    def start(self, session: Session, participant: str, previous: dict | None) -> None:
        self.build()
        self.session, self.participant = session, participant
        config = session.config
        self.amounts = {}
        rows = []
        for item in config["items"]:
            box = widgets.IntText(
                value=int((previous or {}).get(item["id"], 0)), layout=widgets.Layout(width="6em")
            )
            box.add_class("shequlab-amount")
            box.observe(lambda _: self._update_total(), names="value")
            label = widgets.HTML(layout=widgets.Layout(flex="1 1 200px", min_width="0"))
            self.lang.bind(label, "value", item["zh"], item["en"])
            self.amounts[item["id"]] = box
            rows.append(
                widgets.HBox(
                    [box, label],
                    layout=widgets.Layout(flex_flow="row wrap", align_items="center", width="100%"),
                )
            )
        self.rows.children = rows
        self.layout.display = "flex"
        self._update_total()

    def _update_total(self) -> None:
        if self.session is None:
            return
        config = self.session.config
        total = sum(box.value or 0 for box in self.amounts.values())
        left = config["budget"] - total
        unit = config["unit"]
        colour = "#1b5e20" if left == 0 else "#b71c1c"
        self.total.value = (
            f'<div class="shequlab-total" style="color:{colour}">'
            f"已分配 {total} / {config['budget']} "
            f"{unit['zh']}，剩余 {left} · allocated {total} of {config['budget']} {unit['en']}, "
            f"{left} left</div>"
        )

    def values(self) -> dict[str, Any]:
        return {key: box.value for key, box in self.amounts.items()}

    def send(self) -> None:
        try:
            assert self.session is not None
            clean = check_allocation(self.values(), self.session.config)
            self.store.submit(self.session.code, self.participant, clean)
        except EntryRefused as exc:
            self.message.value = refused_html(exc)
            return
        self.message.value = message_html(
            "ok", "已保存你的分配，可以修改后再次提交", "saved; you may change it and submit again"
        )


def render_results(session: Session, entries: dict[str, Any]) -> list[widgets.Widget]:
    """The room's allocation: a bar chart of totals and a table with shares and supporters."""
    summary = allocation_summary(entries, session.config)
    unit = session.config["unit"]
    fig = bar_chart(
        summary.set_index("zh")["total"],
        xlabel=f"合计 {unit['zh']} / total",
        title=f"{session.title}：全场分配（{len(entries)} 人）",
    )
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=90)
    table = summary.rename(
        columns={
            "zh": "项目 proposal",
            "total": f"合计 total ({unit['zh']})",
            "share": "占比 share",
            "supporters": "支持人数 supporters",
        }
    )
    table["占比 share"] = (table["占比 share"] * 100).round(1).astype(str) + "%"
    chart = widgets.Image(
        value=png.getvalue(), format="png", layout=widgets.Layout(max_width="100%", height="auto")
    )
    chart.add_class("shequlab-results-chart")
    return [chart, widgets.HTML(table_html(table.drop(columns=["en"])))]


def vote_app(store: WorkshopStore | None = None, language: Language | None = None) -> widgets.VBox:
    """The whole app: language switch, a participant tab and a facilitator tab."""
    store = store or WorkshopStore()
    lang = language or LANGUAGE
    ballot = Ballot(store, lang)
    join = JoinPanel(store, "vote", ballot.start, lang)
    desk = FacilitatorPanel(store, "vote", vote_config, render_results, "微项目预算分配", lang)
    intro = (
        "你有一笔预算，请把它分给下面的微项目提案（整数，合计必须等于预算）。",
        "You have a budget: split it among the micro-project proposals below "
        "(whole numbers that add up to the budget).",
    )
    app = participation_app(lang, intro, [join, ballot], desk, "shequlab-vote-app")
    app.ballot, app.join, app.desk = ballot, join, desk
    return app
