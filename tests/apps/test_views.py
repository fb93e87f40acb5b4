"""The view component: controls above an output redrawn on every change, without a browser."""

from __future__ import annotations

from shequlab.widgets.controls import choice, slider
from shequlab.widgets.i18n import Language
from shequlab.widgets.views import view


def test_view_redraws_on_every_control_change():
    lang = Language()
    area = choice(["XH01", "XH04"], "居民区", "Area", language=lang)
    k = slider("阈值 k", "Threshold k", 5, 1, 10, language=lang)
    calls = []
    box = view(lambda area_id, k: calls.append((area_id, k)), {"area_id": area, "k": k})
    assert calls == [("XH01", 5)]
    area.value = "XH04"
    k.value = 3
    assert calls[-2:] == [("XH04", 5), ("XH04", 3)]
    controls_row, output = box.children
    assert list(controls_row.children) == [area, k] and output is box.output
    assert "shequlab-view" in box._dom_classes


def test_view_follows_the_language_only_when_asked():
    lang = Language()
    texts = []

    def render() -> None:
        texts.append(lang.text("中文", "English"))

    view(render, {}, language=lang, follow_language=True)
    quiet = []
    view(lambda: quiet.append(lang.lang), {}, language=lang)
    lang.set("en")
    assert texts == ["中文", "English"] and quiet == ["zh"]


def test_view_shows_what_render_prints_and_displays_and_replaces_it_on_change():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import HTML, display

    InteractiveShell.instance()  # displays go to a shell's publisher, as in a kernel
    lang = Language()
    area = choice(["XH01", "XH04"], "居民区", "Area", language=lang)

    def render(area_id: str) -> None:
        print(f"居民区 {area_id}")
        display(HTML(f"<b>{area_id}</b>"))

    box = view(render, {"area_id": area}, language=lang)
    first = box.output.outputs
    assert first[0] == {"output_type": "stream", "name": "stdout", "text": "居民区 XH01\n"}
    assert first[1]["output_type"] == "display_data"
    assert first[1]["data"]["text/html"] == "<b>XH01</b>"
    area.value = "XH04"
    assert len(box.output.outputs) == 2, "a redraw replaces, never appends"
    assert box.output.outputs[1]["data"]["text/html"] == "<b>XH04</b>"
