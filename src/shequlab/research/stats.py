"""Frequencies, multi-select shares and crosstabs as SPSS reports them, over pandas and scipy.

Why scipy (not pingouin or statsmodels): every test here is one scipy.stats call —
`chi2_contingency`, `fisher_exact` (2×2 exact; larger tables by Monte Carlo with a fixed seed, so
a report is reproducible) and `contingency.association` (Cramér's V). pingouin would add
scikit-learn, seaborn and statsmodels to every kernel for the same numbers; statsmodels adds
nothing these tables need.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as st
from scipy.stats import contingency

from shequlab.research import charts
from shequlab.research.findings import Finding, count, number, p_value, percent
from shequlab.research.suppress import (
    DEFAULT_MIN_CELL,
    hide,
    label,
    suppress_counts,
    suppress_table,
)

SEED = 20171231  # Monte Carlo p-values are reproducible from run to run
MONTE_CARLO_RESAMPLES = 20_000


def _name(series: pd.Series, title: str | None) -> str:
    return title or str(series.name or "")


def frequencies(
    answers: pd.Series,
    title: str | None = None,
    order: Sequence | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
) -> Finding:
    """Counts of each answer with % of valid answers (blank = missing, not counted in valid n).
    `order` lists the options (the codebook's), so an option nobody chose still shows 0."""
    name = _name(answers, title)
    valid = answers.dropna()
    counts = valid.value_counts()
    if order is not None:
        extra = [v for v in counts.index if v not in set(order)]
        counts = counts.reindex([*order, *extra], fill_value=0)
    n_valid, n_missing = len(valid), len(answers) - len(valid)
    shares = counts / n_valid if n_valid else counts.astype(float)
    hidden, suppression = suppress_counts(counts, min_cell, title=name)
    total_hidden = 0 < n_valid < min_cell
    table = pd.DataFrame(
        {
            "选项 option": [str(i) for i in counts.index] + ["合计 valid total"],
            "人数 n": [*hide(counts.map(count), hidden, min_cell), count(n_valid)],
            "有效百分比 % of valid": [*hide(shares.map(percent), hidden, min_cell), "100.0%"],
        }
    )
    if total_hidden:
        table.iloc[-1, 1:] = label(min_cell)
    notes = [
        f"有效回答 {n_valid} 人，缺失 {n_missing} 人 / valid n = {n_valid}, missing {n_missing}"
    ]
    fig = charts.share_bars(shares, hidden, min_cell, title=name, xlabel="有效百分比 % of valid")
    return Finding(
        f"{name} — 频数 frequencies", table, fig, notes, [suppression],
        {"counts": counts, "shares": shares, "n_valid": n_valid, "n_missing": n_missing},
    )  # fmt: skip


def multi_select(
    chosen: pd.DataFrame, title: str = "", min_cell: int = DEFAULT_MIN_CELL
) -> Finding:
    """A multi-select question as one 0/1 column per option (column name = option). Respondents
    are the rows with at least one option chosen (SPSS "percent of cases"); responses are all
    choices made (SPSS "percent of responses")."""
    picks = chosen.fillna(0).astype(float).gt(0)
    answered = picks.any(axis=1)
    n_respondents, n_missing = int(answered.sum()), int((~answered).sum())
    counts = picks[answered].sum().astype(int)
    n_responses = int(counts.sum())
    of_respondents = counts / n_respondents if n_respondents else counts.astype(float)
    of_responses = counts / n_responses if n_responses else counts.astype(float)
    hidden, suppression = suppress_counts(counts, min_cell, title=title)
    table = pd.DataFrame(
        {
            "选项 option": [str(i) for i in counts.index] + ["合计 total"],
            "选择人数 n": [*hide(counts.map(count), hidden, min_cell), count(n_responses)],
            "占应答人数 % of respondents": [
                *hide(of_respondents.map(percent), hidden, min_cell),
                percent(n_responses / n_respondents) if n_respondents else "",
            ],
            "占选择次数 % of responses": [
                *hide(of_responses.map(percent), hidden, min_cell),
                "100.0%",
            ],
        }
    )
    notes = [
        f"应答 {n_respondents} 人（至少选一项），未答 {n_missing} 人；共 {n_responses} 次选择，"
        f"人均 {n_responses / max(n_respondents, 1):.2f} 项 / {n_respondents} respondents chose "
        f"at least one option, {n_missing} chose none; {n_responses} choices in all",
        "“占应答人数”各项相加超过 100%：一人可选多项 / % of respondents add up to more than "
        "100%: one person may choose several options",
    ]
    fig = charts.share_bars(of_respondents, hidden, min_cell, title=title,
                            xlabel="占应答人数 % of respondents")  # fmt: skip
    return Finding(
        f"{title} — 多选题 multi-select", table, fig, notes, [suppression],
        {"counts": counts, "of_respondents": of_respondents, "of_responses": of_responses,
         "n_respondents": n_respondents, "n_responses": n_responses},
    )  # fmt: skip


def independence_test(observed: np.ndarray) -> dict:
    """Pearson chi-square, or Fisher's exact test when an expected count is under 5 (2×2 exact,
    larger tables by Monte Carlo), with Cramér's V."""
    observed = observed[observed.sum(axis=1) > 0][:, observed.sum(axis=0) > 0]
    if min(observed.shape) < 2:
        return {"test": None}
    chi2, p, dof, expected = st.chi2_contingency(observed, correction=False)
    result = {"chi2": float(chi2), "dof": int(dof), "p": float(p),
              "min_expected": float(expected.min()),
              "cramers_v": float(contingency.association(observed, method="cramer"))}  # fmt: skip
    if expected.min() >= 5:
        result["test"] = "chi2"
    elif observed.shape == (2, 2):
        result.update(test="fisher", p=float(st.fisher_exact(observed).pvalue))
    else:
        method = st.MonteCarloMethod(n_resamples=MONTE_CARLO_RESAMPLES,
                                     rng=np.random.default_rng(SEED))  # fmt: skip
        result.update(test="fisher-mc", p=float(st.fisher_exact(observed, method=method).pvalue))
    return result


def _test_note(result: dict) -> str:
    test = result.get("test")
    if test is None:
        return "少于两行或两列有数据，不做检验 / fewer than two non-empty rows or columns: no test"
    v = f"Cramér's V = {result['cramers_v']:.3f}"
    if test == "chi2":
        return (f"卡方检验 χ²({result['dof']}) = {result['chi2']:.2f}，p = {p_value(result['p'])}"
                f"；{v} / Pearson chi-square test")  # fmt: skip
    how = "精确" if test == "fisher" else f"蒙特卡洛 {MONTE_CARLO_RESAMPLES} 次"
    how_en = "exact" if test == "fisher" else f"Monte Carlo, {MONTE_CARLO_RESAMPLES} tables"
    return (f"最小期望频数 {result['min_expected']:.1f} < 5，改用 Fisher 检验（{how}）"
            f"p = {p_value(result['p'])}；{v} / smallest expected count under 5: Fisher's test "
            f"({how_en})")  # fmt: skip


def crosstab(
    rows: pd.Series,
    columns: pd.Series,
    title: str = "",
    min_cell: int = DEFAULT_MIN_CELL,
    row_order: Sequence | None = None,
    column_order: Sequence | None = None,
) -> Finding:
    """Counts with row percentages, row and column totals, an independence test and Cramér's V
    on the respondents who answered both questions."""
    both = pd.DataFrame({"r": rows, "c": columns}).dropna()
    observed = pd.crosstab(both["r"], both["c"])
    if row_order is not None:
        observed = observed.reindex(row_order, fill_value=0)
    if column_order is not None:
        observed = observed.reindex(columns=column_order, fill_value=0)
    result = independence_test(observed.to_numpy())
    cells, row_hidden, col_hidden, grand_hidden, suppression = suppress_table(
        observed, min_cell, title=title
    )
    row_totals = observed.sum(axis=1)
    shares = observed.div(row_totals.where(row_totals > 0), axis=0)
    shown = observed.map(count) + " (" + shares.map(percent) + ")"
    shown = hide(shown, cells, min_cell)
    shown["合计 total"] = hide(row_totals.map(count), row_hidden, min_cell)
    totals = hide(observed.sum().map(count), col_hidden, min_cell).tolist()
    grand = label(min_cell, grand_hidden) if grand_hidden else count(len(both))
    shown.loc["合计 total"] = [*totals, grand]
    table = shown.rename_axis(None).reset_index(names=f"{rows.name} \\ {columns.name}")
    n_missing = len(pd.DataFrame({"r": rows, "c": columns})) - len(both)
    notes = [
        f"两题都回答的 {len(both)} 人，缺失 {n_missing} 人；括号内为行百分比 / n = {len(both)} "
        f"answered both, {n_missing} missing; row percentages in brackets",
        _test_note(result),
    ]
    fig = charts.stacked_shares(shares.fillna(0), cells, min_cell, title=title)
    return Finding(
        f"{title} — 交叉表 crosstab", table, fig, notes, [suppression],
        {"observed": observed, **result},
    )  # fmt: skip


def numeric_summary(values: pd.Series, title: str | None = None,
                    min_cell: int = DEFAULT_MIN_CELL) -> Finding:  # fmt: skip
    """n, mean, SD, median and quartiles of a numeric answer (hidden when n < min_cell)."""
    name = _name(values, title)
    x = pd.to_numeric(values, errors="coerce").dropna()
    row = {"n": count(len(x)), "均值 mean": number(x.mean()), "标准差 SD": number(x.std()),
           "中位数 median": number(x.median()), "四分位 Q1–Q3":
           f"{number(x.quantile(0.25))}–{number(x.quantile(0.75))}"}  # fmt: skip
    # No minimum or maximum: each is one person's answer (the oldest resident, the largest flat).
    if len(x) < min_cell:
        row = {k: (v if k == "n" else "") for k, v in row.items()}
        row["n"] = f"<{min_cell}"
    notes = [f"有效回答 {len(x)} 人，缺失 {len(values) - len(x)} 人 / valid n = {len(x)}"]
    return Finding(f"{name} — 描述统计 summary", pd.DataFrame([row]), None, notes, [],
                   {"n": len(x), "mean": x.mean(), "sd": x.std()})  # fmt: skip
