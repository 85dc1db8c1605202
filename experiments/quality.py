"""Data-quality checks of a panel, each becoming a flag (a catalogue code) on the result.

* `low_coverage`: a unit has data in fewer than `min_coverage` of the periods, or a period
  in fewer than `min_coverage` of the units;
* `gaps`: a unit misses `max_gap` or more consecutive periods;
* `outliers`: a unit × period mean lies far from its unit's median in that phase (baseline
  or pilot), judged against that unit's own scale: deviations are divided by the unit's
  median absolute deviation (× 1.4826), the period's median standardized deviation is
  removed, and the result rescaled by its pooled MAD. A cell is an outlier above
  max(`outlier_z`, 1.1 · t⁻¹(1 − 0.025 / cells; ν)) — the Bonferroni bound for the panel's
  size, with Student tails for a scale estimated from few cells (ν = 0.37 × (cells per
  unit − 2), a MAD having about 37% of the SD's efficiency) — so that a clean panel
  is flagged in at most ~5% of runs whether zones share one level or differ by orders of
  magnitude (a single MAD pooled across zones fired on 95–100% of such clean panels);
* `baseline_imbalance`: the standardized difference of baseline unit means, treated vs
  control, exceeds `max_smd` (0.25, Imbens & Rubin 2015, ch. 14) AND a Mann–Whitney test
  of those means gives p ≤ `balance_alpha` — with a handful of zones the SMD alone exceeds
  0.25 by chance about half the time, and zone levels are often skewed (Welch's t there
  fired in ~10% of clean panels). DiD tolerates level differences, but large ones make
  parallel trends less plausible;
* `pre_trend`: a placebo pilot start halfway through the baseline (pilot periods dropped)
  gives a DiD "effect" with p ≤ `pre_trend_alpha`, using the same inference rule;
  `pre_trend_not_checked` when the baseline has fewer than four periods or when the
  placebo test has no power (randomization with so few assignments that its smallest
  p-value exceeds the level: one treated zone and ten controls give 1/11).

Checks that could not be run say why in `QualityReport.not_checkable` (check → reason), so
a missing flag is never mistaken for a passed check.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import polars as pl

from experiments._tdist import t_ppf
from experiments.did import did_panel
from experiments.inference import Inference, significant
from experiments.panel import Panel, baseline_placebo
from experiments.results import QualityReport


def longest_missing_run(present: np.ndarray) -> np.ndarray:
    """Per row of a boolean matrix, the longest run of consecutive False entries."""
    if present.size == 0:
        return np.zeros(present.shape[0], dtype=np.int64)
    miss = np.cumsum(~present, axis=1)
    last = np.maximum.accumulate(np.where(present, miss, 0), axis=1)
    return np.asarray((miss - last).max(axis=1), dtype=np.int64)


def outlier_threshold(n_cells: int, cells_per_unit: float, z: float = 5.0) -> float:
    """The robust z above which a cell counts as an outlier (see the module notes)."""
    if n_cells <= 0:
        return z
    df = max(1.0, 0.37 * (cells_per_unit - 2))  # a MAD has ~37% of the SD's efficiency
    return max(z, -1.1 * t_ppf(0.025 / n_cells, df))  # t⁻¹(1 − q) = −t⁻¹(q), exactly


def count_outliers(panel: Panel, z: float = 5.0) -> int:
    """Cells beyond `outlier_threshold`, on each unit's own scale (see the module notes)."""
    if panel.n_cells == 0:
        return 0
    mad = 1.4826 * (pl.col("r") - pl.col("r").median().over("u")).abs().median().over("u")
    df = pl.DataFrame({"u": panel.unit_idx, "t": panel.time_idx,
                       "p": panel.post[panel.time_idx], "y": panel.y})
    r = (df.with_columns(r=pl.col("y") - pl.col("y").median().over("u", "p"))
           .with_columns(r=pl.col("r") / mad)
           .with_columns(r=pl.col("r") - pl.col("r").median().over("t"))["r"].to_numpy())
    ok = np.isfinite(r)
    scale = 1.4826 * float(np.median(np.abs(r[ok]))) if ok.any() else 0.0
    if not scale > 0:
        return 0
    per_unit = panel.n_cells / max(1, np.unique(panel.unit_idx).size)
    return int((np.abs(r[ok]) / scale > outlier_threshold(panel.n_cells, per_unit, z)).sum())


def baseline_balance(panel: Panel) -> tuple[float, float]:
    """(standardized mean difference, Mann–Whitney p) of baseline unit means, treated − control."""
    base = ~panel.post[panel.time_idx]
    n_u = len(panel.units)
    cnt = np.bincount(panel.unit_idx[base], minlength=n_u)
    tot = np.bincount(panel.unit_idx[base], panel.y[base], n_u)
    seen = cnt > 0
    means = tot[seen] / cnt[seen]
    tr = panel.treated[seen]
    if tr.sum() < 2 or (~tr).sum() < 2:
        return float("nan"), float("nan")
    sd = math.sqrt((means[tr].var(ddof=1) + means[~tr].var(ddof=1)) / 2)
    if not sd > 0:
        return float("nan"), float("nan")
    diff = float(means[tr].mean() - means[~tr].mean())
    return diff / sd, mann_whitney_p(means[tr], means[~tr])


def mann_whitney_p(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> float:
    """Two-sided Mann–Whitney U p-value, as `scipy.stats.mannwhitneyu(x, y)` gives it.

    The same rule as its method "auto": the exact null distribution of U when one sample
    has at most 8 values and there are no ties, else the normal approximation with the tie
    correction and the continuity correction. Written out (numpy and `math` only) so that
    `lab analyze did` does not import `scipy.stats` (half a second) for one p-value; equal to
    scipy's to rounding (tests/experiments/test_quality.py).
    """
    n1, n2 = int(x.size), int(y.size)
    values, inverse, ties = np.unique(np.concatenate([x, y]), return_inverse=True,
                                      return_counts=True)
    ranks = (np.cumsum(ties) - (ties - 1) / 2)[inverse]  # average ranks, from 1
    u1 = float(ranks[:n1].sum()) - n1 * (n1 + 1) / 2
    u = max(u1, n1 * n2 - u1)
    if (n1 > 8 and n2 > 8) or bool((ties > 1).any()):
        n = n1 + n2
        tie_term = float((ties.astype(np.float64) ** 3 - ties).sum())
        sd = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
        z = (u - n1 * n2 / 2 - 0.5) / sd
        p = math.erfc(z / math.sqrt(2)) / 2
    else:
        p = sum(_u_frequencies(n1, n2)[round(u):]) / math.comb(n1 + n2, n1)
    return min(1.0, max(0.0, 2 * p))


def _u_frequencies(n1: int, n2: int) -> list[int]:
    """How many orderings of n1 x's and n2 y's give U = 0, 1, …, n1·n2 (exact integers).

    f(i, j) = f(i − 1, j) shifted by j (the largest value is an x: it beats all j y's)
    + f(i, j − 1) (it is a y).
    """
    prev = [[1] for _ in range(n2 + 1)]  # i = 0: U = 0 whatever j
    for _ in range(n1):
        cur = [[1]]
        for j in range(1, n2 + 1):
            a, b = [0] * j + prev[j], cur[j - 1]
            cur.append([(a[k] if k < len(a) else 0) + (b[k] if k < len(b) else 0)
                        for k in range(max(len(a), len(b)))])
        prev = cur
    return prev[n2]


def check_panel(
    panel: Panel, *, min_coverage: float = 0.8, max_gap: int = 3, outlier_z: float = 5.0,
    max_smd: float = 0.25, balance_alpha: float = 0.05, pre_trend_alpha: float = 0.05,
    inference: Inference = "auto", seed: int = 0,
) -> QualityReport:
    """Run every check on a panel and return the report with its flags."""
    n_u, n_t = len(panel.units), len(panel.periods)
    present = np.zeros((n_u, n_t), dtype=bool)
    present[panel.unit_idx, panel.time_idx] = True
    unit_cov = present.mean(axis=1) if n_t else np.zeros(n_u)
    period_cov = present.mean(axis=0) if n_u else np.zeros(n_t)
    gaps = longest_missing_run(present)
    flags: list[str] = []
    min_u = float(unit_cov.min()) if n_u else float("nan")
    min_t = float(period_cov.min()) if n_t else float("nan")
    if min(min_u, min_t) < min_coverage:
        flags.append("low_coverage")
    longest = int(gaps.max()) if n_u else 0
    if longest >= max_gap:
        flags.append("gaps")
    n_out = count_outliers(panel, outlier_z)
    if n_out:
        flags.append("outliers")
    smd, p_bal = baseline_balance(panel)
    if math.isfinite(smd) and abs(smd) > max_smd and significant(p_bal, balance_alpha):
        flags.append("baseline_imbalance")
    not_checkable: dict[str, str] = {}
    if not math.isfinite(smd):
        not_checkable["baseline_imbalance"] = ("fewer than two treated or two control units "
                                               "with baseline data")
    placebo = baseline_placebo(panel)
    p_pre = float("nan")
    if placebo is None:
        not_checkable["pre_trend"] = "fewer than four baseline periods"
    else:
        res = did_panel(placebo, inference=inference, seed=seed)
        p_pre = res.p_value
        n_assign = dict(res.details).get("n_assignments")
        if n_assign and 1 / n_assign > pre_trend_alpha:
            not_checkable["pre_trend"] = (
                f"only {int(n_assign)} possible assignments of the treatment: the smallest "
                f"p-value, 1/{int(n_assign)}, is above {pre_trend_alpha:g}")
            p_pre = float("nan")
        elif not math.isfinite(p_pre):
            not_checkable["pre_trend"] = f"the placebo could not be estimated ({res.reason})"
    if "pre_trend" in not_checkable:
        flags.append("pre_trend_not_checked")
    elif significant(p_pre, pre_trend_alpha):
        flags.append("pre_trend")
    return QualityReport(
        flags=tuple(flags), min_unit_coverage=min_u, min_period_coverage=min_t,
        longest_gap=longest, n_outliers=n_out, baseline_smd=smd, baseline_p_value=p_bal,
        pre_trend_p_value=p_pre, not_checkable=tuple(not_checkable.items()),
        coverage_by_unit=tuple(zip(panel.units, (float(c) for c in unit_cov), strict=True)),
    )


__all__ = ["baseline_balance", "check_panel", "count_outliers", "longest_missing_run",
           "outlier_threshold"]
