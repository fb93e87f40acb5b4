"""`grade collect --zip`: notebooks gathered offline matched to trainees by id or Chinese name,
GBK file names from Chinese Windows zips, duplicates and strangers kept aside, never dropped."""

from __future__ import annotations

import zipfile
from pathlib import Path

import nbformat
import pytest

from shequlab.grading.collect import collect_zip
from shequlab.grading.roster import import_roster

MODULE = "m1"
ROSTER = "学号,姓名,期次,项目\nt001,张三,2026春,onboarding\nt002,李四,2026春,onboarding\n"


def _course(tmp_path: Path, notebooks: list[str]) -> Path:
    course = tmp_path / "course"
    (course / "source" / MODULE).mkdir(parents=True)
    (course / "nbgrader_config.py").write_text("c = get_config()\n", encoding="utf-8")
    for nb in notebooks:
        nbformat.write(nbformat.v4.new_notebook(), course / "source" / MODULE / f"{nb}.ipynb")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    import_roster(course, tmp_path / "roster.csv")
    return course


def _notebook(text: str) -> bytes:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(text)])
    return nbformat.writes(nb).encode("utf-8")


def _zip(path: Path, entries: dict[str, bytes], gbk: dict[str, str] | None = None) -> Path:
    """A zip; `gbk` maps an ASCII placeholder name to the Chinese name stored as GBK bytes
    without the UTF-8 flag, as Windows' "send to compressed folder" does on a Chinese system."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    raw = path.read_bytes()
    for placeholder, chinese in (gbk or {}).items():
        encoded = chinese.encode("gbk")
        assert len(encoded) == len(placeholder.encode())
        raw = raw.replace(placeholder.encode(), encoded)
    path.write_bytes(raw)
    return path


def test_zip_names_by_id_chinese_name_and_gbk(tmp_path: Path) -> None:
    course = _course(tmp_path, ["exercises"])
    archive = _zip(
        tmp_path / "作业.zip",
        {
            "作业/t001_exercises.ipynb": _notebook("# by id"),
            "XXXX.ipynb": _notebook("# by gbk name"),
            "__MACOSX/._t001_exercises.ipynb": b"junk",
            ".ipynb_checkpoints/t002-checkpoint.ipynb": b"junk",
        },
        gbk={"XXXX.ipynb": "李四.ipynb"},
    )
    result = collect_zip(course, MODULE, archive)
    assert result.matched == {"作业/t001_exercises.ipynb": "t001", "李四.ipynb": "t002"}
    assert result.unmatched == []
    one = nbformat.read(course / "submitted" / "t001" / MODULE / "exercises.ipynb", 4)
    two = nbformat.read(course / "submitted" / "t002" / MODULE / "exercises.ipynb", 4)
    assert (one.cells[0].source, two.cells[0].source) == ("# by id", "# by gbk name")
    assert (course / "submitted" / "t002" / MODULE / "timestamp.txt").is_file()


def test_duplicates_and_strangers_are_kept_aside(tmp_path: Path) -> None:
    course = _course(tmp_path, ["exercises"])
    archive = _zip(
        tmp_path / "batch.zip",
        {
            "张三的作业.ipynb": _notebook("# first"),
            "t001-again.ipynb": _notebook("# second"),
            "王五.ipynb": _notebook("# not on the roster"),
        },
    )
    result = collect_zip(course, MODULE, archive)
    assert result.matched == {"张三的作业.ipynb": "t001"}
    unmatched = course / "submitted-unmatched" / MODULE
    assert sorted(p.name for p in unmatched.iterdir()) == ["t001-again.ipynb", "王五.ipynb"]
    assert any("second notebook for t001" in line for line in result.unmatched)
    assert any("no trainee id or name" in line for line in result.unmatched)
    kept = nbformat.read(course / "submitted" / "t001" / MODULE / "exercises.ipynb", 4)
    assert kept.cells[0].source == "# first"


def test_several_notebooks_are_matched_by_file_name(tmp_path: Path) -> None:
    course = _course(tmp_path, ["problem1", "problem2"])
    archive = _zip(
        tmp_path / "ps.zip",
        {
            "t001/problem1.ipynb": _notebook("# p1"),
            "t001/problem2.ipynb": _notebook("# p2"),
            "t002/notes.ipynb": _notebook("# neither"),
        },
    )
    result = collect_zip(course, MODULE, archive)
    assert set(result.matched) == {"t001/problem1.ipynb", "t001/problem2.ipynb"}
    folder = course / "submitted" / "t001" / MODULE
    assert sorted(p.name for p in folder.glob("*.ipynb")) == ["problem1.ipynb", "problem2.ipynb"]
    assert result.unmatched == ["t002/notes.ipynb: not one of problem1, problem2"]


def test_an_unbuilt_module_is_an_expected_error(tmp_path: Path) -> None:
    from shequlab.layout.course import NotBuiltError

    course = _course(tmp_path, [])
    archive = _zip(tmp_path / "early.zip", {"t001.ipynb": _notebook("")})
    with pytest.raises(NotBuiltError, match="course build"):
        collect_zip(course, MODULE, archive)
