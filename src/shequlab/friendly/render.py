"""An explanation as the trainee sees it: a bilingual box, with the full traceback folded away."""

from __future__ import annotations

import html
import re

from shequlab.friendly.advice import Advice

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CODE = re.compile(r"`([^`]+)`")
DETAILS = ("完整的错误信息（给老师或技术人员看）", "full traceback (for your trainer or IT)")
STYLE = (
    "border-left:4px solid var(--jp-warn-color1,#f57c00);"
    "background:var(--jp-warn-color3,#fff3e0);color:var(--jp-content-font-color1,#212121);"
    "padding:6px 12px;margin:2px 0;border-radius:2px;line-height:1.5"
)
EN_STYLE = "color:var(--jp-content-font-color2,#555)"


def plain_traceback(stb: list[str]) -> str:
    """IPython's coloured traceback as plain text."""
    return ANSI.sub("", "\n".join(stb))


def _inline(text: str) -> str:
    """Escape text for HTML, `code` in backticks becoming <code>."""
    return CODE.sub(lambda m: f"<code>{m.group(1)}</code>", html.escape(text, quote=False))


def to_html(advice: Advice, stb: list[str]) -> str:
    """The box: title, hints (Chinese, then English in grey), and a <details> with the traceback."""
    zh, en = advice.title
    parts = [
        f'<div class="shequlab-friendly" style="{STYLE}">',
        f'<p><b>⚠ {_inline(zh)}</b><br><span style="{EN_STYLE}">{_inline(en)}</span></p>',
    ]
    parts += [
        f'<p>{_inline(h_zh)}<br><span style="{EN_STYLE}">{_inline(h_en)}</span></p>'
        for h_zh, h_en in advice.hints
    ]
    parts.append(
        f"<details><summary>{DETAILS[0]} · {DETAILS[1]}</summary>"
        f"<pre>{html.escape(plain_traceback(stb))}</pre></details></div>"
    )
    return "\n".join(parts)


def to_plain(advice: Advice, stb: list[str]) -> str:
    """The same as text, for front ends that show no HTML: everything, traceback included."""
    zh, en = advice.title
    lines = [f"⚠ {zh} / {en}"]
    lines += [f"  • {h_zh}\n    {h_en}" for h_zh, h_en in advice.hints]
    lines += [f"--- {DETAILS[0]} / {DETAILS[1]} ---", plain_traceback(stb)]
    return "\n".join(lines)
