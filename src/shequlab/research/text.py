"""Keywords of open answers: Chinese word segmentation with jieba, counted per respondent.

jieba is the standard segmenter for Simplified Chinese (dictionary + HMM, pure Python, no model
download). Only Chinese words of two or more characters are counted; person names (jieba's `nr`
tags), numbers, Latin letters and punctuation are dropped, so a phone number, an ID number or a
name written into an answer never becomes a keyword. A word fewer than `min_cell` respondents
used is not published either: rare words are the ones that point at a person.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable

import pandas as pd

from shequlab.research import charts
from shequlab.research.findings import Finding, count, percent
from shequlab.research.suppress import DEFAULT_MIN_CELL, Suppression

KEYWORD_COLUMNS = (
    "关键词 keyword",
    "提及人数 respondents",
    "占回答人数 % of answers",
    "出现次数 mentions",
)
CHINESE_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")
HAS_WORD = re.compile(r"[\u4e00-\u9fff]{2}")  # no two Chinese characters in a row: no word
NAME_TAGS = {"nr", "nrfg", "nrt"}
# Function words and the fillers of survey answers ("希望……", "建议……"), which say nothing alone.
STOPWORDS = frozenset(
    [
        "我们",
        "你们",
        "他们",
        "她们",
        "它们",
        "自己",
        "大家",
        "这个",
        "那个",
        "这些",
        "那些",
        "这样",
        "那样",
        "这里",
        "那里",
        "什么",
        "怎么",
        "为什么",
        "因为",
        "所以",
        "但是",
        "而且",
        "或者",
        "如果",
        "就是",
        "还是",
        "还有",
        "以及",
        "可以",
        "可能",
        "应该",
        "需要",
        "希望",
        "建议",
        "觉得",
        "感觉",
        "认为",
        "比较",
        "非常",
        "特别",
        "一些",
        "一点",
        "一下",
        "一个",
        "有些",
        "没有",
        "不是",
        "现在",
        "目前",
        "以后",
        "今后",
        "已经",
        "能够",
        "进行",
        "方面",
        "问题",
        "情况",
        "东西",
        "时候",
        "事情",
        "其他",
        "其它",
        "无",
        "暂无",
        "没什么",
        "不知道",
        "挺好",
        "很好",
    ]
)


def segment(text: str, stopwords: Iterable[str] = ()) -> list[str]:
    """The countable words of one answer, in order."""
    if not HAS_WORD.search(text):  # codes, numbers, Latin letters: nothing to segment
        return []
    import jieba
    import jieba.posseg as posseg

    jieba.setLogLevel(logging.WARNING)
    stop = STOPWORDS | set(stopwords)
    return [
        pair.word
        for pair in posseg.lcut(text)
        if pair.flag not in NAME_TAGS and CHINESE_WORD.match(pair.word) and pair.word not in stop
    ]


def keywords(
    answers: pd.Series,
    title: str = "",
    top: int = 20,
    stopwords: Iterable[str] = (),
    words: Iterable[str] = (),
    min_cell: int = DEFAULT_MIN_CELL,
) -> Finding:
    """The `top` words by number of respondents who used them. `words` adds terms jieba should
    keep whole (e.g. 加装电梯, 美丽楼道); `stopwords` adds words to ignore."""
    import jieba

    for word in words:
        jieba.add_word(word)
    texts = answers.dropna().astype(str).str.strip()
    texts = texts[texts != ""]
    stopwords = tuple(stopwords)
    # Answers repeat ("无", "多办活动"): each distinct one is segmented once (posseg is slow).
    words_of = {t: segment(t, stopwords) for t in texts.unique()}
    per_answer = [words_of[t] for t in texts]
    respondents = Counter(w for ws in per_answer for w in set(ws))
    mentions = Counter(w for ws in per_answer for w in ws)
    kept = {w: n for w, n in respondents.items() if n >= min_cell}
    dropped = len(respondents) - len(kept)
    ranked = sorted(kept, key=lambda w: (-kept[w], -mentions[w], w))[:top]
    n = len(texts)
    answered = (
        f"{n} 人填写了这道开放题，空白 {len(answers) - n} 人 / {n} wrote an answer, "
        f"{len(answers) - n} left it blank"
    )
    stats = {"respondents": respondents, "mentions": mentions, "n": n}
    suppression = Suppression(title, min_cell, dropped, 0, unit="words")
    if not ranked:  # no table at all rather than an empty one under a heading
        if respondents:
            why = (
                f"没有一个词有至少 {min_cell} 人提到，因此不列关键词表 / no word was used by "
                f"{min_cell} or more respondents, so there is no keyword table"
            )
        else:
            why = (
                "回答只有编号、数字或字母，没有可统计的中文词，因此不做关键词统计 / the answers "
                "hold only codes, numbers or Latin letters: there is no Chinese word to count, "
                "so there is no keyword table"
            )
        empty = pd.DataFrame(columns=list(KEYWORD_COLUMNS))
        return Finding(title, empty, None, [answered, why], [suppression], stats)
    shares = pd.Series({w: kept[w] / n for w in ranked}, dtype=float)
    table = pd.DataFrame(
        dict(zip(KEYWORD_COLUMNS, (
            ranked,
            [count(kept[w]) for w in ranked],
            [percent(kept[w] / n) for w in ranked],
            [count(mentions[w]) for w in ranked],
        ), strict=True))
    )  # fmt: skip
    notes = [
        answered,
        f"少于 {min_cell} 人提到的 {dropped} 个词不公布；人名、数字和字母不计 / {dropped} words "
        f"used by fewer than {min_cell} respondents are not published; names, numbers and "
        "Latin letters are never counted",
    ]
    hidden = pd.Series(0, index=shares.index)
    fig = charts.share_bars(shares, hidden, min_cell, title=title,
                            xlabel="占回答人数 % of answers")  # fmt: skip
    return Finding(f"{title} — 关键词 keywords", table, fig, notes, [suppression], stats)
