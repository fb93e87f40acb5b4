"""report.docx with python-docx: Markdown as Word headings and paragraphs, findings as tables."""

from __future__ import annotations

import base64
import io

import mistune
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

FONT = "Noto Sans CJK SC"


def _text(children: list[dict]) -> list[tuple[str, bool, bool]]:
    """Inline tokens → runs of (text, bold, italic)."""
    runs: list[tuple[str, bool, bool]] = []
    for child in children or []:
        kind = child["type"]
        if kind in ("text", "codespan"):
            runs.append((child.get("raw", ""), False, False))
        elif kind in ("softbreak", "linebreak"):
            runs.append(("\n", False, False))
        else:
            for text, bold, italic in _text(child.get("children", [])):
                runs.append((text, bold or kind == "strong", italic or kind == "emphasis"))
    return runs


def _paragraph(doc, runs, style: str | None = None) -> None:
    para = doc.add_paragraph(style=style)
    for text, bold, italic in runs:
        run = para.add_run(text)
        run.bold, run.italic = bold or None, italic or None


def _markdown(doc, text: str) -> None:
    for token in mistune.create_markdown(renderer=None, plugins=["table"])(text):
        kind = token["type"]
        if kind == "heading":
            doc.add_heading("".join(t for t, _, _ in _text(token["children"])),
                            min(token["attrs"]["level"], 4))  # fmt: skip
        elif kind == "paragraph":
            _paragraph(doc, _text(token["children"]))
        elif kind == "block_quote":
            for child in token["children"]:
                _paragraph(doc, _text(child.get("children", [])), "Quote")
        elif kind == "list":
            style = "List Number" if token["attrs"].get("ordered") else "List Bullet"
            for item in token["children"]:
                for child in item["children"]:
                    _paragraph(doc, _text(child.get("children", [])), style)


def _table(doc, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    doc.add_paragraph()


def _finding(doc, found: dict) -> None:
    doc.add_heading(found["title"], 3)
    if found["rows"]:  # a finding with nothing to tabulate says why in its notes
        _table(doc, found["columns"], found["rows"])
    if found.get("png"):
        doc.add_picture(io.BytesIO(base64.b64decode(found["png"])), width=Cm(15))
    for note in [*found.get("notes", []), *found.get("suppressed", [])]:
        doc.add_paragraph(note, style="List Bullet")


def write_docx(shown: list[tuple[str, object]], sections) -> bytes:
    """The report as .docx bytes."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    for kind, value in shown:
        if kind == "markdown":
            _markdown(doc, value)
        elif kind == "finding":
            _finding(doc, value)
        elif kind == "image":
            doc.add_picture(io.BytesIO(value), width=Cm(15))
    for section in sections:
        doc.add_heading(section.heading, 2)
        for kind, value in section.blocks:
            if kind == "p":
                doc.add_paragraph(value)
            elif kind == "list":
                for item in value:
                    doc.add_paragraph(item, style="List Bullet")
            elif kind == "table":
                _table(doc, *value)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
