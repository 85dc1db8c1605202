"""Minimum detectable effect (80% power, 5% level) of a planned design from baseline data.

MDE = (q_{1−α/2}·√κ + q_{power}) · SE: the usual formula (Bloom 1995, "Minimum Detectable
Effects", Evaluation Review 19(5)) with Student-t quantiles q on the degrees of freedom the
planned analysis uses (normal for large samples) and κ the expected ratio of the analysis'
estimated variance to the true one (1 for Welch and paired tests).

For the panel DiD, SE² = s²_D · (1/n_treated + 1/n_control), where D_u is a unit's
pilot-period mean minus its baseline mean. s²_D is measured on the baseline itself: every
window of n_pre + n_post consecutive baseline periods is split into a pseudo baseline and
a pseudo pilot, D_u is centred across units (removing common time effects) and its
variance pooled over windows. This keeps the serial correlation within units — the
clustering — that an i.i.d. formula would ignore. df = clusters − 1 and κ is the expected
CR1 inflation for independent errors (`cr1_kappa`; serially correlated errors change κ
a little, see the power simulation in the tests). When the baseline is shorter than
the plan, s²_D falls back to the TWFE residual variance × (1/n_pre + 1/n_post), assuming
independent periods (with a warning). The MDE assumes the cluster-robust path, i.e. at
least ten treated and ten control units; with fewer, randomization inference is used and
its power is lower than this MDE suggests (a warning says so).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from experiments.inference import MIN_CLUSTERS
from experiments.panel import Panel
from experiments.results import NAN, Design, PowerResult
from experiments.twfe import fit_twfe


def mde(se: float, *, alpha: float = 0.05, power: float = 0.8, df: float = math.inf,
        kappa: float = 1.0) -> float:
    """(q_{1−α/2}·√κ + q_{power}) · se, q Student-t on `df` (normal if infinite).

    κ is the expected ratio of the estimated to the true variance of the estimate (1 for
    an unbiased variance estimator): the test compares with the estimated SE, the
    estimate itself varies with the true one.
    """
    dist = stats.norm() if math.isinf(df) else stats.t(df)
    return float((dist.ppf(1 - alpha / 2) * math.sqrt(kappa) + dist.ppf(power)) * se)


def cr1_kappa(n_treated: int, n_control: int, n_periods: int) -> float:
    """Expected CR1 / true variance of the balanced TWFE DiD estimate, independent errors.

    E[CR0] = true · (1 − 1/G − ((1−π)³ + π³)/(Gπ(1−π))) with π the treated share, and CR1
    multiplies by G/(G−1) · (N−1)/(N−K), N = G·T cells, K = G + T parameters.
    """
    g = n_treated + n_control
    pi = n_treated / g
    n, k = g * n_periods, g + n_periods
    cr0 = 1 - 1 / g - ((1 - pi) ** 3 + pi**3) / (g * pi * (1 - pi))
    return g / (g - 1) * (n - 1) / (n - k) * cr0


def _result(design: Design, se: float, sd: float, mean: float, df: float, method: str,
            alpha: float, power: float, kappa: float = 1.0, **kw: Any) -> PowerResult:
    """Assemble a PowerResult."""
    m = mde(se, alpha=alpha, power=power, df=df, kappa=kappa) if math.isfinite(se) else NAN
    codes = tuple(kw.pop("warnings", ()))
    rel = m / mean if mean and math.isfinite(mean) else NAN
    return PowerResult(design=design, mde=m, relative_mde=rel, se=se, baseline_mean=mean,
                       sd=sd, alpha=alpha, power=power, df=df, method=method,
                       warnings=codes, **kw)


def power_two_sample(
    values: npt.ArrayLike, n_treated: int, n_control: int, *, alpha: float = 0.05,
    power: float = 0.8, design: Design = "ab",
) -> PowerResult:
    """MDE of a two-group comparison of units, with the SD of baseline unit values."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    kw: dict[str, Any] = dict(n_treated=n_treated, n_control=n_control)
    if v.size < 2:
        return PowerResult(design, NAN, NAN, NAN, NAN, NAN, alpha, power, NAN,
                           "two-sample", reason="too_few_observations", **kw)
    sd = float(v.std(ddof=1))
    se = sd * math.sqrt(1 / n_treated + 1 / n_control)
    return _result(design, se, sd, float(v.mean()), n_treated + n_control - 2,
                   "two-sample t, SD of baseline unit values", alpha, power, **kw)


def _matrix(panel: Panel) -> np.ndarray:
    """Baseline unit × period matrix of means (NaN where missing)."""
    base = np.flatnonzero(~panel.post)
    col = np.full(panel.post.size, -1)
    col[base] = np.arange(base.size)
    keep = col[panel.time_idx] >= 0
    mat = np.full((len(panel.units), base.size), np.nan)
    mat[panel.unit_idx[keep], col[panel.time_idx[keep]]] = panel.y[keep]
    return mat[np.isfinite(mat).any(axis=1)]


def window_diff_variance(mat: np.ndarray, n_pre: int, n_post: int) -> float:
    """Pooled variance across units of centred D_u over all windows of n_pre + n_post periods."""
    length = n_pre + n_post
    if n_pre < 1 or n_post < 1 or mat.shape[1] < length:
        return NAN
    win = np.lib.stride_tricks.sliding_window_view(mat, length, axis=1)  # units × win × len
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        d = np.nanmean(win[..., n_pre:], axis=2) - np.nanmean(win[..., :n_pre], axis=2)
        d = d - np.nanmean(d, axis=0, keepdims=True)
    dof = np.isfinite(d).sum(axis=0) - 1
    ss = np.nansum(d**2, axis=0)
    good = dof > 0
    return float(ss[good].sum() / dof[good].sum()) if good.any() else NAN


def power_did_panel(
    baseline: Panel, n_treated: int, n_control: int, n_pre: int, n_post: int, *,
    alpha: float = 0.05, power: float = 0.8,
) -> PowerResult:
    """MDE of a planned panel DiD from the baseline periods of `baseline` (see module doc)."""
    kw: dict[str, Any] = dict(n_treated=n_treated, n_control=n_control, n_pre=n_pre, n_post=n_post)
    mat = _matrix(baseline)
    mean = float(np.nanmean(mat)) if mat.size and np.isfinite(mat).any() else NAN
    var_d = window_diff_variance(mat, n_pre, n_post)
    codes: tuple[str, ...] = ()
    method = "panel DiD, variance of unit pilot-minus-baseline means over baseline windows"
    if not math.isfinite(var_d):
        ui, ti = np.nonzero(np.isfinite(mat))
        if ui.size <= mat.shape[0] + mat.shape[1] or mat.shape[1] < 2:
            return PowerResult("did_panel", NAN, NAN, NAN, mean, NAN, alpha, power, NAN,
                               method, reason="too_few_observations", **kw)
        fit = fit_twfe(ui.astype(np.int64), ti.astype(np.int64), mat[ui, ti],
                       np.zeros(mat.shape[0], bool), np.zeros(mat.shape[1], bool))
        sigma2 = float(fit.y_tilde @ fit.y_tilde) / (ui.size - fit.n_params + 1)
        var_d = sigma2 * (1 / n_pre + 1 / n_post)
        codes = ("power_independent_periods",)
        method = "panel DiD, TWFE residual variance of the baseline, independent periods"
    g = n_treated + n_control
    if n_treated < 1 or n_control < 1:
        return PowerResult("did_panel", NAN, NAN, NAN, mean, math.sqrt(var_d), alpha, power,
                           NAN, method, reason="no_treated" if n_treated < 1 else "no_control",
                           **kw)
    if g * (n_pre + n_post) <= g + n_pre + n_post + 1:
        return PowerResult("did_panel", NAN, NAN, NAN, mean, math.sqrt(var_d), alpha, power,
                           NAN, method, reason="too_few_observations", **kw)
    se = math.sqrt(var_d * (1 / n_treated + 1 / n_control))
    if min(n_treated, n_control) < MIN_CLUSTERS:
        codes += ("power_randomization",)
    return _result("did_panel", se, math.sqrt(var_d), mean, g - 1, method, alpha, power,
                   kappa=cr1_kappa(n_treated, n_control, n_pre + n_post), warnings=codes, **kw)


def power_before_after(
    baseline: Panel, n_units: int, n_pre: int, n_post: int, *, alpha: float = 0.05,
    power: float = 0.8,
) -> PowerResult:
    """MDE of a planned paired before/after on `n_units` units (same window variance).

    The paired test's standard error uses the spread of unit differences only; a shock
    common to all units biases a before/after comparison but is not in this MDE.
    """
    kw: dict[str, Any] = dict(n_treated=n_units, n_pre=n_pre, n_post=n_post)
    mat = _matrix(baseline)
    mean = float(np.nanmean(mat)) if mat.size and np.isfinite(mat).any() else NAN
    var_d = window_diff_variance(mat, n_pre, n_post)
    if not math.isfinite(var_d) or n_units < 2:
        return PowerResult("before_after", NAN, NAN, NAN, mean, NAN, alpha, power, NAN,
                           "paired before/after", reason="too_few_observations", **kw)
    se = math.sqrt(var_d / n_units)
    return _result("before_after", se, math.sqrt(var_d), mean, n_units - 1,
                   "paired before/after, variance of unit differences over baseline windows",
                   alpha, power, **kw)


__all__ = ["cr1_kappa", "mde", "power_before_after", "power_did_panel", "power_two_sample",
           "window_diff_variance"]
