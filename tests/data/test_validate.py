"""Tests for shequlab.data.validate: each kind of bad input is located and explained bilingually."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shequlab.cli import app
from shequlab.data.validate import (
    Problem,
    ValidationUsageError,
    validate_file,
    validate_package,
)
from shequlab.layout.project import datasets_dir

# --- A mini package: areas ← orders, areas ← workers ------------------------------------------


def _field(name, type_, zh, en, **constraints):
    spec = {"name": name, "type": type_, "title": zh, "title_en": en}
    if constraints:
        spec["constraints"] = constraints
    return spec


def _resource(name, zh, en, fields, primary_key, foreign_keys=()):
    schema = {"fields": fields, "missingValues": [""], "primaryKey": primary_key}
    if foreign_keys:
        schema["foreignKeys"] = [
            {"fields": [col], "reference": {"resource": ref, "fields": [ref_col]}}
            for col, ref, ref_col in foreign_keys
        ]
    return {
        "name": name,
        "path": f"{name}.csv",
        "format": "csv",
        "encoding": "utf-8",
        "title": zh,
        "title_en": en,
        "description": f"{zh} / {en}",
        "schema": schema,
    }


DESCRIPTOR = {
    "name": "mini",
    "resources": [
        _resource(
            "areas",
            "小区",
            "Residential areas",
            [
                _field(
                    "area_id", "string", "小区编号", "Area id", required=True, pattern=r"A\d{2}"
                ),
                _field("area_name", "string", "小区名称", "Area name", required=True),
                _field("households", "integer", "户数", "Households", minimum=0, maximum=5000),
            ],
            ["area_id"],
        ),
        _resource(
            "orders",
            "热线工单",
            "Hotline orders",
            [
                _field("order_id", "integer", "工单号", "Order id", required=True),
                _field("area_id", "string", "小区编号", "Area id", required=True),
                _field(
                    "category",
                    "string",
                    "类别",
                    "Category",
                    required=True,
                    enum=[
                        "噪声",
                        "垃圾",
                        "停车",
                        "绿化",
                        "群租",
                        "漏水",
                        "养宠",
                        "设施",
                        "其他诉求",
                        "装修",
                    ],
                ),
                _field("opened", "date", "受理日期", "Opened on", required=True),
                _field("resolved", "boolean", "已解决", "Resolved"),
                _field("satisfaction", "integer", "满意度", "Satisfaction", minimum=1, maximum=5),
            ],
            ["order_id"],
            [("area_id", "areas", "area_id")],
        ),
        _resource(
            "workers",
            "社工",
            "Social workers",
            [
                _field("worker_id", "string", "社工编号", "Worker id", required=True),
                _field("area_id", "string", "负责小区", "Area served"),
                _field("caseload", "integer", "在办个案", "Open cases", minimum=0),
                _field("weekly_hours", "number", "周工时", "Weekly hours", maximum=60),
            ],
            ["worker_id"],
            [("area_id", "areas", "area_id")],
        ),
    ],
}

GOOD = {
    "areas": ["area_id,area_name,households", "A01,新华一村,300", "A02,新华二村,450"],
    "orders": [
        "order_id,area_id,category,opened,resolved,satisfaction",
        "1,A01,噪声,2016-01-04,true,5",
        "2,A02,垃圾,2016-02-11,false,",
        "3,A01,停车,2016-03-15,true,4",
    ],
    "workers": ["worker_id,area_id,caseload,weekly_hours", "W001,A01,12,40", "W002,,0,37.5"],
}


def write_package(folder: Path, **tables: list[str]) -> Path:
    """Write the mini package into `folder`; keyword arguments replace a table's lines."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in {**GOOD, **tables}.items():
        (folder / f"{name}.csv").write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    path = folder / "datapackage.json"
    path.write_text(json.dumps(DESCRIPTOR, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def orders_with(row: int, line: str) -> list[str]:
    """The good orders table with spreadsheet row `row` (header = 1) replaced by `line`."""
    lines = list(GOOD["orders"])
    lines[row - 1] = line
    return lines


def only(problems: list[Problem], code: str) -> Problem:
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, [str(p) for p in problems]
    return found[0]


def assert_bilingual(problem: Problem) -> None:
    assert re.search(r"[\u4e00-\u9fff]", problem.message_zh), problem
    assert re.search(r"[A-Za-z]{3}", problem.message_en), problem
    text = str(problem)
    assert problem.file in text and " / " in text


@pytest.fixture
def package(tmp_path: Path) -> Path:
    return write_package(tmp_path / "pkg")


# --- The whole package ------------------------------------------------------------------------


def test_clean_package_is_valid(package: Path) -> None:
    report = validate_package(package)
    assert report.ok, [str(p) for p in report.problems]
    assert report.tables == ["areas", "orders", "workers"]


CELL_CASES = [
    # (row, replacement line, code, column, Chinese fragment, English fragment)
    (
        2,
        "1,A01,噪声,2016-01-04,true,abc",
        "type-error",
        "satisfaction",
        "不是整数",
        "not an integer",
    ),
    (3, "2,A02,垃圾,2016-13-11,false,", "type-error", "opened", "不是日期", "not a date"),
    (3, "2,A02,垃圾,2016/2/11,false,", "type-error", "opened", "Excel", "YYYY-MM-DD"),
    (4, "3,A01,停车,2016-03-15,yes,4", "type-error", "resolved", "true 或 false", "boolean"),
    (2, "1,A01,,2016-01-04,true,5", "required", "category", "必填值缺失", "required value"),
    (4, "3,A01,失物,2016-03-15,true,4", "enum", "category", "噪声、垃圾", "allowed values"),
    (
        2,
        "1,A01,噪声,2016-01-04,true,7",
        "out-of-range",
        "satisfaction",
        "超出范围 1–5",
        "outside 1–5",
    ),
    (4, "3,A01,停车,2016-03-15,true,0", "out-of-range", "satisfaction", '值 "0"', 'value "0"'),
    (3, "2,A09,垃圾,2016-02-11,false,", "foreign-key", "area_id", "表 areas", "table areas"),
]


@pytest.mark.parametrize(("row", "line", "code", "column", "zh", "en"), CELL_CASES)
def test_cell_problem_is_located_and_bilingual(tmp_path, row, line, code, column, zh, en) -> None:
    report = validate_package(write_package(tmp_path, orders=orders_with(row, line)))
    problem = only(report.problems, code)
    assert (problem.file, problem.row, problem.column) == ("orders.csv", row, column)
    assert zh in problem.message_zh and en in problem.message_en
    assert_bilingual(problem)
    assert len(report.problems) == 1, [str(p) for p in report.problems]


@pytest.mark.parametrize(
    ("line", "column", "code", "zh", "en"),
    [
        ("W003,A01,-1,40", "caseload", "minimum", "小于最小值 0", "below the minimum 0"),
        ("W003,A01,1,60.5", "weekly_hours", "maximum", "大于最大值 60", "above the maximum 60"),
        ("W003,A01,1,forty", "weekly_hours", "type-error", "不是数字", "not a number"),
    ],
)
def test_one_sided_limits_and_numbers(tmp_path, line, column, code, zh, en) -> None:
    report = validate_package(write_package(tmp_path, workers=[*GOOD["workers"], line]))
    problem = only(report.problems, code)
    assert (problem.file, problem.row, problem.column) == ("workers.csv", 4, column)
    assert zh in problem.message_zh and en in problem.message_en


def test_enum_message_truncates_long_lists(tmp_path: Path) -> None:
    report = validate_package(
        write_package(tmp_path, orders=orders_with(2, "1,A01,失物,2016-01-04,true,5"))
    )
    problem = only(report.problems, "enum")
    assert "共 10 个" in problem.message_zh and "10 in total" in problem.message_en
    assert "装修" not in problem.message_zh


def test_titles_come_from_the_schema(tmp_path: Path) -> None:
    report = validate_package(
        write_package(tmp_path, orders=orders_with(2, "1,A01,噪声,2016-01-04,true,7"))
    )
    problem = only(report.problems, "out-of-range")
    assert problem.column_title == "满意度"
    assert str(problem).startswith("orders.csv 第 2 行, 列 satisfaction（满意度）: ")
    assert 'row 2, column satisfaction: value "7" is outside 1–5' in str(problem)


def test_pattern_violation(tmp_path: Path) -> None:
    areas = [*GOOD["areas"], "B7,新华三村,10"]
    problem = only(validate_package(write_package(tmp_path, areas=areas)).problems, "pattern")
    assert (problem.file, problem.row, problem.column) == ("areas.csv", 4, "area_id")
    assert "不符合格式" in problem.message_zh and "pattern" in problem.message_en


def test_duplicate_primary_key_names_both_rows(tmp_path: Path) -> None:
    orders = [*GOOD["orders"], "2,A01,绿化,2016-04-01,true,3"]
    report = validate_package(write_package(tmp_path, orders=orders))
    problem = only(report.problems, "duplicate-primary-key")
    assert (problem.row, problem.column) == (5, "order_id")
    assert "第 3 行" in problem.message_zh and "row 3" in problem.message_en
    assert 'order_id = "2"' in problem.message_en
    assert len(report.problems) == 1


def test_foreign_key_names_referenced_table_and_column(tmp_path: Path) -> None:
    workers = [*GOOD["workers"], "W003,A77,3,40"]
    problem = only(
        validate_package(write_package(tmp_path, workers=workers)).problems, "foreign-key"
    )
    assert (problem.file, problem.row, problem.column) == ("workers.csv", 4, "area_id")
    assert problem.column_title == "负责小区"
    assert "A77" in problem.message_zh and "小区（" not in problem.message_zh
    assert "列 area_id（小区编号）" in problem.message_zh
    assert "column area_id of table areas" in problem.message_en


def test_blank_row(tmp_path: Path) -> None:
    orders = [*GOOD["orders"][:2], "", *GOOD["orders"][2:]]
    report = validate_package(write_package(tmp_path, orders=orders))
    problem = only(report.problems, "blank-row")
    assert (problem.file, problem.row, problem.column) == ("orders.csv", 3, None)
    assert len(report.problems) == 1, "no echo of the blank row as an empty primary key"


def test_extra_and_missing_cells(tmp_path: Path) -> None:
    orders = orders_with(2, "1,A01,噪声,2016-01-04,true,5,多余")
    orders[2] = "2,A02,垃圾,2016-02-11,false"
    report = validate_package(write_package(tmp_path, orders=orders))
    extra, missing = only(report.problems, "extra-cell"), only(report.problems, "missing-cell")
    assert extra.row == 2 and "多余" in extra.message_zh and "position 7" in extra.message_en
    assert (missing.row, missing.column) == (3, "satisfaction")


# --- Header -----------------------------------------------------------------------------------

HEADER_CASES = [
    # (header line, code, column, Chinese fragment, English fragment)
    (
        "order_id,area_id,category,opened,satisfaction",
        "missing-column",
        "resolved",
        "缺少列",
        "missing",
    ),
    (
        "order_id,area_id,category,opened,resolved,satisfaction,remark",
        "extra-column",
        "remark",
        "未知列",
        "unknown column",
    ),
    (
        "order_id,area_id,category,opened,resolved,Satisfaction",
        "missing-column",
        "satisfaction",
        "大小写",
        "spelled differently",
    ),
    (
        "order_id,area_id,category,opened,resolved,resolved",
        "duplicate-column",
        "resolved",
        "出现了 2 次",
        "appears 2 times",
    ),
]


@pytest.mark.parametrize(("header", "code", "column", "zh", "en"), HEADER_CASES)
def test_header_problem(tmp_path, header, code, column, zh, en) -> None:
    names = header.split(",")
    full = dict(zip(GOOD["orders"][0].split(","), GOOD["orders"][1].split(","), strict=True))
    row = ",".join(full.get(n, full.get(n.lower(), "x")) for n in names)
    report = validate_package(write_package(tmp_path, orders=[header, row]))
    problem = only(report.problems, code)
    assert (problem.file, problem.row, problem.column) == ("orders.csv", 1, column)
    assert zh in problem.message_zh and en in problem.message_en
    assert_bilingual(problem)


def test_blank_column_name(tmp_path: Path) -> None:
    orders = [GOOD["orders"][0] + ",", GOOD["orders"][1] + ","]
    problem = only(
        validate_package(write_package(tmp_path, orders=orders)).problems, "blank-column-name"
    )
    assert (problem.row, problem.column) == (1, None)
    assert "第 7 列" in problem.message_zh and "header cell 7" in problem.message_en


def test_wrong_column_order_is_one_problem_and_cells_are_checked_by_name(tmp_path: Path) -> None:
    orders = [
        "area_id,order_id,category,opened,resolved,satisfaction",
        "A01,1,噪声,2016-01-04,true,5",
        "A02,2,垃圾,2016-02-11,false,9",
    ]
    report = validate_package(write_package(tmp_path, orders=orders))
    order = only(report.problems, "wrong-column-order")
    assert (order.row, order.column) == (1, None)
    assert "顺序" in order.message_zh and "out of order" in order.message_en
    value = only(report.problems, "out-of-range")
    assert (value.row, value.column) == (3, "satisfaction")
    assert len(report.problems) == 2, [str(p) for p in report.problems]


# --- Whole-file problems ------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    package = write_package(tmp_path)
    (tmp_path / "workers.csv").write_bytes(b"")
    problem = only(validate_package(package).problems, "empty-file")
    assert (problem.file, problem.row, problem.column) == ("workers.csv", None, None)
    assert_bilingual(problem)


def test_missing_table_file_and_unchecked_foreign_keys(tmp_path: Path) -> None:
    package = write_package(tmp_path)
    (tmp_path / "areas.csv").unlink()
    report = validate_package(package)
    missing = only(report.problems, "file-not-found")
    assert (missing.file, missing.row) == ("areas.csv", None)
    unchecked = [p for p in report.problems if p.code == "foreign-key-unchecked"]
    assert {p.file for p in unchecked} == {"orders.csv", "workers.csv"}
    assert len(report.problems) == 3, "other checks of orders/workers still run and pass"


def test_bom_in_own_table_is_a_problem(tmp_path: Path) -> None:
    package = write_package(tmp_path)
    path = tmp_path / "areas.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    problem = only(validate_package(package).problems, "bom")
    assert problem.file == "areas.csv" and "BOM" in problem.message_zh


def test_gbk_own_table_is_a_problem(tmp_path: Path) -> None:
    package = write_package(tmp_path)
    path = tmp_path / "areas.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    problem = only(validate_package(package).problems, "wrong-encoding")
    assert problem.file == "areas.csv" and "GBK" in problem.message_zh


def test_undescribed_csv_in_package_folder(tmp_path: Path) -> None:
    package = write_package(tmp_path)
    (tmp_path / "notes.csv").write_text("a\n1\n", encoding="utf-8")
    assert only(validate_package(package).problems, "undescribed-file").file == "notes.csv"


def test_unknown_table_and_missing_package_are_usage_errors(tmp_path: Path, package: Path) -> None:
    with pytest.raises(ValidationUsageError, match="no table nope"):
        validate_package(package, tables=["nope"])
    with pytest.raises(ValidationUsageError, match="not found"):
        validate_package(tmp_path / "missing" / "datapackage.json")


# --- External files and encodings ---------------------------------------------------------------


def export(tmp_path: Path, lines: list[str], *, encoding: str = "utf-8", name: str = "my.csv"):
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_external_file_checked_against_named_table(tmp_path: Path, package: Path) -> None:
    path = export(tmp_path, [*GOOD["orders"], "4,A05,噪声,2016-05-01,true,6"])
    report = validate_file(path, "orders", package)
    assert {p.code for p in report.problems} == {"foreign-key", "out-of-range"}
    assert all((p.file, p.row) == ("my.csv", 5) for p in report.problems)


def test_external_file_with_bom_is_fine(tmp_path: Path, package: Path) -> None:
    report = validate_file(
        export(tmp_path, GOOD["orders"], encoding="utf-8-sig"), "orders", package
    )
    assert report.ok, [str(p) for p in report.problems]
    assert any("BOM" in note for note in report.notes)


def test_gbk_export_is_refused_by_default(tmp_path: Path, package: Path) -> None:
    path = export(tmp_path, GOOD["orders"], encoding="gb18030")
    problem = only(validate_file(path, "orders", package).problems, "wrong-encoding")
    assert (problem.file, problem.row) == ("my.csv", None)
    assert "GBK" in problem.message_zh and "CSV UTF-8" in problem.message_zh
    assert "GBK" in problem.message_en and "CSV UTF-8" in problem.message_en


def test_gbk_export_accepted_when_allowed(tmp_path: Path, package: Path) -> None:
    good = export(tmp_path, GOOD["orders"], encoding="gb18030")
    report = validate_file(good, "orders", package, allow_gbk=True)
    assert report.ok, [str(p) for p in report.problems]
    assert any("GBK" in note for note in report.notes)
    bad = export(
        tmp_path, orders_with(3, "2,A02,失物,2016-02-11,false,"), encoding="gbk", name="b.csv"
    )
    problem = only(validate_file(bad, "orders", package, allow_gbk=True).problems, "enum")
    assert (problem.file, problem.row, problem.column) == ("b.csv", 3, "category")
    assert "失物" in problem.message_zh


def test_external_file_not_found(tmp_path: Path, package: Path) -> None:
    problem = only(
        validate_file(tmp_path / "gone.csv", "orders", package).problems, "file-not-found"
    )
    assert (problem.file, problem.row) == ("gone.csv", None)


def test_validation_leaves_files_byte_identical(tmp_path: Path) -> None:
    package = write_package(tmp_path / "pkg", orders=orders_with(2, "1,A09,失物,x,maybe,9"))
    (tmp_path / "pkg" / "areas.csv").write_bytes(b"\xef\xbb\xbf" + b"area_id,area_name\n")
    gbk = export(tmp_path, GOOD["orders"], encoding="gb18030")

    def snapshot() -> dict[str, str]:
        files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
        return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}

    before = snapshot()
    validate_package(package)
    validate_file(gbk, "orders", package, allow_gbk=True)
    validate_file(gbk, "orders", package)
    assert snapshot() == before


# --- The command --------------------------------------------------------------------------------

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["data", "validate", *args], env={"COLUMNS": "200"})


def test_cli_valid_package_exits_zero(package: Path) -> None:
    result = invoke("--package", str(package))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "✔ 全部 3 张表通过校验 / all 3 tables valid"


def test_cli_reports_problems_and_exits_one(tmp_path: Path) -> None:
    package = write_package(tmp_path, orders=orders_with(2, "1,A01,噪声,2016-01-04,true,7"))
    result = invoke("--package", str(package))
    assert result.exit_code == 1
    assert result.stdout.strip() == "✘ 发现 1 个问题 / 1 problems found"
    for text in ("orders.csv", "satisfaction", "满意度", "超出范围 1–5", "outside 1–5"):
        assert text in result.stderr


def test_cli_one_table_of_the_package(package: Path) -> None:
    result = invoke("--table", "workers", "--package", str(package))
    assert result.exit_code == 0, result.output
    assert "all 1 tables valid" in result.stdout


def test_too_many_problems_says_the_check_stopped(tmp_path: Path) -> None:
    rows = [f"{i},A01,噪声,2016-01-04,maybe,9" for i in range(1, 600)]
    report = validate_package(write_package(tmp_path, orders=[GOOD["orders"][0], *rows]))
    problem = only(report.problems, "incomplete")
    assert "之后的行未检查" in problem.message_zh and "later rows unchecked" in problem.message_en


def test_cli_caps_the_problem_table(tmp_path: Path) -> None:
    rows = [f"{i},A01,噪声,2016-01-04,true,9" for i in range(1, 61)]
    package = write_package(tmp_path, orders=[GOOD["orders"][0], *rows])
    result = invoke("--package", str(package))
    assert result.exit_code == 1
    assert "另有 10 个问题" in result.stderr and "and 10 more" in result.stderr
    assert "发现 60 个问题" in result.stdout


def test_cli_external_files(tmp_path: Path, package: Path) -> None:
    gbk = export(tmp_path, GOOD["orders"], encoding="gb18030")
    result = invoke(str(gbk), "--table", "orders", "--package", str(package))
    assert result.exit_code == 1 and "GBK" in result.stderr
    named = export(tmp_path, GOOD["orders"], name="orders.csv")
    result = invoke(str(named), "--package", str(package))
    assert result.exit_code == 0, result.output
    assert "all 1 tables valid" in result.stdout


@pytest.mark.parametrize(
    "args",
    [["my.csv"], ["my.csv", "--table", "nope"], ["--table", "nope"]],
    ids=["table-not-inferable", "unknown-table", "unknown-table-in-package"],
)
def test_cli_usage_errors_exit_two(tmp_path: Path, package: Path, args: list[str]) -> None:
    export(tmp_path, GOOD["orders"])
    args = [str(tmp_path / a) if a.endswith(".csv") else a for a in args]
    result = invoke(*args, "--package", str(package))
    assert result.exit_code == 2
    assert "--table" in result.stderr or "nope" in result.stderr


def test_cli_missing_package_exits_two(tmp_path: Path) -> None:
    result = invoke("--package", str(tmp_path / "datapackage.json"))
    assert result.exit_code == 2 and "not found" in result.stderr


def test_cli_invalid_descriptor_exits_two(tmp_path: Path) -> None:
    package = write_package(tmp_path)
    broken = json.loads(package.read_text(encoding="utf-8"))
    broken["resources"][0]["schema"]["fields"][0]["type"] = "text"
    package.write_text(json.dumps(broken), encoding="utf-8")
    result = invoke("--package", str(package))
    assert result.exit_code == 2
    assert "无效" in result.stderr and "invalid package descriptor" in result.stderr


def test_installed_command(tmp_path: Path) -> None:
    package = write_package(tmp_path, workers=[*GOOD["workers"], "W003,A77,3,40"])
    command = Path(sys.executable).with_name("shequlab")
    done = subprocess.run(
        [str(command), "data", "validate", "--package", str(package)],
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.strip() == "✘ 发现 1 个问题 / 1 problems found"
    assert "workers.csv" in done.stderr and "A77" in done.stderr


# --- The real dataset -----------------------------------------------------------------------------

REAL = datasets_dir() / "datapackage.json"
needs_real = pytest.mark.skipif(not REAL.exists(), reason="datasets/ not generated yet")


@needs_real
def test_real_package_is_valid() -> None:
    report = validate_package(REAL)
    assert report.ok, "\n".join(str(p) for p in report.problems[:20])
    assert len(report.tables) == len(json.loads(REAL.read_text(encoding="utf-8"))["resources"])


@needs_real
def test_corrupted_foreign_key_in_real_table_is_found(tmp_path: Path) -> None:
    shutil.copytree(REAL.parent, tmp_path / "datasets")
    package = tmp_path / "datasets" / "datapackage.json"
    child, column, ref, row, bad = _pick_foreign_key_to_break(package)
    path = package.parent / child["path"]
    records = _records(path)
    records[row - 1][records[0].index(column)] = bad
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows(records)

    report = validate_package(package)
    assert [(p.file, p.row, p.column, p.code) for p in report.problems] == [
        (path.name, row, column, "foreign-key")
    ], [str(p) for p in report.problems]
    assert f"表 {ref}" in report.problems[0].message_zh
    assert f"table {ref}" in report.problems[0].message_en


def _records(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _pick_foreign_key_to_break(package: Path):
    """A child table, one of its one-column foreign keys (not in its primary key, not an enum),
    a data row (spreadsheet numbering) and a value that fits the column but matches no key."""
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    for child in descriptor["resources"]:
        schema = child["schema"]
        for fk in schema.get("foreignKeys", []):
            column, ref = fk["fields"][0], fk["reference"]["resource"]
            spec = next(f for f in schema["fields"] if f["name"] == column)
            if (
                len(fk["fields"]) != 1
                or not ref
                or column in schema.get("primaryKey", [])
                or "enum" in spec.get("constraints", {})
            ):
                continue
            parent = _records(package.parent / resources[ref]["path"])
            ref_col = parent[0].index(fk["reference"]["fields"][0])
            keys = {record[ref_col] for record in parent[1:]}
            records = _records(package.parent / child["path"])
            col = records[0].index(column)
            for row, record in enumerate(records[1:], start=2):
                bad = _unused_like(record[col], keys, spec) if record[col] else None
                if bad is not None:
                    return child, column, ref, row, bad
    pytest.skip("no one-column, non-enum foreign key whose value can be bent out of range")


def _unused_like(value: str, keys: set[str], spec: dict) -> str | None:
    """`value` with its last digits changed so it still fits the column but is no key."""
    limits = spec.get("constraints", {})
    for width in (1, 2, 3, 4):
        for digit in "987654321":
            candidate = re.sub(rf"\d{{{width}}}(?=\D*$)", digit * width, value)
            if candidate in keys or candidate == value:
                continue
            if "pattern" in limits and not re.fullmatch(limits["pattern"], candidate):
                continue
            if spec["type"] == "integer" and not (
                limits.get("minimum", -(10**18)) <= int(candidate) <= limits.get("maximum", 10**18)
            ):
                continue
            return candidate
    return None
