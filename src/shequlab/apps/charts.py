"""Charts that render Chinese: pick an installed CJK font for matplotlib once per kernel."""

from __future__ import annotations

import warnings

from matplotlib import font_manager, rcParams

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)


def use_chinese_font() -> str | None:
    """Make matplotlib draw Chinese labels; returns the font used, or None with a warning."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            rcParams["font.sans-serif"] = [name, *rcParams["font.sans-serif"]]
            rcParams["font.family"] = "sans-serif"
            rcParams["axes.unicode_minus"] = False
            return name
    warnings.warn(
        "未找到中文字体，图中汉字可能显示为方框；请安装 fonts-noto-cjk。 / No CJK font found: "
        "Chinese labels may show as boxes; install fonts-noto-cjk.",
        stacklevel=2,
    )
    return None
