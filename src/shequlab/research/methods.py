"""The report's methods-and-limits section, generated from the workspace: never written by hand.

It states where the data came from, how many answered each question (response and missing
rates), which identifiers the import removed and which small cells the findings hid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from shequlab.research.privacy import REDACTED
from shequlab.research.workspace import ANALYSED, Workspace

TYPE_LABELS = {
    "single": "单选 single",
    "multi": "多选 multi",
    "likert": "量表 rating",
    "numeric": "数值 numeric",
    "text": "开放 open text",
    "date": "日期 date",
}
TABLE_LABELS = {
    "survey": "问卷 survey",
    "pre": "前测 pre",
    "post": "后测 post",
    "orders": "工单 orders",
}

SCRUBBED = (
    f"所有保留下来的回答文字（开放题、单选和多选题的选项、“其他”后填写的内容）中的手机号、身份证号、"
    f"固定电话、IP 地址、电子邮箱和门牌号，导入时一律替换为“{REDACTED}”/ mobile and ID "
    "numbers, landlines, IP addresses, e-mail addresses and door numbers inside any answer that "
    "was kept (open answers, options of single- and multi-choice questions, texts typed after "
    f"'other') were replaced by “{REDACTED}” at import."
)


@dataclass
class Section:
    """A heading with paragraphs and tables (header + rows of strings), in order."""

    heading: str
    blocks: list[tuple[str, object]] = field(default_factory=list)  # ("p", text) / ("table", …)


def _answered(frame: pd.DataFrame, columns: list[str]) -> int:
    present = [c for c in columns if c in frame]
    return int(frame[present].notna().any(axis=1).sum()) if present else 0


def response_table(ws: Workspace) -> tuple[list[str], list[list[str]]]:
    header = [
        "表 table",
        "题号 question",
        "题目 text",
        "类型 type",
        "有效回答 valid n",
        "回答率 response rate",
        "缺失率 missing rate",
    ]
    rows = []
    for name, frame in ws.tables.items():
        n = len(frame)
        for row in ws.codebook.itertuples(index=False):
            if row.type not in ANALYSED or not row.columns:
                continue
            valid = _answered(frame, list(row.columns))
            rate = valid / n if n else 0.0
            rows.append(
                [
                    TABLE_LABELS.get(name, name),
                    str(row.question),
                    str(row.text),
                    TYPE_LABELS.get(row.type, row.type),
                    str(valid),
                    f"{rate:.1%}",
                    f"{1 - rate:.1%}",
                ]
            )
    return header, rows


def methods_section(ws: Workspace, suppressed: list[str], min_cell: int) -> list[Section]:
    """The sections "方法 Methods" and "局限 Limits" of a report."""
    m = ws.manifest
    sources = "、".join(
        f"{s}（{r} 行 rows，{e}）"
        for s, r, e in zip(m["sources"], m["rows"], m["encodings"], strict=True)
    )
    sizes = "；".join(f"{TABLE_LABELS.get(n, n)} {len(f)}" for n, f in ws.tables.items())
    methods = Section("方法与数据 / Methods and data")
    methods.blocks.append(
        (
            "p",
            f"数据来源 Source: {sources}。模板 template: {m['template']}。"
            f"分析人数 respondents analysed: {sizes}。",
        )
    )
    methods.blocks.append(
        (
            "p",
            "每题只统计回答了该题的人（有效回答），缺失不计入百分比；多选题的"
            "“占应答人数”以至少选一项的人为分母。/ Each question counts only "
            "those who answered it (valid n); missing answers are left out of "
            "percentages; multi-select shares of respondents use those who "
            "chose at least one option.",
        )
    )
    methods.blocks.append(("table", response_table(ws)))
    privacy = Section("个人信息保护 / Personal data")
    if len(ws.removed):
        privacy.blocks.append(
            (
                "p",
                "导入时删除或替换了下列个人信息，它们没有进入数据、表格、图表和本报告 / "
                "this personal information was removed or replaced at import and reached no "
                "table, chart or this report:",
            )
        )
        rows = [
            [str(r.header), str(r.kind), str(r.reason), str(r.cells)]
            for r in ws.removed.itertuples(index=False)
        ]
        privacy.blocks.append(
            (
                "table",
                (
                    [
                        "列 column",
                        "类别 kind",
                        "原因 reason",
                        "删除或替换的格子 cells removed or replaced",
                    ],
                    rows,
                ),
            )
        )
    else:
        privacy.blocks.append(
            ("p", "导入时没有发现个人标识符列 / no identifier column was found at import")
        )
    privacy.blocks.append(("p", SCRUBBED))
    privacy.blocks.append(
        (
            "p",
            f"小单元格抑制：少于 {min_cell} 人的格子不公布（显示为“<{min_cell}”），"
            "可由合计反推的格子一并隐去（显示为“×”）；开放题关键词只列出至少 "
            f"{min_cell} 人提到的词 / small-cell suppression: cells under {min_cell} people "
            f"are not published (“<{min_cell}”); cells that would let them be recovered "
            "from totals are hidden too (“×”); open-answer keywords list only words that "
            f"at least {min_cell} respondents used.",
        )
    )
    if suppressed:
        privacy.blocks.append(("list", suppressed))
    else:
        privacy.blocks.append(
            ("p", "本报告没有需要隐去的内容 / nothing needed hiding in this report")
        )
    limits = Section("局限 / Limits")
    limits.blocks.append(
        (
            "list",
            [
                "样本是自愿填写问卷的人，不一定代表全体居民；结果只描述回答者 / "
                "respondents chose to answer: they need not represent all residents, and the "
                "results describe them only",
                "检验的 p 值未对多重比较作校正；逐题看到的“显著”差异应谨慎解读 / p-values are not "
                "corrected for multiple comparisons: read a single 'significant' result with care",
                "开放题关键词由自动分词得到，可能拆错或合并词语；引用原话前请核对 / "
                "open-text keywords come from automatic word segmentation, which can split or "
                "join words wrongly",
            ],
        )
    )
    return [methods, privacy, limits]
