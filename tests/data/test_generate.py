"""The generator: byte-for-byte determinism, atomic writes, and the committed data it made."""

from __future__ import annotations

import filecmp
import json
import shutil
from pathlib import Path

import pytest

from shequlab.data import generate
from shequlab.data.generate import TABLES, generate_all
from shequlab.layout.project import datasets_dir

COMMITTED = datasets_dir()


def _data_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.suffix in (".csv", ".json", ".md"))


def test_regenerating_gives_identical_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    generate_all(a, progress=False)
    generate_all(b, progress=False)
    names = _data_files(a)
    assert names == _data_files(b)
    assert len(names) == len(TABLES) + 2  # the CSVs, datapackage.json and the data card
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert not mismatch and not errors


def test_committed_datasets_are_exactly_what_the_generator_makes(tmp_path: Path) -> None:
    shutil.copy(COMMITTED / "README.md", tmp_path / "README.md")  # the card's hand-written prose
    generate_all(tmp_path, progress=False)
    names = _data_files(tmp_path)
    assert set(names) <= set(_data_files(COMMITTED)), "run `shequlab data generate`"
    _, mismatch, errors = filecmp.cmpfiles(tmp_path, COMMITTED, names, shallow=False)
    assert not mismatch and not errors, f"stale committed tables: {mismatch + errors}"


def test_data_card_keeps_its_prose_and_lists_every_table(tmp_path: Path) -> None:
    card = (COMMITTED / "README.md").read_text(encoding="utf-8")
    assert "全部为虚构的合成数据" in card and "Patterns planted for teaching" in card
    for t in TABLES:
        assert f"### `{t.name}`" in card, t.name
    (tmp_path / "README.md").write_text("# my card\n\nhand-written prose\n", encoding="utf-8")
    generate_all(tmp_path, progress=False)
    regenerated = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert regenerated.startswith("# my card\n\nhand-written prose\n")
    assert regenerated.count("BEGIN GENERATED TABLES") == 1
    generate_all(tmp_path, progress=False)  # a second run replaces, never appends
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == regenerated


def test_a_failing_run_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate_all(tmp_path, progress=False)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    def broken(ctx):  # a step that fails after earlier steps succeeded
        raise RuntimeError("boom")

    steps = list(generate.STEPS)
    name, _step, tables = steps[-1]
    monkeypatch.setattr(generate, "STEPS", [*steps[:-1], (name, broken, tables)])
    with pytest.raises(RuntimeError):
        generate_all(tmp_path, progress=False)
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before


def test_a_table_missing_a_column_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    ctx = generate.build_tables()
    table = generate.TABLE_BY_NAME["tiers"]
    with pytest.raises(ValueError, match="level_max"):
        generate.to_csv_text(ctx["tiers"].drop(columns="level_max"), table)


def test_csv_format_is_plain_utf8_with_lf_and_lowercase_booleans() -> None:
    raw = (COMMITTED / "hotline_orders.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no BOM"
    assert b"\r\n" not in raw
    text = raw.decode("utf-8")
    assert ",true," in text and ",True," not in text


def test_datapackage_describes_every_table_and_column_bilingually() -> None:
    pkg = json.loads((COMMITTED / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in pkg["resources"]] == [t.name for t in TABLES]
    for res in pkg["resources"]:
        assert res["title"] and res["title_en"] and " / " in res["description"], res["name"]
        assert res["schema"]["primaryKey"], res["name"]
        header = (COMMITTED / res["path"]).read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == [f["name"] for f in res["schema"]["fields"]]
        for f in res["schema"]["fields"]:
            assert f.get("title") and f.get("title_en"), (res["name"], f["name"])


def test_datasets_folder_stays_small() -> None:
    total = sum(p.stat().st_size for p in COMMITTED.iterdir() if p.is_file())
    assert total <= 10 * 1024 * 1024
