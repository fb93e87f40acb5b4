"""The representatives' rating app: each participant scores administrative bodies 1–5."""

from __future__ import annotations

import io
from typing import Any

import ipywidgets as widgets
import pandas as pd

from shequlab.widgets.charts import use_chinese_font
from shequlab.widgets.i18n import LANGUAGE, Language
from shequlab.widgets.tables import table_html
from shequlab.workshop.ballots import SCORES, check_scores, rating_config, rating_summary
from shequlab.workshop.panels import (
    EntryForm,
    FacilitatorPanel,
    JoinPanel,
    message_html,
    participation_app,
    refused_html,
)
from shequlab.workshop.store import EntryRefused, Session, WorkshopStore

NO_SCORE = "—"


class ScoreSheet(EntryForm):
    """A 1–5 choice per body and criterion (— = no opinion), and a submit button."""

    submit_label = ("提交评分", "Submit")

    def __init__(self, store: WorkshopStore, language: Language) -> None:
        super().__init__(store, language)
        self.choices: dict[tuple[str, str], widgets.Dropdown] = {}

    def start(self, session: Session, participant: str, previous: dict | None) -> None:
        self.build()
        self.session, self.participant = session, participant
        self.choices = {}
        rows = []
        for item in session.config["items"]:
            label = widgets.HTML(layout=widgets.Layout(width="11em"))
            self.lang.bind(label, "value", f"<b>{item['zh']}</b>", f"<b>{item['en']}</b>")
            boxes = [label]
            for crit in session.config["criteria"]:
                old = ((previous or {}).get(item["id"]) or {}).get(crit["id"])
                choice = widgets.Dropdown(
                    options=[NO_SCORE, *SCORES],
                    value=old if old in SCORES else NO_SCORE,
                    layout=widgets.Layout(width="8.5em"),
                    style={"description_width": "4.5em"},
                )
                self.lang.bind(choice, "description", crit["zh"], crit["en"])
                choice.add_class("shequlab-score")
                self.choices[(item["id"], crit["id"])] = choice
                boxes.append(choice)
            rows.append(
                widgets.HBox(
                    boxes,
                    layout=widgets.Layout(
                        flex_flow="row wrap", align_items="center", border_bottom="1px solid #ddd"
                    ),
                )
            )
        self.rows.children = rows
        self.layout.display = "flex"

    def values(self) -> dict[str, dict[str, Any]]:
        scores: dict[str, dict[str, Any]] = {}
        for (body, crit), choice in self.choices.items():
            if choice.value != NO_SCORE:
                scores.setdefault(body, {})[crit] = choice.value
        return scores

    def send(self) -> None:
        try:
            assert self.session is not None
            clean = check_scores(self.values(), self.session.config)
            self.store.submit(self.session.code, self.participant, clean)
        except EntryRefused as exc:
            self.message.value = refused_html(exc)
            return
        self.message.value = message_html(
            "ok", "已保存你的评分，可以修改后再次提交", "saved; you may change it and submit again"
        )


def distribution_png(summary: pd.DataFrame, title: str) -> bytes:
    """A stacked bar per body: how many scores of 1 … 5 it received."""
    from matplotlib.figure import Figure

    use_chinese_font()
    fig = Figure(figsize=(6, 0.35 * len(summary) + 1.2), layout="constrained")
    ax = fig.subplots()
    left = pd.Series(0, index=summary.index, dtype=float)
    colours = ["#b71c1c", "#ef6c00", "#9e9e9e", "#7cb342", "#2e7d32"]
    for score, colour in zip(SCORES, colours, strict=True):
        ax.barh(summary["zh"], summary[str(score)], left=left, color=colour, label=str(score))
        left += summary[str(score)]
    ax.invert_yaxis()
    ax.set_xlabel("评分人次 / number of scores")
    ax.set_title(title)
    ax.legend(title="分 score", ncols=5, loc="lower right", fontsize="small")
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=90)
    return png.getvalue()


def render_results(session: Session, entries: dict[str, Any]) -> list[widgets.Widget]:
    """Distribution of scores per body, with mean, spread and agreement."""
    summary = rating_summary(entries, session.config)
    chart = widgets.Image(
        value=distribution_png(summary, f"{session.title}（{len(entries)} 人）"),
        format="png",
        layout=widgets.Layout(max_width="100%", height="auto"),
    )
    chart.add_class("shequlab-results-chart")
    table = (
        summary[["zh", "n", "mean", "sd", "agreement"]]
        .rename(
            columns={
                "zh": "单位 body",
                "n": "评分数 n",
                "mean": "平均 mean",
                "sd": "离散 sd",
                "agreement": "一致度 agreement",
            }
        )
        .round(2)
    )
    note = (
        "<small>一致度 = 与中位数相差不超过 1 分的评分所占比例 · agreement = share of scores "
        "within one point of the median</small>"
    )
    return [chart, widgets.HTML(table_html(table) + note)]


def rating_app(
    store: WorkshopStore | None = None, language: Language | None = None
) -> widgets.VBox:
    """The whole app: language switch, a participant tab and a facilitator tab."""
    store = store or WorkshopStore()
    lang = language or LANGUAGE
    sheet = ScoreSheet(store, lang)
    join = JoinPanel(store, "rating", sheet.start, lang)
    desk = FacilitatorPanel(
        store, "rating", rating_config, render_results, "社区代表大会评议", lang
    )
    intro = (
        "像社区代表一样，为各行政部门打分：1 = 很不满意，5 = 很满意；不了解的选“—”。",
        "Score the administrative bodies as a community representative would: 1 = very "
        "dissatisfied, 5 = very satisfied; choose “—” where you cannot judge.",
    )
    app = participation_app(lang, intro, [join, sheet], desk, "shequlab-rating-app")
    app.sheet, app.join, app.desk = sheet, join, desk
    return app
