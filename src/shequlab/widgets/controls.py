"""Filters and layout helpers that stay usable on a 375-px-wide phone screen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import pandas as pd

from shequlab.widgets.i18n import LANGUAGE, Language

ALL = "__all__"  # the value of the "全部 / All" option


def row(*children: widgets.Widget) -> widgets.HBox:
    """Children side by side on a wide screen, wrapped one under another on a phone."""
    return widgets.HBox(
        list(children),
        layout=widgets.Layout(
            flex_flow="row wrap", width="100%", align_items="center", grid_gap="4px 12px"
        ),
    )


def filter_dropdown(
    df: pd.DataFrame,
    column: str,
    zh: str | None = None,
    en: str | None = None,
    language: Language | None = None,
) -> widgets.Dropdown:
    """A dropdown of the column's values (sorted, with counts) and 全部/All first."""
    language = language or LANGUAGE
    counts = df[column].dropna().value_counts().sort_index()
    options = [(f"{value}（{n}）", value) for value, n in counts.items()]
    dropdown = widgets.Dropdown(
        options=[(language.text("全部", "All"), ALL), *options],
        value=ALL,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="auto", max_width="100%"),
    )
    language.bind(dropdown, "description", zh or column, en or column)

    def relabel(lang: str) -> None:
        value = dropdown.value
        dropdown.options = [("全部" if lang == "zh" else "All", ALL), *options]
        dropdown.value = value

    language.on_change(relabel)
    return dropdown


def apply_filter(df: pd.DataFrame, column: str, value: object) -> pd.DataFrame:
    """Rows whose `column` equals `value`; all rows for the 全部/All option."""
    if value == ALL or value is None:
        return df
    return df[df[column] == value]


def _labelled(widget: widgets.Widget, zh: str, en: str, language: Language | None) -> Any:
    """Give `widget` a description that follows the language switch."""
    return (language or LANGUAGE).bind(widget, "description", zh, en)


def choice(
    options: Sequence,
    zh: str,
    en: str,
    value: object = None,
    language: Language | None = None,
) -> widgets.Dropdown:
    """A dropdown labelled zh/en; options are values or (label, value) pairs, the first chosen."""
    dropdown = widgets.Dropdown(
        options=list(options),
        style={"description_width": "initial"},
        layout=widgets.Layout(width="auto", max_width="100%"),
    )
    if value is not None:
        dropdown.value = value
    return _labelled(dropdown, zh, en, language)


def toggles(
    options: Sequence,
    zh: str,
    en: str,
    value: object = None,
    language: Language | None = None,
) -> widgets.ToggleButtons:
    """Toggle buttons labelled zh/en, for a handful of options a phone user taps."""
    buttons = widgets.ToggleButtons(
        options=list(options),
        style={"description_width": "initial", "button_width": "auto"},
        layout=widgets.Layout(width="auto", max_width="100%"),
    )
    if value is not None:
        buttons.value = value
    return _labelled(buttons, zh, en, language)


def slider(
    zh: str, en: str, value: int, low: int, high: int, language: Language | None = None
) -> widgets.IntSlider:
    """A whole-number slider labelled zh/en."""
    return _labelled(
        widgets.IntSlider(
            value=value,
            min=low,
            max=high,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto", max_width="100%"),
        ),
        zh,
        en,
        language,
    )


def checkbox(
    zh: str, en: str, value: bool = False, language: Language | None = None
) -> widgets.Checkbox:
    """A checkbox labelled zh/en."""
    return _labelled(
        widgets.Checkbox(
            value=value,
            indent=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto", max_width="100%"),
        ),
        zh,
        en,
        language,
    )
