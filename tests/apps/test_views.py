"""The view component: controls above an output redrawn on every change, without a browser."""

from __future__ import annotations

from shequlab.apps.controls import choice, slider
from shequlab.apps.i18n import Language
from shequlab.apps.views import view


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
