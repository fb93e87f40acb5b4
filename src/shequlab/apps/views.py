"""A view: a row of controls above an output that is redrawn whenever a control changes."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from shequlab.apps.charts import chart
from shequlab.apps.controls import row
from shequlab.apps.i18n import LANGUAGE, Language


def view(
    render: Callable[..., None],
    controls: dict[str, widgets.ValueWidget],
    language: Language | None = None,
    follow_language: bool = False,
) -> widgets.VBox:
    """Controls above an output showing `render(**values)`; redrawn on every change.

    `render` displays what it shows (text, tables, figures). With `follow_language` it is also
    redrawn when the language switches, for renders that choose text with `language.text`.
    The box keeps `.output` and `.redraw()` for tests.
    """
    output = chart()

    def redraw(_change: object = None) -> None:
        with output:
            output.clear_output(wait=True)
            render(**{name: control.value for name, control in controls.items()})

    for control in controls.values():
        control.observe(redraw, names="value")
    if follow_language:
        (language or LANGUAGE).on_change(redraw)
    redraw()
    children = [row(*controls.values()), output] if controls else [output]
    box = widgets.VBox(children, layout=widgets.Layout(width="100%"))
    box.add_class("shequlab-view")
    box.output = output
    box.redraw = redraw
    return box
