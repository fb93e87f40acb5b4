"""The header every app shows: the module's title and objectives from curriculum/, bilingual."""

from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path

import ipywidgets as widgets

from shequlab.widgets.i18n import LANGUAGE, Language, language_switch

# `shequlab apps serve` writes Module.app_text() beside each case app it serves, so that the app
# kernel need not load curriculum/ (YAML and pydantic cost each kernel about 10 MB of memory).
MODULE_FILE = "module.json"


def _served_module(module_id: str) -> dict | None:
    """The text `shequlab apps serve` put beside the app (the kernel's folder), if it is there."""
    try:
        text = json.loads(Path(MODULE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return text if text.get("id") == module_id else None


@lru_cache(maxsize=1)
def _modules() -> dict[str, dict]:
    from shequlab.curriculum import load_curriculum

    return {m.id: m.app_text() for p in load_curriculum().programs for m in p.modules}


def module_text(module_id: str) -> dict:
    """The module's id, titles and objectives: beside the served app, else from curriculum/."""
    module = _served_module(module_id)
    if module is not None:
        return module
    try:
        return _modules()[module_id]
    except KeyError:
        raise KeyError(
            f"课程中没有模块 {module_id!r} / no module {module_id!r} in curriculum/"
        ) from None


def header_html(module_id: str, lang: str = "zh", module: dict | None = None) -> str:
    """HTML of the header in one language; the other language's title is shown small beside it.

    `module` is `module_text(module_id)` when the caller already has it.
    """
    module = module or module_text(module_id)
    shown, beside = ("zh", "en") if lang == "zh" else ("en", "zh")
    main, other = module["title"][shown], module["title"][beside]
    label = "学习目标" if lang == "zh" else "Objectives"
    items = "".join(f"<li>{html.escape(o[shown])}</li>" for o in module["objectives"])
    return (
        '<div style="border-left:6px solid #b71c1c;padding:4px 12px;margin:4px 0 8px">'
        f'<h2 style="margin:0;font-size:1.4em">{html.escape(main)}</h2>'
        f'<div style="color:#5b6b7b">{html.escape(other)} · {html.escape(module_id)}</div>'
        f'<details style="margin-top:6px"><summary>{label}</summary>'
        f'<ul style="margin:4px 0;padding-left:1.3em">{items}</ul></details></div>'
    )


def header(module_id: str, language: Language | None = None, switch: bool = True) -> widgets.Box:
    """Title and objectives of `module_id`, with the language switch beside them."""
    language = language or LANGUAGE
    module = module_text(module_id)  # read once; a language switch only redraws
    title = widgets.HTML(
        header_html(module_id, language.lang, module),
        layout=widgets.Layout(flex="1 1 280px", min_width="0"),
    )
    title.add_class("shequlab-header")
    language.on_change(lambda lang: setattr(title, "value", header_html(module_id, lang, module)))
    children = [title, language_switch(language)] if switch else [title]
    return widgets.HBox(
        children,
        layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start", width="100%"),
    )
