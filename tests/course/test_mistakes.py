"""`shequlab course check --mistakes`: shares of unseen mistakes caught, on the fixture module."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from course.fixture_course import CHECKS, MODULE, write_fixture_root
from shequlab.cli import app
from shequlab.course.mistakes import failures, load_mistakes, measure_mistakes

# None of these is in the fixture's wrong_answers.yml, so none is sealed as a known wrong value.
MISTAKES = [
    {  # both parts catch it
        "grade_id": "total_households",
        "description": {"zh": "取了最大值", "en": "takes the largest area's households"},
        "code": 'total_households = int(areas["households"].max())',
    },
    {  # the visible check wants an integer; the hidden 600.0 == 600 lets it through
        "grade_id": "total_households",
        "description": {"zh": "小数", "en": "a float total"},
        "code": 'total_households = float(areas["households"].sum())',
    },
    {  # the visible check strips text before hashing, the hidden test compares exactly
        "grade_id": "largest_area",
        "description": {"zh": "名字带空格", "en": "the name with spaces around it"},
        "code": 'largest_area = " 东苑 "',
    },
    {  # both catch it
        "grade_id": "largest_area",
        "description": {"zh": "取了第二大的", "en": "takes the second largest"},
        "code": 'largest_area = areas.sort_values("households").iloc[-2]["name"]',
    },
    {  # the answer cell raises: scores zero, counted as caught by both
        "grade_id": "largest_area",
        "description": {"zh": "列名拼错", "en": "misspelt column"},
        "code": 'largest_area = areas.sort_values("household").iloc[-1]["name"]',
    },
]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_fixture_root(tmp_path / "project", checks=CHECKS)


def test_shares_and_misses_from_a_folder(root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "heldout"
    folder.mkdir()
    (folder / f"{MODULE}.yml").write_text(yaml.safe_dump(MISTAKES, allow_unicode=True), "utf-8")
    [result] = measure_mistakes(folder, root=root, console=Console(quiet=True))
    assert result.error == ""
    assert result.solution_fails == []
    assert result.total == 5
    assert result.caught == {"visible": 4, "hidden": 4}
    assert result.answer_raises == 1
    assert result.missed["visible"] == ["largest_area: 名字带空格 / the name with spaces around it"]
    assert result.missed["hidden"] == ["total_households: 小数 / a float total"]
    assert failures([result], None, None) == []
    assert failures([result], 0.8, 0.8) == []
    assert failures([result], 0.9, None) == [f"{MODULE}: visible 80% < 90%"]


def test_cli_with_one_file_and_thresholds(root: Path, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "mistakes.yml"
    entries = [{**e, "module": MODULE} for e in MISTAKES[:3]]
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.setenv("SHEQULAB_ROOT", str(root))
    result = CliRunner().invoke(
        app, ["course", "check", "--mistakes", str(path), "--min-hidden", "0.9", "-j", "1"]
    )
    assert result.exit_code == 1, result.output
    assert "2/3 (67%)" in result.output  # visible: the padded name passes; hidden: the float
    assert "visible missed — onb-99-fixture — largest_area" in result.output
    assert f"FAIL {MODULE}: hidden 67% < 90%" in result.output


def test_bad_mistakes_files(root: Path, tmp_path: Path) -> None:
    unknown = tmp_path / "onb-77-nowhere.yml"
    unknown.write_text(yaml.safe_dump(MISTAKES[:1]), encoding="utf-8")
    with pytest.raises(ValueError, match="no such module: onb-77-nowhere"):
        measure_mistakes(unknown, root=root, console=Console(quiet=True))
    assert load_mistakes(unknown) == {"onb-77-nowhere": MISTAKES[:1]}
    with pytest.raises(ValueError, match="no such file or folder"):
        load_mistakes(tmp_path / "missing")
    empty = tmp_path / "empty.yml"
    empty.write_text("[]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="non-empty list"):
        load_mistakes(empty)
    bad = tmp_path / f"{MODULE}.yml"
    bad.write_text(yaml.safe_dump([{**MISTAKES[0], "grade_id": "first_visit"}]), "utf-8")
    [result] = measure_mistakes(bad, root=root, console=Console(quiet=True))
    assert "'first_visit' is no auto exercise" in result.error
    assert failures([result], None, None) == [f"{MODULE}: {result.error}"]
