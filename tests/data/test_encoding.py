"""Tests for shequlab.data.encoding: which bytes are accepted, and how a refusal says to re-save."""

from __future__ import annotations

from pathlib import Path

import pytest

from shequlab.data.encoding import TableEncodingError, read_table_text


def test_read_table_text_recognises_encodings(tmp_path: Path) -> None:
    text = "area_id,area_name\nA01,新华一村\n"
    cases = {"u8.csv": text.encode(), "sig.csv": text.encode("utf-8-sig")}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    assert read_table_text(tmp_path / "u8.csv") == read_table_text(tmp_path / "u8.csv")
    assert read_table_text(tmp_path / "u8.csv").encoding == "utf-8"
    sig = read_table_text(tmp_path / "sig.csv")
    assert (sig.encoding, sig.text) == ("utf-8-sig", text)
    (tmp_path / "gbk.csv").write_bytes(text.encode("gbk"))
    assert read_table_text(tmp_path / "gbk.csv", allow_gbk=True).text == text
    bad = {
        "gbk.csv": "wrong-encoding",
        "x.csv": "excel-workbook",
        "u16.csv": "utf16-encoding",
        "latin.csv": "unknown-encoding",
    }
    (tmp_path / "x.csv").write_bytes(b"PK\x03\x04rest-of-a-zip")
    (tmp_path / "u16.csv").write_bytes(text.encode("utf-16"))
    (tmp_path / "latin.csv").write_bytes(b"a,b\n1,caf\xe9\xff\n")
    for name, code in bad.items():
        with pytest.raises(TableEncodingError) as caught:
            read_table_text(tmp_path / name)
        assert caught.value.code == code
        assert "CSV UTF-8" in caught.value.message_zh and "CSV UTF-8" in caught.value.message_en
    with pytest.raises(TableEncodingError, match="line 2"):
        read_table_text(tmp_path / "latin.csv")
