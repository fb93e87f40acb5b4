"""shequlab.checks: values verified by fingerprint, typed hints, known misconceptions named."""

from __future__ import annotations

import pandas as pd
import pytest

from shequlab.checks import CheckFailed, CheckNotSealed, check, core, guard, render
from shequlab.checks.normalise import fingerprint


@pytest.fixture
def shown(monkeypatch) -> list[dict[str, str]]:
    """The bundles check() displays (instead of printing them)."""
    bundles: list[dict[str, str]] = []
    monkeypatch.setattr(render, "show", bundles.append)
    return bundles


def seal(name: str, right, wrong: dict | None = None, **spec) -> dict:
    return {
        "ok": fingerprint(name, right, **spec),
        "wrong": {fingerprint(name, v, **spec): d for v, d in (wrong or {}).items()},
    }


def test_right_value_passes_with_a_bilingual_line(shown) -> None:
    check("rate", 0.9713, exercise=3, kind="fraction", seal=seal("rate", 0.9713))
    [bundle] = shown
    assert "✔ 练习 3 通过" in bundle["text/plain"] and "Exercise 3 passed" in bundle["text/plain"]
    assert "<div" in bundle["text/html"]


def test_float_noise_passes_but_a_rounded_value_fails(shown) -> None:
    sealed = seal("rate", 0.97134567)
    check("rate", 0.97134567 + 1e-12, exercise=3, seal=sealed)
    with pytest.raises(CheckFailed):
        check("rate", 0.97, exercise=3, seal=sealed)


def test_wrong_value_fails_with_box_hint_and_one_line_error(shown) -> None:
    with pytest.raises(CheckFailed) as info:
        check(
            "rate",
            0.5,
            exercise=3,
            kind="fraction",
            seal=seal("rate", 0.9713),
            hint=("分母是全部工单", "divide by all orders"),
        )
    [bundle] = shown
    assert "✘ 练习 3" in bundle["text/plain"] and "divide by all orders" in bundle["text/plain"]
    assert "<details" in bundle["text/html"]  # the technical detail is one click away
    assert "0.9713" not in bundle["text/html"]  # the answer is not given away
    [line] = info.value._render_traceback_()
    assert line.startswith("CheckFailed: ✘ 练习 3")


def test_known_misconception_is_named(shown) -> None:
    sealed = seal("rate", 0.9, wrong={0.75: ["分母里包含了未评价的工单", "unrated orders counted"]})
    with pytest.raises(CheckFailed):
        check("rate", 0.75, exercise=5, kind="fraction", seal=sealed)
    assert "分母里包含了未评价的工单" in shown[0]["text/plain"]
    assert "unrated orders counted" in shown[0]["text/html"]


@pytest.mark.parametrize(
    ("value", "kind", "words"),
    [
        (97.1, "fraction", "percentage"),
        (7000, "fraction", "count"),
        ("7000", "integer", "whole number"),
        (3.5, "integer", "whole number"),
        (pd.Series([True, False]), "table", "True/False"),
        (pd.DataFrame({"a": [1]}), "series", "Series"),
        (3, "text", "text"),
    ],
)
def test_wrong_type_gets_a_typed_message(shown, value, kind, words) -> None:
    with pytest.raises(CheckFailed):
        check("x", value, exercise=1, kind=kind, seal=seal("x", "anything"))
    assert words in shown[0]["text/plain"]


def test_wrong_length_and_order_messages(shown) -> None:
    right = pd.Series([0.1, 0.5], index=["a", "b"])
    sealed = seal("s", right, ordered=False)
    with pytest.raises(CheckFailed):
        check("s", right.iloc[:1], exercise=6, kind="series", length=2, ordered=False, seal=sealed)
    assert "should have 2 values; it has 1" in shown[-1]["text/plain"]
    with pytest.raises(CheckFailed):
        check(
            "s",
            right.sort_values(ascending=False),
            exercise=6,
            kind="series",
            ordered=False,
            sort="ascending",
            seal=sealed,
        )
    assert "lowest to highest" in shown[-1]["text/plain"]
    with pytest.raises(CheckFailed):
        check(
            "s",
            right * 100,
            exercise=6,
            kind="series",
            ordered=False,
            fractions=True,
            hints={"fractions": ("要比率", "rates please")},
            seal=sealed,
        )
    assert "rates please" in shown[-1]["text/plain"]


def test_order_rules(shown) -> None:
    s = pd.Series([0.1, 0.5], index=["a", "b"])
    unordered = seal("s", s, ordered=False)
    check("s", s.iloc[::-1], exercise=6, ordered=False, seal=unordered)  # order ignored
    with pytest.raises(CheckFailed):  # order matters by default
        check("s", s.iloc[::-1], exercise=6, seal=seal("s", s))
    values_only = seal("s", s, index=False)
    check(
        "s",
        pd.Series([0.1, 0.5], index=["2016-01", "2016-02"]),
        exercise=7,
        index=False,
        seal=values_only,
    )


def test_table_compared_by_key_set(shown) -> None:
    table = pd.DataFrame({"order_id": ["O2", "O1", "O3"], "x": [1, 2, 3]})
    sealed = seal("t", table.iloc[:2], key="order_id")
    check("t", table.iloc[[1, 0]][["order_id"]], exercise=2, key="order_id", seal=sealed)
    with pytest.raises(CheckFailed):
        check("t", table, exercise=2, key="order_id", seal=sealed)


def test_numbers_and_text_normalise() -> None:
    import numpy as np

    assert fingerprint("n", np.int64(7)) == fingerprint("n", 7) == fingerprint("n", 7.0)
    assert fingerprint("t", " 群租\n") == fingerprint("t", "群租")
    assert fingerprint("a", 1) != fingerprint("b", 1)  # salted by name


def test_unsealed_check_fails_loudly(shown) -> None:
    with pytest.raises(CheckNotSealed, match="shequlab course build"):
        check("x", 1, exercise=1)


def test_recording_mode_records_instead_of_judging(shown) -> None:
    core._recording = []
    try:
        check("x", 1, exercise=1)
        spec = {"digits": 4, "ordered": True, "key": None, "index": True}
        assert core._recording == [
            {"name": "x", "fingerprint": fingerprint("x", 1), "guard": guard.digest("x", 1, spec)}
        ]
        assert core._recording[0]["guard"] != guard.digest("x", 2, spec)
    finally:
        core._recording = None
    assert shown == []


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import shequlab.checks; "
        "print(sorted(m for m in ('pandas', 'IPython', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


def test_an_also_right_value_passes_and_a_wrong_one_is_still_named(shown) -> None:
    b_figures = ("B", {"road_hours": 3.1, "other_hours": 29.7})
    a_figures = ("A", {"on_time_2017": 0.95, "orders_2017": 120})
    sealed = seal("brief_figures", b_figures, wrong={("A", 1.0): ["只算了件数", "counts only"]})
    sealed["also"] = [fingerprint("brief_figures", a_figures)]
    # another question's right figures, keys in another order: passes with ✔
    check("brief_figures", ("A", {"orders_2017": 120, "on_time_2017": 0.95}), exercise=4,
          seal=sealed)  # fmt: skip
    assert "✔ 练习 4" in shown[-1]["text/plain"]
    with pytest.raises(CheckFailed):
        check("brief_figures", ("A", 1.0), exercise=4, seal=sealed)
    assert "只算了件数" in shown[-1]["text/plain"]
    with pytest.raises(CheckFailed):  # A's key with a wrong value: not accepted
        check("brief_figures", ("A", {"on_time_2017": 0.9, "orders_2017": 120}), exercise=4,
              seal=sealed)  # fmt: skip


def test_a_dict_is_normalised_by_its_pairs_in_any_order() -> None:
    assert fingerprint("d", {"a": 1.0, "b": 0.25 + 1e-12}) == fingerprint("d", {"b": 0.25, "a": 1})
    assert fingerprint("d", {"a": 1, "b": 0.25}) != fingerprint("d", {"a": 1, "b": 0.26})
