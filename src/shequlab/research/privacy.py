"""Privacy by default: find the columns that identify a person, and numbers hidden in open answers.

What counts as a direct identifier follows onb-06 (个人信息保护): a name, a mobile or ID number,
an address down to the flat, plus what a survey platform adds (the respondent's IP address) and
contact fields (phone, WeChat, QQ, e-mail). A column is an identifier when its header says so
(unless its answers are a handful of repeated categories, e.g. "您最常用的联系方式" 电话/微信), or
when at least ``VALUE_SHARE`` of its answers match a number pattern. In every column that is kept,
whatever its type turns out to be, a number of those kinds inside an answer is replaced by
``REDACTED`` before the type is detected: an open question with few distinct answers becomes a
single-choice question whose options are published, so a phone number typed into one of them
would otherwise reach a frequency table. Birth dates, gender and building are quasi-identifiers:
they stay, and the report side aggregates and suppresses small cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

VALUE_SHARE = 0.5
REDACTED = "〔已删除〕"

# Order matters: an ID number contains 11 digits that could look like a mobile number.
PATTERNS: dict[str, re.Pattern[str]] = {
    "id_number": re.compile(
        r"(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}"
        r"[0-9Xx](?![0-9A-Za-z])"
    ),
    "mobile": re.compile(r"(?<!\d)(?:\+?86[- ]?)?1\d{2}[- ]?\d{4}[- ]?\d{4}(?!\d)"),
    # A landline with its area code: 021-56781234, (021)56781234, 021 5678 1234, 02156781234.
    "phone": re.compile(r"(?<!\d)(?:[(（]0\d{2,3}[)）]|0\d{2,3})[- ]?\d{3,4}[- ]?\d{4}(?!\d)"),
    "ip": re.compile(
        r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])"
    ),
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "address": re.compile(r"\d+\s*弄\s*\d+\s*号|\d+\s*号(?:楼)?\s*\d+\s*室"),
}
# Kinds replaced inside the answers of kept columns (ID first: it holds 11 digits in a row).
REDACTED_KINDS = ("id_number", "mobile", "phone", "ip", "email", "address")

HEADER_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ip", re.compile(r"\bIP\b|IP地址|来自IP", re.I)),
    ("id_number", re.compile(r"身份证|证件号|护照号")),
    ("mobile", re.compile(r"手机")),
    ("email", re.compile(r"邮箱|e-?mail|电子邮件", re.I)),
    ("phone", re.compile(r"电话|座机")),
    ("contact", re.compile(r"联系方式|联系电话|微信|QQ|联系地址", re.I)),
    ("name", re.compile(r"姓名|名字|称呼|联系人|签名|户主|填表人|填写人")),
    ("address", re.compile(r"住址|地址|门牌|室号|房号|家庭住址")),
)
KIND_TEXT = {
    "name": ("姓名", "name"),
    "mobile": ("手机号", "mobile number"),
    "phone": ("电话号码", "telephone number"),
    "id_number": ("身份证号", "ID number"),
    "address": ("住址（门牌号）", "address (door number)"),
    "ip": ("IP 地址", "IP address"),
    "email": ("电子邮箱", "e-mail address"),
    "contact": ("联系方式", "contact details"),
}


@dataclass(frozen=True)
class Finding:
    """Why a column is an identifier: its kind and a bilingual reason for the report."""

    kind: str
    reason: str  # "中文 / English"


def _plural(noun: str) -> str:
    return noun + ("es" if noun.endswith("s") else "s")


def _looks_categorical(cells: pd.Series) -> bool:
    """A handful of repeated answers (电话/微信/上门) asks about contact; it is not contact data."""
    answered = cells.dropna()
    if answered.empty:
        return False
    distinct = answered.nunique()
    return distinct <= 12 and distinct <= len(answered) / 3


def value_kind(cells: pd.Series) -> tuple[str, float] | None:
    """The identifier kind most answers of a column match, with the share that match (or None)."""
    counts = cells.dropna().astype(str).value_counts()  # each distinct answer tested once
    total = int(counts.sum())
    if not total:
        return None
    best: tuple[str, float] | None = None
    for kind, pattern in PATTERNS.items():
        hits = sum(n for value, n in counts.items() if pattern.search(value))
        share = hits / total
        if share >= VALUE_SHARE and (best is None or share > best[1]):
            best = (kind, share)
    return best


def classify(header: str, cells: pd.Series) -> Finding | None:
    """Whether one column (its header and its cells as text, NA for missing) identifies people."""
    found = value_kind(cells)
    if found:
        kind, share = found
        zh, en = KIND_TEXT[kind]
        return Finding(
            kind,
            f"{share:.0%} 的回答是{zh} / {share:.0%} of the answers are {_plural(en)}",
        )
    for kind, pattern in HEADER_KINDS:
        if pattern.search(header) and not _looks_categorical(cells):
            zh, en = KIND_TEXT[kind]
            return Finding(kind, f"表头表明是{zh} / the header names a {en}")
    return None


def scrub(text: str) -> str:
    """One answer (or an option a codebook declares) with every identifying number replaced."""
    for kind in REDACTED_KINDS:
        text = PATTERNS[kind].sub(REDACTED, text)
    return text


def redact(cells: pd.Series) -> tuple[pd.Series, dict[str, int]]:
    """Replace identifying numbers in the answers of a column by REDACTED; count the cells
    changed per kind."""
    counts: dict[str, int] = {}
    out = cells.astype("string")
    for kind in REDACTED_KINDS:
        pattern = PATTERNS[kind]
        changed = {v: pattern.sub(REDACTED, v) for v in out.dropna().unique() if pattern.search(v)}
        if changed:
            hit = out.isin(list(changed))
            counts[kind] = int(hit.sum())
            out = out.where(~hit, out.map(changed))
    return out, counts


def redaction_reason(kind: str) -> str:
    """The report's sentence for numbers replaced inside the answers of a kept column."""
    zh, en = KIND_TEXT[kind]
    return (
        f"回答文字（含选项、开放题）中的{zh}已替换为{REDACTED} / {_plural(en)} inside answers "
        f"(options and open answers) replaced by {REDACTED}"
    )
