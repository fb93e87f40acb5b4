"""A view: a row of controls above an output that is redrawn whenever a control changes."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
from IPython.utils.capture import CapturedIO, capture_output

from shequlab.widgets.charts import chart
from shequlab.widgets.controls import row
from shequlab.widgets.i18n import LANGUAGE, Language


def as_outputs(captured: CapturedIO) -> tuple[dict, ...]:
    """Captured text and displays as Output-widget outputs (nbformat output dicts)."""
    outputs: list[dict] = []
    for name, text in (("stdout", captured.stdout), ("stderr", captured.stderr)):
        if text:
            outputs.append({"output_type": "stream", "name": name, "text": text})
    outputs += [
        {"output_type": "display_data", "data": o.data, "metadata": o.metadata or {}}
        for o in captured.outputs
    ]
    return tuple(outputs)


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
        # Capture in the kernel and set the widget's outputs in one state update, instead of
        # `with output:` — that capture can stall a cell until its timeout (ipykernel 7).
        with capture_output() as captured:
            render(**{name: control.value for name, control in controls.items()})
        output.outputs = as_outputs(captured)

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
