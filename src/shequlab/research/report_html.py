"""report.html: one self-contained page (inline styles, charts as data: URIs, no script or code)."""

from __future__ import annotations

import base64
import html

import mistune

FONT = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
STYLE = f"""body{{font-family:{FONT};margin:2em auto;max-width:60em;color:#222;line-height:1.6}}
table{{border-collapse:collapse;margin:.6em 0;font-size:14px}}
td,th{{border:1px solid #bbb;padding:3px 8px;text-align:left}} th{{background:#f2f2f2}}
img{{max-width:100%}}
blockquote{{color:#555;border-left:3px solid #ccc;margin-left:0;padding-left:1em}}
h3{{margin-top:1.6em}} li{{margin:.2em 0}}"""


def _table(header: list[str], rows: list[list[str]]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _png(data: bytes | str, alt: str = "") -> str:
    text = data if isinstance(data, str) else base64.b64encode(data).decode("ascii")
    return f'<p><img alt="{html.escape(alt)}" src="data:image/png;base64,{text}"></p>'


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"


def write_html(shown: list[tuple[str, object]], sections) -> bytes:
    """The report as one HTML page (UTF-8 bytes)."""
    render = mistune.create_markdown(escape=True, plugins=["table"])
    parts, title = [], "报告 Report"
    for kind, value in shown:
        if kind == "markdown":
            parts.append(render(value))
            if title == "报告 Report" and value.lstrip().startswith("# "):
                title = value.lstrip()[2:].splitlines()[0]
        elif kind == "finding":
            parts.append(f"<h3>{html.escape(value['title'])}</h3>")
            if value["rows"]:  # a finding with nothing to tabulate says why in its notes
                parts.append(_table(value["columns"], value["rows"]))
            if value.get("png"):
                parts.append(_png(value["png"], value["title"]))
            parts.append(_list([*value.get("notes", []), *value.get("suppressed", [])]))
        elif kind == "image":
            parts.append(_png(value))
    for section in sections:
        parts.append(f"<h2>{html.escape(section.heading)}</h2>")
        for kind, value in section.blocks:
            if kind == "p":
                parts.append(f"<p>{html.escape(value)}</p>")
            elif kind == "list":
                parts.append(_list(value))
            elif kind == "table":
                parts.append(_table(*value))
    page = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
            f"<body>{''.join(parts)}</body></html>")  # fmt: skip
    return page.encode("utf-8")
