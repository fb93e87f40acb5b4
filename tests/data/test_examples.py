"""The example survey exports: reproducible, same answers in both files, fake identifiers only."""

from __future__ import annotations

import filecmp
import ipaddress
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from shequlab.data import examples
from shequlab.data.examples import needs_survey, project_eval
from shequlab.data.generate import build_tables
from shequlab.layout.project import datasets_dir

COMMITTED = datasets_dir() / examples.FOLDER
DOCUMENTATION_NETS = [
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
]


@pytest.fixture(scope="module")
def ctx():
    return build_tables()


@pytest.fixture(scope="module")
def written(ctx, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("examples")
    examples.write_examples(ctx, folder)
    return folder


def test_committed_examples_are_exactly_what_the_generator_makes(written: Path) -> None:
    names = list(examples.EXAMPLE_FILES)
    assert sorted(p.name for p in written.iterdir()) == sorted(names)
    _, mismatch, errors = filecmp.cmpfiles(written, COMMITTED, names, shallow=False)
    assert not mismatch and not errors, "run `shequlab data generate`"


def test_a_second_run_writes_the_same_bytes(ctx, written: Path, tmp_path: Path) -> None:
    examples.write_examples(ctx, tmp_path)
    _, mismatch, errors = filecmp.cmpfiles(
        written, tmp_path, list(examples.EXAMPLE_FILES), shallow=False
    )
    assert not mismatch and not errors


def test_the_gbk_csv_holds_the_workbook_s_answers_as_excel_saves_them() -> None:
    raw = (COMMITTED / examples.NEEDS_SURVEY_GBK_CSV).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert b"\r\n" in raw and not raw.startswith(b"\xef\xbb\xbf")
    csv = pd.read_csv(COMMITTED / examples.NEEDS_SURVEY_GBK_CSV, encoding="gbk", dtype=str)
    book = pd.read_excel(COMMITTED / examples.NEEDS_SURVEY_XLSX, dtype=str, engine="openpyxl")
    assert list(csv.columns) == list(book.columns) == needs_survey.HEADER
    assert len(csv) == needs_survey.N
    pd.testing.assert_frame_equal(csv.fillna(""), book.fillna(""))


def test_needs_survey_areas_are_the_sample_data_s(ctx) -> None:
    book = pd.read_excel(COMMITTED / examples.NEEDS_SURVEY_XLSX, dtype=str, engine="openpyxl")
    assert set(book["1、您居住的居民区："]) <= set(ctx["residential_areas"]["name"])
    assert book["1、您居住的居民区："].nunique() == 17


def test_personal_data_in_the_examples_is_fake() -> None:
    book = pd.read_excel(COMMITTED / examples.NEEDS_SURVEY_XLSX, dtype=str, engine="openpyxl")
    text = book.to_csv(index=False)
    mobiles = re.findall(r"(?<!\d)1\d{10}(?!\d)", text)
    assert mobiles and all(m.startswith("100") for m in mobiles)
    for name in examples.EXAMPLE_FILES:
        if name.endswith(".xlsx"):
            ips = pd.read_excel(COMMITTED / name, dtype=str, engine="openpyxl")[
                "来自IP"
            ].str.extract(r"^([\d.]+)")[0]
            for ip in ips:
                assert any(ipaddress.ip_address(ip) in net for net in DOCUMENTATION_NETS), ip


def test_pre_post_waves_match_by_key_with_dropouts_and_late_joiners() -> None:
    pre = pd.read_excel(COMMITTED / examples.PROJECT_EVAL_PRE, dtype=str, engine="openpyxl")[
        "1、参与者编号："
    ]
    post = pd.read_excel(COMMITTED / examples.PROJECT_EVAL_POST, dtype=str, engine="openpyxl")[
        "1、参与者编号："
    ]
    assert (len(pre), len(post)) == (
        project_eval.N_PRE,
        project_eval.N_STAYED + project_eval.N_JOINED,
    )
    assert len(set(pre) & set(post)) == project_eval.N_STAYED
    assert pre.is_unique and post.is_unique


def test_workbook_bytes_do_not_depend_on_lxml_being_installed() -> None:
    """openpyxl writes XML with lxml when it can, differently: the parts are canonicalised."""
    script = (
        "import sys, hashlib; from shequlab.data.examples.workbook import workbook_bytes; "
        "b = workbook_bytes(['序号', '1、性别'], [[1, '女'], [2, '(空)']], 'Sheet1'); "
        "sys.stdout.write(hashlib.sha256(b).hexdigest())"
    )
    digests = {
        flag: subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "OPENPYXL_LXML": flag},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        for flag in ("True", "False")
    }
    assert digests["True"] == digests["False"] and len(digests["True"]) == 64
