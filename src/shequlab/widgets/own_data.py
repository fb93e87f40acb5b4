"""The "use your own data" app: pick a table the apps know, upload your export, see it checked."""

from __future__ import annotations

import ipywidgets as widgets

from shequlab.data.load import resource
from shequlab.widgets.i18n import LANGUAGE, Language, language_switch
from shequlab.widgets.upload import upload

# Tables a social worker is likely to hold an export of, the hotline first.
UPLOADABLE = (
    "hotline_orders",
    "grid_cases",
    "buildings",
    "workers",
    "residential_areas",
    "micro_projects",
    "admin_bodies",
)


def table_titles() -> dict[str, str]:
    """Table name -> "中文标题 / English title" from datapackage.json."""
    titles = {}
    for name in UPLOADABLE:
        res = resource(name)
        titles[name] = f"{res.get('title', name)} / {res.get('title_en', name)}"
    return titles


def own_data_app(language: Language | None = None) -> widgets.VBox:
    """A table chooser and an upload panel that checks files against the chosen table."""
    lang = language or LANGUAGE
    titles = table_titles()
    chooser = widgets.Dropdown(
        options=[(title, name) for name, title in titles.items()],
        style={"description_width": "initial"},
        layout=widgets.Layout(width="auto", max_width="100%"),
    )
    lang.bind(chooser, "description", "表格", "Table")
    chooser.add_class("shequlab-table-choice")
    holder = widgets.VBox([upload(chooser.value)], layout=widgets.Layout(width="100%"))
    chooser.observe(
        lambda change: setattr(holder, "children", [upload(change["new"])]), names="value"
    )
    app = widgets.VBox(
        [language_switch(lang), chooser, holder], layout=widgets.Layout(width="100%")
    )
    app.add_class("shequlab-own-data-app")
    return app
