"""The bilingual boxes a trainee sees under a check cell: ✔ passed, or ✘ with what and a hint."""

from __future__ import annotations

import html

PASS_STYLE = "border-left:4px solid #2e7d32;background:#edf7ed;color:#1b5e20"
FAIL_STYLE = "border-left:4px solid #c62828;background:#fdecea;color:#611a15"
BOX = "padding:6px 12px;margin:4px 0;border-radius:4px;font-family:sans-serif;line-height:1.5"


def title(exercise: object, name: str, passed: bool) -> tuple[str, str]:
    """("✔ 练习 5 通过 …", "Exercise 5 passed …") for the box's first line."""
    if passed:
        return (
            f"✔ 练习 {exercise} 通过检查（{name}）",
            f"Exercise {exercise} passed the check ({name})",
        )
    return (
        f"✘ 练习 {exercise} 还没有通过（{name}）",
        f"Exercise {exercise} has not passed yet ({name})",
    )


def passed_bundle(exercise: object, name: str) -> dict[str, str]:
    """A one-line green box (HTML) with a plain-text fallback."""
    zh, en = title(exercise, name, True)
    return {
        "text/plain": f"{zh} / {en}",
        "text/html": f'<div style="{BOX};{PASS_STYLE}"><b>{html.escape(zh)}</b> · '
        f"{html.escape(en)}</div>",
    }


def failed_bundle(
    exercise: object, name: str, problem: tuple[str, str], hint: tuple[str, str] | None, detail: str
) -> dict[str, str]:
    """A red box: which exercise, what is wrong, the hint; technical detail behind a click."""
    zh, en = title(exercise, name, False)
    lines = [problem] + ([hint] if hint else [])
    text = "\n".join([f"{zh} / {en}"] + [f"  {z}\n  {e}" for z, e in lines])
    body = "".join(
        f"<div>{html.escape(z)}<br><span style='opacity:.8'>{html.escape(e)}</span></div>"
        for z, e in lines
    )
    return {
        "text/plain": text,
        "text/html": f'<div style="{BOX};{FAIL_STYLE}"><b>{html.escape(zh)}</b><br>'
        f"<span style='opacity:.8'>{html.escape(en)}</span>{body}"
        "<details style='margin-top:4px'><summary>技术细节 Technical detail</summary>"
        f"<pre style='white-space:pre-wrap'>{html.escape(detail)}</pre></details></div>",
    }


def show(bundle: dict[str, str]) -> None:
    """Display a bundle in the kernel (IPython is always there; printing is the fallback)."""
    try:
        from IPython.display import display

        display(bundle, raw=True)
    except ImportError:  # pragma: no cover - plain Python
        print(bundle["text/plain"])
