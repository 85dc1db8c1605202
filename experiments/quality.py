"""Data-quality checks of a panel, each becoming a flag (a catalogue code) on the result.

* `low_coverage`: a unit has data in fewer than `min_coverage` of the periods, or a period
  in fewer than `min_coverage` of the units;
* `gaps`: a unit misses `max_gap` or more consecutive periods;
* `outliers`: a unit × period mean lies more than `outlier_z` robust z-scores from its
  unit's median in that phase (baseline or pilot) and its period's median deviation,
  with the scale the median absolute deviation of all cells (× 1.4826);
* `baseline_imbalance`: the standardized difference of baseline unit means, treated vs
  control, exceeds `max_smd` (0.25, Imbens & Rubin 2015, ch. 14) AND a Welch test of those
  means gives p < `balance_alpha` — with a handful of zones the SMD alone exceeds 0.25 by
  chance about half the time. DiD tolerates level differences, but large ones make
  parallel trends less plausible;
* `pre_trend`: a placebo pilot start halfway through the baseline (pilot periods dropped)
  gives a DiD "effect" with p < `pre_trend_alpha`, using the same inference rule;
  `pre_trend_not_checked` when the baseline has fewer than four periods.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from scipy import stats

from experiments.did import did_panel
from experiments.inference import Inference
from experiments.panel import Panel, baseline_placebo
from experiments.results import QualityReport


def longest_missing_run(present: np.ndarray) -> np.ndarray:
    """Per row of a boolean matrix, the longest run of consecutive False entries."""
    if present.size == 0:
        return np.zeros(present.shape[0], dtype=np.int64)
    miss = np.cumsum(~present, axis=1)
    last = np.maximum.accumulate(np.where(present, miss, 0), axis=1)
    return np.asarray((miss - last).max(axis=1), dtype=np.int64)


def count_outliers(panel: Panel, z: float = 5.0) -> int:
    """Cells more than `z` robust z-scores out, after unit-phase and period medians."""
    if panel.n_cells == 0:
        return 0
    df = pl.DataFrame({"u": panel.unit_idx, "t": panel.time_idx,
                       "p": panel.post[panel.time_idx], "y": panel.y})
    r1 = pl.col("y") - pl.col("y").median().over("u", "p")
    r = df.select(r1.alias("r1")).with_columns(t=df["t"]).select(
        (pl.col("r1") - pl.col("r1").median().over("t")).alias("r"))["r"]
    scale = 1.4826 * float(r.abs().median())  # type: ignore[arg-type]
    if not scale > 0:
        return 0
    return int((r.abs() > z * scale).sum())


def baseline_balance(panel: Panel) -> tuple[float, float]:
    """(standardized mean difference, Welch p) of baseline unit means, treated − control."""
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
    p = float(stats.ttest_ind(means[tr], means[~tr], equal_var=False).pvalue)
    return diff / sd, p


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
    if math.isfinite(smd) and abs(smd) > max_smd and p_bal < balance_alpha:
        flags.append("baseline_imbalance")
    placebo = baseline_placebo(panel)
    p_pre = float("nan")
    if placebo is not None:
        res = did_panel(placebo, inference=inference, seed=seed)
        p_pre = res.p_value
    if not math.isfinite(p_pre):
        flags.append("pre_trend_not_checked")
    elif p_pre < pre_trend_alpha:
        flags.append("pre_trend")
    return QualityReport(
        flags=tuple(flags), min_unit_coverage=min_u, min_period_coverage=min_t,
        longest_gap=longest, n_outliers=n_out, baseline_smd=smd, baseline_p_value=p_bal,
        pre_trend_p_value=p_pre,
        coverage_by_unit=tuple(zip(panel.units, (float(c) for c in unit_cov), strict=True)),
    )


__all__ = ["baseline_balance", "check_panel", "count_outliers", "longest_missing_run"]
