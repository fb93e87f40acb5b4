"""The cohort report's pieces of HTML: whole-point score histograms, heat-map cells, item tables.

Inline SVG and plain tables only (no scripts, no URLs), so the page opens anywhere offline; Chinese
text is drawn by the reader's browser with its CJK fonts.
"""

from __future__ import annotations

import html
import math

from shequlab.grading.items import HARD_FULL_SHARE, LOW_DISCRIMINATION, MIN_TRAINEES, ItemStats

FONT = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
GREY = "#e4e4e4"
STYLE = f"""body{{font-family:{FONT};margin:2em;color:#222;max-width:80em}}
table{{border-collapse:collapse;margin:.4em 0 1em}}
td,th{{border:1px solid #ccc;padding:3px 6px;font-size:13px;vertical-align:top}}
th{{background:#f4f4f4}} h2{{margin-top:1.6em}} .en{{color:#666;font-size:90%}}
td.num{{text-align:right;white-space:nowrap}} td.ungraded{{background:{GREY};color:#555}}
.flag{{display:inline-block;border-radius:3px;padding:0 4px;margin:1px;color:#fff;font-size:12px}}
.hard{{background:#c0392b}} .lowdisc{{background:#d35400}}
ul.msgs{{margin:0;padding-left:1.1em}} .help{{background:#f7f7fb;padding:.6em 1em}}"""
UNGRADED = "未评 <span class='en'>not graded</span>"


def e(text: object) -> str:
    return html.escape(str(text))


def histogram_svg(title: str, scores: list[float], max_score: float, note: str = "") -> str:
    """Bars of how many trainees scored each whole number of points (a score of 7.5 counts in 7)."""
    top_bin = max(0, math.floor(max_score))
    counts = [0] * (top_bin + 1)
    for s in scores:
        counts[min(top_bin, max(0, math.floor(s)))] += 1
    top = max(counts) or 1
    bar = max(8, min(36, 560 // len(counts) - 4))
    label_every = 1 if len(counts) <= 16 else 5
    w, h = 20 + len(counts) * (bar + 4), 180
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{max(w, 420)}" height="{h + 56}" '
             f'font-family="{FONT}" font-size="11" role="img">',
             f'<text x="0" y="14" font-size="13">{e(title)}</text>']  # fmt: skip
    for i, c in enumerate(counts):
        bh = (h - 40) * c / top
        x, y = 10 + i * (bar + 4), h - bh
        parts.append(f'<rect x="{x}" y="{y:.0f}" width="{bar}" height="{bh:.0f}" fill="#3b7dd8">'
                     f"<title>{i} 分 points: {c} 人 trainees</title></rect>")  # fmt: skip
        if c:
            parts.append(f'<text x="{x + bar / 2}" y="{y - 3:.0f}" text-anchor="middle">{c}</text>')
        if i % label_every == 0 or i == top_bin:
            parts.append(f'<text x="{x + bar / 2}" y="{h + 14}" text-anchor="middle">{i}</text>')
    parts.append(f'<text x="0" y="{h + 32}">得分（分，满分 {max_score:g}）→ 人数 · '
                 f"score in points (max {max_score:g}) → trainees</text>")  # fmt: skip
    if note:
        parts.append(f'<text x="0" y="{h + 50}" fill="#666">{e(note)}</text>')
    return "".join(parts) + "</svg>"


def heat_cell(percent: float | None, partly_ungraded: bool = False) -> str:
    """A heat-map cell: red (0 %) → yellow → green (100 %); grey 未评 when nothing is graded."""
    if percent is None:
        return f'<td class="ungraded" title="人工评分题尚未评分 / not graded yet">{UNGRADED}</td>'
    hue = int(120 * max(0.0, min(1.0, percent / 100)))
    mark, tip = ("*", ' title="部分人工评分题未评，按已评部分计 / partly not graded: graded part"')
    if not partly_ungraded:
        mark, tip = "", ""
    return f'<td class="num" style="background:hsl({hue},70%,75%)"{tip}>{percent:.0f}{mark}</td>'


HELP = f"""<div class="help">
<p><b>怎样读这张表 How to read this table</b></p>
<ul>
<li><b>得满分</b>：得到这题满分的学员占已评分学员的比例。低于 {HARD_FULL_SHARE:.0%} 标为
<span class="flag hard">太难</span>：课上回顾这题涉及的知识点，或检查题目是否说清楚。<br>
<span class="en"><b>Full marks</b>: the share of graded trainees with full points. Under
{HARD_FULL_SHARE:.0%} it is flagged <i>too hard</i>: revisit the skill in class or check the
wording.</span></li>
<li><b>区分度</b>：这题得分与本模块<b>其余各题</b>总分的相关系数
（皮尔逊 r；对“全对或全错”的题就是点二列相关）。
它回答：其余部分做得好的学员，这题是否也更常做对？
0.4 以上很好，0.2–0.4 尚可，低于 {LOW_DISCRIMINATION:g} 标为
<span class="flag lowdisc">区分度低</span>：这题的对错与整体掌握关系不大——
题意含糊、容易蒙对，或大家卡在同一个与能力无关的地方。
为负数时，整体好的学员反而更常错：先检查参考答案和测试。<br>
<span class="en"><b>Discrimination</b>: the correlation (Pearson's r; for an all-or-nothing item
the point-biserial) between the item's score and the score on the module's <i>other</i> items —
do trainees who do well elsewhere also get this one right? Above 0.4 good, 0.2–0.4 fair, under
{LOW_DISCRIMINATION:g} flagged <i>does not discriminate</i>: right or wrong here has little to do
with overall mastery (ambiguous wording, easy to guess, or a hurdle unrelated to the skill).
Negative: stronger trainees fail it more often — check the answer key and the tests
first.</span></li>
<li>为什么用它而不是“高低分组 27%”：它用上每一位学员；20–40 人的班里，27% 的组只有 5–10 人。
其余各题只算全班都已评分的题（未评的思考题不算进去），以免“未评”被当成低分。
已评分学员少于 {MIN_TRAINEES} 人时不标记；全班同分时区分度无从计算，显示“—”。<br>
<span class="en">Why this index and not the upper–lower 27 % groups: it uses every trainee; in a
cohort of 20–40 the 27 % groups hold only 5–10 people. The other items count only where every
trainee is graded (a reflection not yet graded is left out, not read as a low score). With fewer
than {MIN_TRAINEES} graded trainees nothing is flagged; when everyone has the same score the index
is undefined (“—”).</span></li>
<li><b>最常见的错误信息</b>：自动评分后测试单元格报出的错误（只取错误名称和信息，不含隐藏测试的代码；
检查框写明了错在哪里时取它的说明），相同的信息合并计数，列出最多的 3 条，次数即学员人数。<br>
<span class="en"><b>Most frequent failing messages</b>: the error name and message the test cell
ended with after autograding (never the hidden tests' code; where a check's box says what is
wrong, that text), identical messages counted together; the top 3, each with the number of
trainees.</span></li>
<li>人工评分题（思考题）在评分后才有数字，之前显示 {UNGRADED}。<br>
<span class="en">Manually graded items show numbers once graded, “not graded” before.</span></li>
</ul></div>"""


def _flags(item: ItemStats) -> str:
    flags = []
    if item.too_hard:
        flags.append('<span class="flag hard">太难 too hard</span>')
    if item.low_discrimination:
        text = "区分度低 does not discriminate"
        if item.discrimination is not None and item.discrimination < 0:
            text += "（为负：检查答案 / negative: check the key）"
        flags.append(f'<span class="flag lowdisc">{text}</span>')
    return " ".join(flags)


def item_row(item: ItemStats, label: str) -> str:
    """One row of a module's item-analysis table."""
    kind = "人工 manual" if item.manual else "自动 auto"
    head = f"<td>{label}</td><td>{kind}</td><td class='num'>{item.max_score:g}</td>"
    if not item.graded:
        return f"<tr>{head}<td class='ungraded' colspan='4'>{UNGRADED}</td></tr>"
    full = f"{item.full}/{item.graded}（{item.full_share:.0%}）"
    if item.ungraded:
        full += f"<br><span class='en'>{item.ungraded} 人未评 not graded</span>"
    if item.discrimination is not None:
        disc = f"{item.discrimination:.2f}"
    elif item.graded < 3:
        disc = "<span title='人数太少 / too few trainees'>—</span>"
    else:
        disc = "<span title='得分没有差异，无从计算 / no spread in the scores'>—</span>"
    msgs = "".join(f"<li>{m.count}× {e(m.text).replace(chr(10), '<br>')}</li>"
                   for m in item.messages)  # fmt: skip
    return (f"<tr>{head}<td class='num'>{full}</td><td class='num'>{disc}</td>"
            f"<td>{_flags(item)}</td><td><ul class='msgs'>{msgs}</ul></td></tr>")  # fmt: skip


ITEM_HEADER = ("<table class='items'><tr><th>练习 exercise</th><th>类型 kind</th>"
               "<th>分值 points</th><th>得满分 full marks</th><th>区分度 discrimination</th>"
               "<th>提示 flags</th>"
               "<th>最常见的错误信息 most frequent failing messages</th></tr>")  # fmt: skip
