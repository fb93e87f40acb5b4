"""Charts that render Chinese: a CJK font for matplotlib, bar charts, and an output to show them.

matplotlib is imported when the first chart is made, not with this module: apps that draw nothing
until a participant acts (the workshop vote and rating) keep their idle kernels 25 MB smaller.
"""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from IPython.display import Image, display

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

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


def _installed_cjk_font(font_manager, rescan: bool = False) -> str | None:
    """The first CJK font matplotlib knows; with `rescan`, first add the system's CJK font files.

    matplotlib caches its font list on first use: fonts installed after that (e.g. apt's
    fonts-noto-cjk after a first chart) are missing from the cache until they are added."""
    if rescan:
        for path in font_manager.findSystemFonts():
            if "cjk" in path.lower() or "wqy" in path.lower():
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue  # an unreadable file is no font
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def use_chinese_font() -> str | None:
    """Make matplotlib draw Chinese labels; returns the font used, or None with a warning."""
    from matplotlib import font_manager, rcParams

    name = _installed_cjk_font(font_manager) or _installed_cjk_font(font_manager, rescan=True)
    if name:
        others = [f for f in rcParams["font.sans-serif"] if f != name]
        rcParams["font.sans-serif"] = [name, *others]
        rcParams["font.family"] = "sans-serif"
        rcParams["axes.unicode_minus"] = False
        return name
    warnings.warn(
        "未找到中文字体，图中汉字可能显示为方框；请安装 fonts-noto-cjk。 / No CJK font found: "
        "Chinese labels may show as boxes; install fonts-noto-cjk.",
        stacklevel=2,
    )
    return None


def bar_chart(
    values: pd.Series,
    title: str = "",
    xlabel: str = "",
    horizontal: bool = True,
    highlight: object = None,
    width: float = 6.0,
) -> Figure:
    """A bar chart of a Series (index = labels) with Chinese text; `highlight` one label in red."""
    from matplotlib.figure import Figure

    use_chinese_font()
    height = max(2.4, 0.32 * len(values) + 1.0) if horizontal else 3.2
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.subplots()
    labels = [str(i) for i in values.index]
    colours = ["#b71c1c" if i == highlight else "#5b7a99" for i in values.index]
    if horizontal:
        ax.barh(labels, values.to_numpy(dtype=float), color=colours)
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
    else:
        ax.bar(labels, values.to_numpy(dtype=float), color=colours)
        ax.set_ylabel(xlabel)
        ax.tick_params(axis="x", rotation=45)
    ax.set_title(title)
    return fig


def stacked_barh(ax: Any, frame: pd.DataFrame, colors: list[str] | None = None) -> Any:
    """One horizontal bar per row of `frame`, its columns stacked left to right, with a legend
    entry per column: what `frame.plot.barh(stacked=True, ax=ax)` draws, without loading pyplot
    (pandas plotting imports it) into an app kernel."""
    labels = [str(i) for i in frame.index]
    left = [0.0] * len(frame)
    for i, column in enumerate(frame.columns):
        values = frame[column].to_numpy(dtype=float)
        color = colors[i % len(colors)] if colors else None
        ax.barh(labels, values, left=left, color=color, label=str(column))
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.legend()
    return ax


def figure(width: float = 8.0, height: float = 3.4, **subplots: Any) -> tuple[Figure, Any]:
    """A figure with Chinese text and its axes (`subplots` as for Figure.subplots), no pyplot."""
    from matplotlib.figure import Figure

    use_chinese_font()
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.subplots(**subplots)


def source_note(fig: Figure, text: str) -> Figure:
    """Write the data source small and grey under the figure (kept when saved as PNG)."""
    fig.text(0.01, 0.0, text, fontsize=7, color="grey", va="top")
    return fig


def figure_png(fig: Figure, dpi: int = 90) -> bytes:
    """The figure as PNG bytes, trimmed to what is drawn (a source note below included)."""
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    return png.getvalue()


def display_figure(fig: Figure) -> None:
    """Display `fig` here as a PNG; works without pyplot, whose formatter a bare Figure lacks."""
    display(Image(data=figure_png(fig)))


def show_figure(output: widgets.Output, fig: Figure) -> None:
    """Replace what `output` shows with `fig` (a PNG that scales down to the screen width)."""
    # Set the widget's outputs directly rather than capturing a display inside `with output`:
    # no display hook is involved, so nothing can wait on the kernel's output capture.
    output.outputs = ()
    output.append_display_data(Image(data=figure_png(fig)))


def chart(fig: Figure | None = None) -> widgets.Output:
    """An output area for charts; pass a figure to show it at once."""
    output = widgets.Output(layout=widgets.Layout(width="100%", max_width="100%"))
    if fig is not None:
        show_figure(output, fig)
    return output
