"""The language switch 中文/English: widgets register their two labels and follow the switch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

LANGUAGES = (("中文", "zh"), ("English", "en"))


class Language:
    """The current language of one app; in Voila each visitor has their own kernel, so their own."""

    def __init__(self, lang: str = "zh") -> None:
        self.lang = lang
        self._listeners: list[Callable[[str], None]] = []

    def text(self, zh: str, en: str) -> str:
        """The text in the current language."""
        return zh if self.lang == "zh" else en

    def bind(self, widget: Any, attr: str, zh: str, en: str) -> Any:
        """Set `widget.attr` to the label in the current language now and on every switch."""

        def update(lang: str) -> None:
            setattr(widget, attr, zh if lang == "zh" else en)

        update(self.lang)
        self._listeners.append(update)
        return widget

    def on_change(self, callback: Callable[[str], None]) -> None:
        """Call `callback(lang)` on every switch (e.g. to redraw a chart with new labels)."""
        self._listeners.append(callback)

    def set(self, lang: str) -> None:
        """Switch to "zh" or "en" and update every bound widget."""
        if lang not in ("zh", "en"):
            raise ValueError(f"language must be 'zh' or 'en', not {lang!r}")
        self.lang = lang
        for listener in list(self._listeners):
            listener(lang)


LANGUAGE = Language()  # the app's language unless a component is given another


def language_switch(language: Language | None = None) -> widgets.ToggleButtons:
    """A 中文 / English toggle that switches every label registered with `language`."""
    language = language or LANGUAGE
    switch = widgets.ToggleButtons(
        options=LANGUAGES,
        value=language.lang,
        tooltips=["切换到中文", "Switch to English"],
        style={"button_width": "80px"},
        layout=widgets.Layout(width="auto"),
    )
    switch.add_class("shequlab-language-switch")
    switch.observe(lambda change: language.set(change["new"]), names="value")
    return switch
