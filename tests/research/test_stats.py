"""The analysis helpers against reference values computed independently (scipy directly, numpy)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from shequlab.research import scales, stats, text


def test_frequencies_count_valid_answers_only_and_keep_options_nobody_chose() -> None:
    answers = pd.Series(["A"] * 30 + ["B"] * 20 + [None] * 10, name="q")
    found = stats.frequencies(answers, order=["A", "B", "C"])
    assert found.stats["n_valid"] == 50 and found.stats["n_missing"] == 10
    assert list(found.table["人数 n"]) == ["30", "20", "0", "50"]
    assert list(found.table["有效百分比 % of valid"]) == ["60.0%", "40.0%", "0.0%", "100.0%"]


def test_multi_select_shares_of_respondents_and_of_responses() -> None:
    chosen = pd.DataFrame({"x": [1, 1, 0, 1, 0, 1] * 5, "y": [1, 0, 1, 1, 0, 0] * 5})
    found = stats.multi_select(chosen, "需求")
    # by hand: 25 of 30 rows chose something; x chosen 20 times, y 15 times, 35 choices
    assert found.stats["n_respondents"] == 25 and found.stats["n_responses"] == 35
    assert found.stats["of_respondents"]["x"] == pytest.approx(20 / 25)
    assert found.stats["of_responses"]["y"] == pytest.approx(15 / 35)


def test_crosstab_chi_square_and_cramers_v_match_scipy_and_the_formula() -> None:
    rng = np.random.default_rng(3)
    rows = pd.Series(rng.choice(["a", "b", "c"], 400), name="r")
    cols = pd.Series(np.where(rng.random(400) < 0.5, "x", "y"), name="c")
    found = stats.crosstab(rows, cols, "t")
    observed = pd.crosstab(rows, cols).to_numpy()
    chi2, p, _dof, _ = st.chi2_contingency(observed, correction=False)
    assert found.stats["test"] == "chi2"
    assert found.stats["chi2"] == pytest.approx(chi2) and found.stats["p"] == pytest.approx(p)
    assert found.stats["cramers_v"] == pytest.approx(math.sqrt(chi2 / (400 * 1)))


def test_small_expected_counts_switch_to_fisher_exact_as_the_hypergeometric_sum() -> None:
    observed = np.array([[8, 2], [1, 5]])
    result = stats.independence_test(observed)
    assert result["test"] == "fisher"
    # two-sided Fisher by hand: tables with the same margins no more probable than this one
    dist = st.hypergeom(16, 10, 9)  # N, row-1 total, column-1 total
    p_obs = dist.pmf(8)
    by_hand = sum(dist.pmf(k) for k in range(0, 10) if dist.pmf(k) <= p_obs * (1 + 1e-7))
    assert result["p"] == pytest.approx(by_hand)


def test_cronbach_alpha_matches_the_covariance_formula() -> None:
    rng = np.random.default_rng(5)
    base = rng.normal(3, 1, 200)
    items = pd.DataFrame({f"i{j}": np.clip(np.round(base + rng.normal(0, 0.8, 200)), 1, 5)
                          for j in range(4)})  # fmt: skip
    alpha, low, high, n = scales.cronbach_alpha(items)
    cov = np.cov(items.to_numpy(), rowvar=False)
    k = cov.shape[0]
    assert alpha == pytest.approx(k / (k - 1) * (1 - np.trace(cov) / cov.sum()))
    assert low < alpha < high and n == 200


def test_paired_comparison_interval_and_tests_match_scipy_and_hand_computation() -> None:
    rng = np.random.default_rng(9)
    pre = pd.Series(rng.integers(1, 6, 40).astype(float))
    post = pre + rng.integers(-1, 3, 40)
    r = scales.paired_difference(pre, post)
    d = (post - pre).to_numpy()
    half = st.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    assert r["mean_diff"] == pytest.approx(d.mean())
    assert (r["low"], r["high"]) == pytest.approx((d.mean() - half, d.mean() + half))
    assert r["p_w"] == pytest.approx(st.wilcoxon(post, pre).pvalue)
    assert r["d_z"] == pytest.approx(d.mean() / d.std(ddof=1))


def test_paired_comparison_matches_waves_by_respondent_key() -> None:
    pre = pd.DataFrame({"s": [1.0, 2, 3, 4, 5, 6]}, index=list("abcdef"))
    post = pd.DataFrame({"s": [2.0, 3, 5, 4, 6, 9]}, index=list("fedcbx"))  # x has no pre
    found = scales.paired_comparison(pre, post, "t", min_cell=2)
    # matched: b(2→6) c(3→4) d(4→5) e(5→3) f(6→2)
    assert found.stats["s"]["n"] == 5
    assert found.stats["s"]["mean_diff"] == pytest.approx(np.mean([4, 1, 1, -2, -4]))


def test_keywords_count_respondents_drop_rare_words_names_and_numbers() -> None:
    answers = pd.Series(["希望增加停车位"] * 6 + ["停车太难，请联系张伟 10012345678"] * 2)
    found = text.keywords(answers, "建议")
    words = list(found.table["关键词 keyword"])
    assert "停车位" in words and found.stats["respondents"]["停车位"] == 6
    assert "张伟" not in found.stats["respondents"]
    assert not any(ch.isdigit() for w in words for ch in w)
    assert "太难" not in words  # used by 2 < 5 respondents: not published
