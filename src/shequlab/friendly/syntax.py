"""Syntax errors in beginners' words: full-width punctuation from a Chinese input method first."""

from __future__ import annotations

import linecache
import re
import unicodedata

from shequlab.friendly.advice import Advice, Bilingual

# Characters a Chinese input method types in place of Python's ASCII ones: (ASCII, 中文名, name).
FULL_WIDTH: dict[str, tuple[str, str, str]] = {
    "“": ('"', "中文左双引号", "a Chinese opening double quote"),
    "”": ('"', "中文右双引号", "a Chinese closing double quote"),
    "‘": ("'", "中文左单引号", "a Chinese opening single quote"),
    "’": ("'", "中文右单引号", "a Chinese closing single quote"),
    "（": ("(", "中文左括号", "a full-width opening bracket"),
    "）": (")", "中文右括号", "a full-width closing bracket"),
    "【": ("[", "中文左方括号", "a Chinese opening square bracket"),
    "】": ("]", "中文右方括号", "a Chinese closing square bracket"),
    "，": (",", "中文逗号", "a full-width comma"),
    "、": (",", "顿号", "a Chinese enumeration comma"),
    "。": (".", "中文句号", "a Chinese full stop"),
    "：": (":", "中文冒号", "a full-width colon"),
    "；": (";", "中文分号", "a full-width semicolon"),
    "《": ("<", "中文书名号", "a Chinese title mark"),
    "》": (">", "中文书名号", "a Chinese title mark"),
    "—": ("-", "中文破折号", "a Chinese dash"),
    "…": ("...", "中文省略号", "a Chinese ellipsis"),
    "\u3000": (" ", "全角空格", "a full-width space"),
    "\u00a0": (" ", "不换行空格", "a non-breaking space"),
}
INVALID_CHARACTER = re.compile(r"invalid (?:non-printable )?character")
MAX_FIXES = 30  # full-width characters corrected, at most, to show the fixed line


def ascii_for(char: str) -> tuple[str, str, str] | None:
    """(ASCII replacement, Chinese name, English name) of a full-width character, or None."""
    if char in FULL_WIDTH:
        return FULL_WIDTH[char]
    plain = unicodedata.normalize("NFKC", char)  # ＝ → =, ＋ → +, １ → 1 …
    if plain != char and plain.isascii() and plain.strip():
        return plain, "全角字符", "a full-width character"
    return None


def _offending(err: SyntaxError) -> tuple[int, int, str] | None:
    """(line, column, character) of the full-width character an error points at, or None."""
    if not INVALID_CHARACTER.match(err.msg or "") or not err.text or not err.offset:
        return None
    column = err.offset - 1
    if not 0 <= column < len(err.text) or ascii_for(err.text[column]) is None:
        return None
    return err.lineno or 1, column, err.text[column]


def corrected(source: str) -> tuple[str, list[int]]:
    """The cell with its stray full-width characters made ASCII, and the lines changed.

    Python reports one character at a time; fixing it and compiling again finds the next one.
    Characters inside strings (Chinese text in quotes) compile fine and are kept. An opening
    Chinese quote is replaced together with its closing partner on the same line.
    """
    lines = source.splitlines(keepends=True)
    changed: list[int] = []
    for _ in range(MAX_FIXES):
        try:
            compile("".join(lines), "<cell>", "exec")
            break
        except SyntaxError as err:
            where = _offending(err)
            if where is None or where[0] > len(lines):
                break
            number, column, char = where
            line = lines[number - 1]
            ascii_char = ascii_for(char)[0]  # type: ignore[index]  # not None: _offending
            line = line[:column] + ascii_char + line[column + 1 :]
            partner = {"“": "”", "‘": "’"}.get(char)
            if partner and partner in line[column:]:
                at = line.index(partner, column)
                line = line[:at] + ascii_char + line[at + 1 :]
            lines[number - 1] = line
            if number not in changed:
                changed.append(number)
    return "".join(lines), changed


def _full_width(err: SyntaxError) -> Advice | None:
    where = _offending(err)
    if where is None:
        return None
    number, column, char = where
    ascii_char, name_zh, name_en = ascii_for(char)  # type: ignore[misc]  # not None: _offending
    shown = "全角空格" if char == "\u3000" else char
    advice = Advice(
        title=(
            "切换到英文输入法 / 代码里有中文标点",
            "Switch to English input: Chinese punctuation in code",
        ),
        hints=[
            (
                f"第 {number} 行第 {column + 1} 个字符 `{shown}` 是{name_zh}，Python 不认识。"
                f"请切换到英文输入法，改成 `{ascii_char}`。",
                f"Line {number}, character {column + 1}: `{shown}` is {name_en} from a Chinese "
                f"input method, which Python does not understand. Switch to English input and "
                f"type `{ascii_char}` instead.",
            )
        ],
    )
    source = "".join(linecache.getlines(err.filename or "")) or (err.text or "")
    fixed, changed = corrected(source)
    fixed_lines = fixed.splitlines()
    for n in changed[:3]:
        if n <= len(fixed_lines):
            line = fixed_lines[n - 1].strip()
            advice.hints.append((f"第 {n} 行改好后：`{line}`", f"Line {n} corrected: `{line}`"))
    advice.hints.append(
        (
            '引号里的中文文字（例如 `"新华路"`）没有问题，只有代码本身要用英文标点。',
            'Chinese text inside quotes (e.g. `"新华路"`) is fine: only the code itself needs '
            "English punctuation.",
        )
    )
    return advice


# Python's own messages, in beginners' words: (pattern, Chinese, English).
MESSAGES: list[tuple[re.Pattern[str], str, str]] = [
    (
        re.compile(r"unterminated (triple-quoted )?string"),
        "引号没有配对：字符串开头和结尾都要有同样的英文引号。",
        "A quote is not closed: a string starts and ends with the same English quote.",
    ),
    (
        re.compile(r"'(.)' was never closed"),
        "括号“{0}”没有配对：检查每个左括号都有对应的右括号。",
        "The bracket '{0}' is never closed: every opening bracket needs its closing one.",
    ),
    (
        re.compile(r"unmatched '(.)'"),
        "多了一个右括号“{0}”，或者少了对应的左括号。",
        "There is an extra closing '{0}', or its opening bracket is missing.",
    ),
    (
        re.compile(r"closing parenthesis '(.)' does not match opening parenthesis '(.)'"),
        "括号不配对：“{1}”不能用“{0}”结束。",
        "Brackets do not match: '{1}' cannot be closed by '{0}'.",
    ),
    (
        re.compile(r"expected ':'"),
        "这一行末尾少了英文冒号 `:`（if、for、def 这样的行都要以冒号结尾）。",
        "A colon `:` is missing at the end of the line (if, for and def lines end with one).",
    ),
    (
        re.compile(r"Perhaps you forgot a comma"),
        "可能少了一个英文逗号 `,`（列表的各项、函数的各个参数之间要用逗号隔开）。",
        "Perhaps a comma `,` is missing (between items of a list or arguments of a function).",
    ),
    (
        re.compile(r"Maybe you meant '==' "),
        "比较是否相等要用 `==`；一个 `=` 是赋值。",
        "To compare, write `==`; a single `=` assigns a value.",
    ),
    (
        re.compile(r"Missing parentheses in call to 'print'"),
        "print 后面要加括号：`print(...)`。",
        "print needs brackets: `print(...)`.",
    ),
    (
        re.compile(r"invalid decimal literal"),
        '数字后面紧跟了字母或汉字：文字要放在引号里，例如 `"2016年"`。',
        'A number runs into letters or Chinese characters: put text in quotes, e.g. `"2016年"`.',
    ),
    (
        re.compile(r"unexpected indent"),
        "这一行前面多了空格（缩进）：删掉行首的空格。",
        "This line starts with spaces it should not have: delete them.",
    ),
    (
        re.compile(r"expected an indented block"),
        "if、for、def 下面的行要缩进：在行首加 4 个空格。",
        "The line after if, for or def must be indented: add 4 spaces at its start.",
    ),
    (
        re.compile(r"unindent does not match|inconsistent use of tabs"),
        "缩进对不齐：同一层的行要用同样多的空格（不要混用 Tab）。",
        "Indentation does not line up: lines of one block start with the same spaces (no tabs).",
    ),
]


def explain_syntax(err: SyntaxError) -> Advice:
    """A bilingual explanation of any SyntaxError (IndentationError and TabError included)."""
    full_width = _full_width(err)
    if full_width is not None:
        return full_width
    where = err.lineno or 1
    if isinstance(err, IndentationError):
        title = ("缩进错误", "Indentation error")
    else:
        title = ("语法错误：Python 读不懂这一行", "Syntax error: Python cannot read this line")
    where_hint = (
        f"问题在第 {where} 行，箭头 ^ 指出的位置附近（见下面的红色信息）。",
        f"The problem is on line {where}, near the ^ arrow (in the red message below).",
    )
    advice = Advice(title=title, hints=[where_hint])
    for pattern, zh, en in MESSAGES:
        found = pattern.search(err.msg or "")
        if found:
            advice.hints.append((zh.format(*found.groups()), en.format(*found.groups())))
            break
    else:
        advice.hints.append(_generic_hint())
    return advice


def _generic_hint() -> Bilingual:
    return (
        "检查括号和引号是否成对、逗号和冒号是否遗漏、用的是不是英文标点。",
        "Check that brackets and quotes come in pairs, that no comma or colon is missing, "
        "and that the punctuation is English.",
    )
