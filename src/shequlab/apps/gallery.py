"""The landing page of `shequlab apps serve`: one bilingual card per app, from curriculum/."""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Card:
    """One app on the gallery page: where it is served and what it is about."""

    path: str  # notebook under the served folder: onboarding/onb-01-neighbourhood/case.ipynb
    title_zh: str
    title_en: str
    summary_zh: str
    summary_en: str
    group_zh: str  # the program (or 工作坊互动 for the participation apps)
    group_en: str
    badge: str = ""  # module id or app kind, shown small on the card


PAGE_TITLE_ZH = "新华路社区治理案例应用"
PAGE_TITLE_EN = "Xinhua Road community governance case apps"

_CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",
 system-ui,sans-serif;background:#f4f6f8;color:#1f2d3d}
header{background:#b71c1c;color:#fff;padding:20px 16px}
header h1{margin:0;font-size:1.5rem}
header p{margin:4px 0 0;opacity:.9}
main{max-width:1100px;margin:0 auto;padding:12px}
h2{font-size:1.15rem;margin:20px 4px 8px}
h2 small{color:#5b6b7b;font-weight:normal}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{flex:1 1 300px;max-width:100%;background:#fff;border-radius:8px;padding:14px 16px;
 box-shadow:0 1px 3px rgba(0,0,0,.15);text-decoration:none;color:inherit;display:block}
.card:hover,.card:focus{box-shadow:0 2px 8px rgba(0,0,0,.3)}
.card h3{margin:0 0 2px;font-size:1.1rem;color:#b71c1c}
.card .en{color:#5b6b7b;font-size:.9rem}
.card p{margin:8px 0 0;font-size:.93rem;line-height:1.45}
.badge{float:right;font-size:.75rem;color:#5b6b7b;background:#eef1f4;border-radius:4px;
 padding:1px 6px}
footer{color:#5b6b7b;font-size:.8rem;padding:16px;text-align:center}
"""


def render_gallery(cards: list[Card], base_url: str = "/") -> str:
    """The gallery as one self-contained HTML page (no scripts), grouped by program."""
    groups: dict[tuple[str, str], list[Card]] = {}
    for card in cards:
        groups.setdefault((card.group_zh, card.group_en), []).append(card)
    sections = []
    for (group_zh, group_en), members in groups.items():
        items = "\n".join(_card_html(c, base_url) for c in members)
        sections.append(
            f"<section><h2>{_e(group_zh)} <small>{_e(group_en)}</small></h2>\n"
            f'<div class="cards">\n{items}\n</div></section>'
        )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(PAGE_TITLE_ZH)} · {_e(PAGE_TITLE_EN)}</title>
<style>{_CSS}</style></head>
<body><header><h1 id="gallery-title">{_e(PAGE_TITLE_ZH)}</h1><p>{_e(PAGE_TITLE_EN)}</p></header>
<main>
{chr(10).join(sections)}
</main>
<footer>数据为虚构的样例数据 · all data are synthetic</footer>
</body></html>
"""


def _card_html(card: Card, base_url: str) -> str:
    href = base_url.rstrip("/") + "/voila/render/" + card.path
    badge = f'<span class="badge">{_e(card.badge)}</span>' if card.badge else ""
    return (
        f'<a class="card" href="{_e(href)}" data-app="{_e(card.path)}">{badge}'
        f'<h3>{_e(card.title_zh)}</h3><div class="en">{_e(card.title_en)}</div>'
        f'<p>{_e(card.summary_zh)}</p><p class="en">{_e(card.summary_en)}</p></a>'
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)
