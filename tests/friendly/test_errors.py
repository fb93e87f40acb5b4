"""Each friendly error, in a real kernel started as JupyterLab starts it under `make start`.

One notebook of a beginner's mistakes runs top to bottom (the order matters: a failed cell
leaves a name undefined for the cells after it). Each mistake must show a bilingual box,
Chinese first, with the concrete fix and the full traceback folded away, and still end in an
error output with Python's own ename and evalue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from nbformat.notebooknode import NotebookNode
from nbgrader.utils import determine_grade

from friendly.conftest import error_of, friendly_box, module_folder, run_cells
from shequlab.friendly.kernelspec import FriendlyKernelSpecManager

pytestmark = pytest.mark.slow


@dataclass
class Mistake:
    source: str
    ename: str
    zh: list[str] = field(default_factory=list)  # in the box, before …
    en: list[str] = field(default_factory=list)  # … the English beside it


SETUP = 'import pandas as pd\nareas = pd.read_csv("data/residential_areas.csv")'
MISTAKES: dict[str, Mistake] = {
    "full-width quotes": Mistake(
        "areas = pd.read_csv(“data/residential_areas.csv”)", "SyntaxError",
        ["切换到英文输入法", "第 1 行第 21 个字符", "中文左双引号",
         '<code>areas = pd.read_csv("data/residential_areas.csv")</code>'],
        ["Switch to English input", "Line 1, character 21"],
    ),
    "full-width bracket and comma": Mistake(
        "top = areas.sort_values（\"residents\"，ascending=False）", "SyntaxError",
        ["第 1 行第 24 个字符", "中文左括号",
         '<code>top = areas.sort_values("residents",ascending=False)</code>'],
        ["full-width opening bracket"],
    ),
    "misspelled column": Mistake(
        'areas["residents_60"]', "KeyError",
        ["没有 <code>'residents_60'</code>", "你是不是想写 <code>'residents_60plus'</code>"],
        ["did you mean <code>'residents_60plus'</code>"],
    ),
    "two columns without a list": Mistake(
        'areas["name", "residents"]', "KeyError",
        ["两层方括号：<code>df[[\"列1\""], ["two pairs of square brackets"],
    ),
    "cell that failed": Mistake(
        'old = areas[areas["residents_60"] > 1000]', "KeyError",
        ["你是不是想写 <code>'residents_60plus'</code>"],
        ["did you mean <code>'residents_60plus'</code>"],
    ),
    "name from the cell that failed": Mistake(
        "old.head()", "NameError",
        ["<code>old</code> 应该由编号为 [{failed}] 的单元格定义", "先改好那个单元格"],
        ["defined by the cell numbered [{failed}]", "Fix and run that cell first"],
    ),
    "misspelled variable": Mistake(
        "area.head()", "NameError",
        ["先运行上面的单元格", "你是不是想写 <code>areas</code>"],
        ["Run the cells above first", "Did you mean <code>areas</code>"],
    ),
    "column name without quotes": Mistake(
        "areas[residents]", "NameError",
        ['<code>df["residents"]</code>'], ["put the name in quotes"],
    ),
    "and instead of &": Mistake(
        'areas[areas["residents"] > 4000 and areas["households"] > 1000]', "ValueError",
        ["<code>and</code>、<code>or</code>、<code>not</code> 要换成 <code>&amp;</code>"],
        ["replace <code>and</code>, <code>or</code>, <code>not</code> with <code>&amp;</code>"],
    ),
    "conditions without brackets": Mistake(
        'areas[areas["residents"] > 4000 & areas["name"] == "番禺居民区"]', "TypeError",
        ["条件少了括号", "每个条件都要用圆括号括起来"], ["Put each condition in brackets"],
    ),
    "misspelled method": Mistake(
        'areas.groupy("grid_id")', "AttributeError",
        ["没有 <code>groupy</code>", "你是不是想写 <code>.groupby</code>"],
        ["Did you mean <code>.groupby</code>"],
    ),
    "property called": Mistake(
        "areas.shape()", "TypeError",
        ["不是函数", "去掉后面的 <code>()</code>"], ["drop the <code>()</code>"],
    ),
    "column called": Mistake(
        'areas("residents")', "TypeError",
        ['取一列要用方括号：<code>df["列名"]</code>'], ["Select a column with square brackets"],
    ),
    "file outside data/": Mistake(
        'pd.read_csv("residential_areas.csv")', "FileNotFoundError",
        ['写成 <code>"data/residential_areas.csv"</code>'], ["folder"],
    ),
    "misspelled file": Mistake(
        'pd.read_csv("data/residential_area.csv")', "FileNotFoundError",
        ['你是不是想写 <code>"data/residential_areas.csv"</code>'], ["Did you mean"],
    ),
    "unexpected indent": Mistake(
        "x = 1\n    y = 2", "IndentationError", ["缩进错误", "删掉行首的空格"], ["delete them"]
    ),
    "different row labels": Mistake(
        'areas["residents"] == areas.set_index("area_id")["residents"]', "ValueError",
        ["行标签不一样", "<code>merge</code>"], ["different row labels"],
    ),
    "misspelled module": Mistake(
        "import panda", "ModuleNotFoundError",
        ["你是不是想写 <code>import pandas</code>"], ["Did you mean <code>import pandas</code>"],
    ),
    "text plus number": Mistake(
        'areas["name"] + 1', "TypeError", ["文字和数字不能直接相加"], ["Text and numbers"]
    ),
    "missing colon": Mistake(
        'if len(areas) > 10\n    print("多")', "SyntaxError",
        ["少了英文冒号 <code>:</code>"], ["A colon <code>:</code> is missing"],
    ),
    "Excel table in GBK": Mistake(
        'pd.read_csv("data/my_visits.csv")', "UnicodeDecodeError",
        ['<code>encoding="gbk"</code>'], ['add <code>encoding="gbk"</code>'],
    ),
    "position past the end": Mistake(
        "areas.iloc[17]", "IndexError", ["位置从 0 开始数"], ["Positions count from 0"]
    ),
    "units in numbers": Mistake(
        'pd.Series(["12 户", "3 户"]).astype(float)', "ValueError",
        ["文字 '12 户' 不能变成数字", "<code>pd.to_numeric"], ["is not a number"],
    ),
    "new column of the wrong length": Mistake(
        'areas["visits"] = [1, 2, 3]', "ValueError",
        ["给了 3 个值，但表格有 17 行"], ["3 values for a table of 17 rows"],
    ),
    "dates as text": Mistake(
        'areas["name"] - areas["name_en"]', "TypeError",
        ["先转换成日期", "pd.to_datetime("], ["Dates are read as text"],
    ),
    "result of inplace": Mistake(
        'areas.sort_values("residents", inplace=True).head()', "AttributeError",
        ["<code>inplace=True</code>", "<code>None</code>"], ["Drop <code>inplace=True</code>"],
    ),
    "text method on a column": Mistake(
        'areas["name"].contains("新")', "AttributeError",
        ["<code>.str.contains</code>"], ["write <code>.str.contains</code>"],
    ),
    "append removed": Mistake(
        "areas.append(areas)", "AttributeError",
        ["<code>pd.concat([df1, df2])</code>"], ["pandas 2 removed <code>append</code>"],
    ),
    # Last: it leaves `sum` shadowed for the cells after it.
    "built-in name used for a value": Mistake(
        'sum = areas["residents"].sum()\nsum([1, 2])', "TypeError",
        ["把内置函数的名字 <code>sum</code> 用作了变量名", "<code>del sum</code>"],
        ["You used the built-in function's name <code>sum</code>"],
    ),
}  # fmt: skip
# Left exactly as IPython shows them: a failing check (AssertionError) and errors we do not explain.
# An exception that renders itself (as shequlab.checks' CheckFailed does) keeps its rendering.
OWN_RENDERING = """
class Rendered(KeyError):
    def _render_traceback_(self):
        return ["练习 1 没有通过 / exercise 1 failed"]
raise Rendered("residents_60")
"""
UNTOUCHED = {
    "failing check": ('assert len(areas) == 18, "areas 应有 17 行 / 17 rows"', "AssertionError"),
    "unexplained error": ("1 / 0", "ZeroDivisionError"),
    "error that renders itself": (OWN_RENDERING, "Rendered"),
}


NAMES = [*MISTAKES, *UNTOUCHED]
SOURCES = [SETUP] + [MISTAKES[n].source if n in MISTAKES else UNTOUCHED[n][0] for n in NAMES]


def run_mistakes(folder: Path, specs: KernelSpecManager) -> dict[str, NotebookNode]:
    ran = run_cells(SOURCES, module_folder(folder), specs)
    assert not ran[0].outputs, ran[0].outputs  # the set-up cell runs cleanly
    return dict(zip(NAMES, ran[1:], strict=True))


@pytest.fixture(scope="module")
def cells(tmp_path_factory: pytest.TempPathFactory) -> dict[str, NotebookNode]:
    return run_mistakes(tmp_path_factory.mktemp("onb-01"), FriendlyKernelSpecManager())


@pytest.mark.parametrize("name", list(MISTAKES))
def test_mistake_shows_a_bilingual_fix_and_keeps_the_error(name: str, cells) -> None:
    mistake, cell = MISTAKES[name], cells[name]
    box = friendly_box(cell)
    assert box is not None, f"no explanation for {name}: {cell.outputs}"
    html, plain = box.data["text/html"], box.data["text/plain"]
    failed = cells["cell that failed"].execution_count
    expected_zh = [s.format(failed=failed) for s in mistake.zh]
    expected_en = [s.format(failed=failed) for s in mistake.en]
    for text in expected_zh + expected_en:
        assert text in html, f"{name}: {text!r} not in\n{html}"
    assert max(html.index(t) for t in expected_zh[:1]) < min(html.index(t) for t in expected_en), (
        "Chinese comes first"
    )
    # The full traceback is one click away (HTML) and in the text fallback.
    assert "<details><summary>完整的错误信息" in html
    assert f"{mistake.ename}: " in html.split("<details>")[1]
    assert f"{mistake.ename}: " in plain and plain.startswith("⚠ ")
    # The error output is Python's own, after the box: same ename, as nbgrader reads it.
    error = error_of(cell)
    assert error.ename == mistake.ename
    assert cell.outputs.index(box) < cell.outputs.index(error)
    if not mistake.ename.endswith(("SyntaxError", "IndentationError")):
        assert len(error.traceback) == 1, "the long traceback is folded into the box"


@pytest.mark.parametrize("name", list(UNTOUCHED))
def test_checks_and_unexplained_errors_are_left_as_they_are(name: str, cells) -> None:
    cell = cells[name]
    assert friendly_box(cell) is None
    error = error_of(cell)
    assert error.ename == UNTOUCHED[name][1]
    if name == "error that renders itself":
        assert error.traceback == ["练习 1 没有通过 / exercise 1 failed"]
    else:
        assert len(error.traceback) > 1, "the full traceback, as IPython shows it"


def test_a_failed_cell_is_named_by_its_number(cells) -> None:
    """The NameError's advice points at the cell whose failure left the name undefined."""
    failed = cells["cell that failed"]
    box = friendly_box(cells["name from the cell that failed"])
    assert failed.execution_count and f"[{failed.execution_count}]" in box.data["text/plain"]


def test_kernel_start_loads_only_the_extension_module(tmp_path: Path) -> None:
    """Loading the extension imports no explanation code (nor pandas, difflib, ast) until the
    first error: kernel start stays as fast as before."""
    probe = (
        "import sys\n"
        "print(sorted(m for m in sys.modules if m.startswith('shequlab')))\n"
        "print([m for m in ('difflib', 'pandas') if m in sys.modules])"
    )
    (cell,) = run_cells([probe], tmp_path, FriendlyKernelSpecManager())
    out = "".join(o.get("text", "") for o in cell.outputs)
    assert out.splitlines() == ["['shequlab', 'shequlab.friendly']", "[]"], out


def test_grades_are_those_of_a_plain_kernel(cells, tmp_path: Path) -> None:
    """Were a graded cell run in a friendly kernel, nbgrader would score it as in the plain
    kernel that nbgrader starts: the same error (ename, evalue) and the same points."""
    plain = run_mistakes(tmp_path, KernelSpecManager())
    for name in NAMES:
        assert friendly_box(plain[name]) is None, "the plain kernel explains nothing"
        ours, theirs = error_of(cells[name]), error_of(plain[name])
        assert (ours.ename, ours.evalue) == (theirs.ename, theirs.evalue), name
        grades = []
        for cell in (cells[name], plain[name]):
            cell.metadata["nbgrader"] = {
                "grade": True,
                "solution": False,
                "points": 2,
                "grade_id": "t",
            }
            grades.append(determine_grade(cell))
        assert grades[0] == grades[1] == (0, 2), name
