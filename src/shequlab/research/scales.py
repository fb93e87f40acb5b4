"""Rating scales: Likert item summaries with Cronbach's α, and pre/post paired comparisons.

Cronbach's α is its textbook formula with Feldt's 95% interval (scipy's F distribution) — pingouin
computes the same, but would bring scikit-learn and seaborn into every kernel for one formula.
The paired comparison is scipy's `ttest_rel` (its interval for the mean difference) beside
`wilcoxon` (no normality assumed), as SPSS reports them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats as st

from shequlab.research import charts
from shequlab.research.findings import Finding, count, number, p_value, percent
from shequlab.research.suppress import DEFAULT_MIN_CELL, SMALL, Suppression, hide, suppress_table


def cronbach_alpha(
    items: pd.DataFrame, confidence: float = 0.95
) -> tuple[float, float, float, int]:
    """(α, lower, upper, n) on the respondents who answered every item (listwise)."""
    complete = items.apply(pd.to_numeric, errors="coerce").dropna()
    n, k = complete.shape
    if k < 2 or n < 3:
        return float("nan"), float("nan"), float("nan"), n
    item_var = complete.var(ddof=1).sum()
    total_var = complete.sum(axis=1).var(ddof=1)
    alpha = k / (k - 1) * (1 - item_var / total_var)
    # Feldt (1965): (1 - α) / (1 - α_hat) follows F(n - 1, (n - 1)(k - 1)).
    tail = (1 - confidence) / 2
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * st.f.ppf(1 - tail, df1, df2)
    high = 1 - (1 - alpha) * st.f.ppf(tail, df1, df2)
    return float(alpha), float(low), float(high), int(n)


def likert(
    items: pd.DataFrame,
    title: str = "",
    levels: Mapping[int, str] | None = None,
    top: int = 2,
    min_cell: int = DEFAULT_MIN_CELL,
) -> Finding:
    """A rating matrix (one column per item, values 1..m): each item's n, distribution, mean, SD
    and share of the `top` highest levels; Cronbach's α over the items."""
    scores = items.apply(pd.to_numeric, errors="coerce")
    levels = dict(levels or {v: str(v) for v in range(1, int(np.nanmax(scores.to_numpy())) + 1)})
    keys = sorted(levels)
    dist = pd.DataFrame(
        {f"{k} {levels[k]}" if levels[k] != str(k) else str(k): scores.eq(k).sum() for k in keys}
    )
    cells, row_hidden, _, _, suppression = suppress_table(dist, min_cell, title=title)
    n = scores.notna().sum()
    shares = dist.div(n.where(n > 0), axis=0)
    shown = hide(dist.map(count) + " (" + shares.map(percent) + ")", cells, min_cell)
    small_item = n < min_cell
    top_share = scores.ge(keys[-top]).sum() / n.where(n > 0)
    summary = pd.DataFrame(
        {
            "n": hide(n.map(count), row_hidden.where(~small_item, SMALL), min_cell),
            **shown,
            "均值 mean": hide(scores.mean().map(number), small_item, min_cell),
            "标准差 SD": hide(scores.std().map(number), small_item, min_cell),
            f"前 {top} 级 top {top}": hide(top_share.map(percent), small_item, min_cell),
        }
    )
    table = summary.rename_axis(None).reset_index(names="题项 item")
    alpha, low, high, n_complete = cronbach_alpha(scores)
    notes = ["每格：人数（占该题有效回答）/ each cell: n (% of the item's valid answers)"]
    if np.isnan(alpha):
        notes.append("题项少于 2 个或完整回答少于 3 人，不计算 α / too few items or respondents "
                     "for Cronbach's α")  # fmt: skip
    else:
        notes.append(
            f"Cronbach's α = {alpha:.3f}（95% 置信区间 {low:.3f}–{high:.3f}），{scores.shape[1]} "
            f"个题项，{n_complete} 人全部作答 / {scores.shape[1]} items, {n_complete} "
            "respondents answered all (Feldt interval)"
        )
    fig = charts.stacked_shares(shares.fillna(0), cells, min_cell, title=title)
    return Finding(
        f"{title} — 量表 rating scale", table, fig, notes, [suppression],
        {"distribution": dist, "mean": scores.mean(), "sd": scores.std(), "alpha": alpha,
         "alpha_ci": (low, high), "n_complete": n_complete},
    )  # fmt: skip


def paired_difference(pre: pd.Series, post: pd.Series, confidence: float = 0.95) -> dict:
    """Paired t test with the interval of the mean difference (post − pre), Cohen's d_z, and
    the Wilcoxon signed-rank test, on the respondents with both values."""
    both = pd.DataFrame({"pre": pre, "post": post}).apply(pd.to_numeric, errors="coerce").dropna()
    diff = both["post"] - both["pre"]
    out = {"n": len(both), "pre_mean": both["pre"].mean(), "post_mean": both["post"].mean(),
           "mean_diff": diff.mean(), "sd_diff": diff.std(),
           "median_diff": diff.median()}  # fmt: skip
    if len(both) < 2 or diff.std() == 0:
        return {**out, "t": np.nan, "p_t": np.nan, "low": np.nan, "high": np.nan,
                "d_z": np.nan, "w": np.nan, "p_w": np.nan}  # fmt: skip
    t = st.ttest_rel(both["post"], both["pre"])
    ci = t.confidence_interval(confidence)
    w = st.wilcoxon(both["post"], both["pre"])
    return {**out, "t": float(t.statistic), "df": int(t.df), "p_t": float(t.pvalue),
            "low": float(ci.low), "high": float(ci.high), "d_z": diff.mean() / diff.std(),
            "w": float(w.statistic), "p_w": float(w.pvalue)}  # fmt: skip


def paired_comparison(
    pre: pd.DataFrame,
    post: pd.DataFrame,
    title: str = "",
    labels: Mapping[str, str] | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
) -> Finding:
    """Two waves indexed by the same respondent key, one row per measure (a column in both):
    means before and after, the mean difference with its 95% interval, t and Wilcoxon tests."""
    labels = labels or {}
    measures = [c for c in pre.columns if c in post.columns]
    pre, post = pre.align(post, join="inner", axis=0)
    rows, results = [], {}
    for m in measures:
        r = results[m] = paired_difference(pre[m], post[m])
        shown = r["n"] >= min_cell
        rows.append({
            "指标 measure": labels.get(m, str(m)),
            "配对人数 n": count(r["n"]) if shown else f"<{min_cell}",
            "前测均值 pre": number(r["pre_mean"]) if shown else "",
            "后测均值 post": number(r["post_mean"]) if shown else "",
            "差值 difference": number(r["mean_diff"]) if shown else "",
            "95% 置信区间 CI": f"{number(r['low'])} – {number(r['high'])}" if shown else "",
            "配对 t 检验 p": p_value(r["p_t"]) if shown else "",
            "Wilcoxon p": p_value(r["p_w"]) if shown else "",
            "效应量 d_z": number(r["d_z"]) if shown else "",
        })  # fmt: skip
    table = pd.DataFrame(rows)
    plotted = [
        m for m in measures if results[m]["n"] >= min_cell and not np.isnan(results[m]["low"])
    ]
    fig = charts.differences(
        [labels.get(m, str(m)) for m in plotted], [results[m]["mean_diff"] for m in plotted],
        [results[m]["low"] for m in plotted], [results[m]["high"] for m in plotted], title,
    ) if plotted else None  # fmt: skip
    hidden = [m for m in measures if results[m]["n"] < min_cell]
    notes = [
        "差值 = 后测 − 前测；配对 t 检验给出差值的 95% 置信区间，Wilcoxon 符号秩检验不假定正态"
        " / difference = post − pre; the paired t test gives its 95% CI, the Wilcoxon "
        "signed-rank test assumes no normal distribution",
    ]
    if hidden:
        notes.append(
            f"配对人数少于 {min_cell} 的指标不公布结果 / measures with fewer than {min_cell} "
            f"matched respondents are not published: {', '.join(map(str, hidden))}"
        )
    suppression = Suppression(title, min_cell, len(hidden), 0, unit="measures")
    return Finding(
        f"{title} — 前后测比较 pre/post comparison", table, fig, notes, [suppression], results
    )
