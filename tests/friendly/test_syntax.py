"""Full-width punctuation is found and corrected only where Python trips on it."""

from __future__ import annotations

import pytest

from shequlab.friendly.render import to_html, to_plain
from shequlab.friendly.syntax import corrected, explain_syntax


def syntax_error(source: str) -> SyntaxError:
    try:
        compile(source, "<cell>", "exec")
    except SyntaxError as err:
        return err
    raise AssertionError(f"{source!r} compiles")


def test_corrected_fixes_code_and_keeps_chinese_text_in_strings() -> None:
    source = 'print（"新华路，番禺居民区"）\nx = 1\nnames = [“番禺”，“新华”]'
    fixed, changed = corrected(source)
    assert fixed == 'print("新华路，番禺居民区")\nx = 1\nnames = ["番禺","新华"]'
    assert changed == [1, 3]
    compile(fixed, "<cell>", "exec")


def test_full_width_space_and_digits_are_named() -> None:
    advice = explain_syntax(syntax_error("x =\u30001"))
    assert "第 1 行第 4 个字符 `全角空格`" in advice.hints[0][0]
    assert "`x = 1`" in advice.hints[1][0]
    advice = explain_syntax(syntax_error("y = １0"))
    assert "改成 `1`" in advice.hints[0][0]


@pytest.mark.parametrize(
    ("source", "zh"),
    [
        ("if x > 1\n    y = 2", "少了英文冒号"),
        ("x = [1, 2", "括号“[”没有配对"),
        ('df["a]', "引号没有配对"),
        ("if x = 1:\n    pass", "比较是否相等要用 `==`"),
        ("x = 2016年", "语法错误"),
    ],
)
def test_python_messages_in_beginners_words(source: str, zh: str) -> None:
    advice = explain_syntax(syntax_error(source))
    assert any(zh in text for pair in [advice.title, *advice.hints] for text in pair), advice


def test_box_escapes_html_and_folds_the_traceback() -> None:
    advice = explain_syntax(syntax_error("x = “<b>”"))
    html = to_html(advice, ["\x1b[31mSyntaxError\x1b[0m: <b>"])
    assert "<b>”" not in html and "&lt;b&gt;" in html
    assert "<details><summary>" in html and "SyntaxError: &lt;b&gt;</pre></details>" in html
    assert to_plain(advice, ["\x1b[31mSyntaxError\x1b[0m: x"]).endswith("SyntaxError: x")
