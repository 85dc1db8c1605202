"""Before/after for one group: pilot-period mean minus baseline mean.

With two or more units, each unit is summarised by its baseline and pilot-period means and
the test is the paired t-test on the per-unit differences (units seen in both periods).
With a time column and fewer units, readings are first averaged per day (per time value
when time is numeric) and the effect is the regression of those daily means on the pilot
flag, with a heteroskedasticity- and autocorrelation-robust variance (equal-weighted
cosine, t(ν) critical values: `experiments.inference.ewc_long_run`): consecutive days are
correlated, and Welch on raw readings made intervals far too narrow. Welch on readings is
left only for data with a pilot flag and no time, flagged `independent_readings`.
The relative effect divides by the baseline mean, itself estimated: its interval is
Fieller's for the ratio effect / baseline mean. A before/after comparison has no control
group, so anything else that changed at the pilot start is attributed to the pilot.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from experiments._tdist import t_ppf, t_sf
from experiments.ab import welch
from experiments.inference import ewc_long_run, fieller
from experiments.panel import post_flag
from experiments.results import NAN, EffectResult, degenerate
from experiments.summaries import Moments, require_columns, split_moments, unit_pre_post


def before_after(pre: Moments, post: Moments, *, alpha: float = 0.05) -> EffectResult:
    """Welch's t-test of pilot-period minus baseline readings."""
    if pre.n == 0 or post.n == 0:
        code = "no_data" if pre.n + post.n == 0 else "no_baseline" if pre.n == 0 else (
            "no_pilot_period")
        return degenerate("before_after", code, method="Welch t-test, pilot vs baseline",
                          n_obs=pre.n + post.n, n_periods=2)
    r = welch(pre, post, alpha=alpha, design="before_after",
              method="Welch t-test, pilot vs baseline readings")
    return _relabel(r).with_warnings("independent_readings")


def _relabel(r: EffectResult) -> EffectResult:
    """Before/after has periods, not groups: clear the group counts."""
    return replace(r, n_treated=None, n_control=None, n_periods=2)


def before_after_paired(
    pre_means: npt.ArrayLike, post_means: npt.ArrayLike, *, alpha: float = 0.05,
    n_obs: int | None = None,
) -> EffectResult:
    """Paired t-test on per-unit differences of pilot-period and baseline means."""
    pre = np.asarray(pre_means, dtype=float)
    post = np.asarray(post_means, dtype=float)
    both = np.isfinite(pre) & np.isfinite(post)
    pre, post = pre[both], post[both]
    n = int(pre.size)
    method = "paired t-test on per-unit means, pilot vs baseline"
    kw: dict[str, Any] = dict(method=method, n_obs=n_obs if n_obs is not None else 2 * n,
                              n_units=n, n_periods=2)
    if n == 0:
        return degenerate("before_after", "no_data", **kw)
    d = post - pre
    effect, base = float(d.mean()), float(pre.mean())
    if n == 1:
        return degenerate("before_after", "one_unit", effect=effect, baseline_mean=base,
                          **kw)
    se = float(d.std(ddof=1)) / math.sqrt(n)
    if not se > 0:
        return degenerate("before_after", "zero_variance", effect=effect, baseline_mean=base,
                          **kw)
    crit = t_ppf(1 - alpha / 2, n - 1)
    lo, hi = effect - crit * se, effect + crit * se
    ok = base != 0
    cov = np.cov(np.vstack([d, pre])) / n
    r_lo, r_hi = fieller(effect, base, cov[0, 0], cov[1, 1], cov[0, 1], crit) if ok else (
        NAN, NAN)
    return EffectResult(
        design="before_after", effect=effect, relative_effect=effect / base if ok else NAN,
        ci_low=lo, ci_high=hi, relative_ci_low=r_lo, relative_ci_high=r_hi,
        p_value=2 * t_sf(abs(effect) / se, n - 1), se=se, baseline_mean=base,
        **{**kw, "method": f"{method}, df={n - 1}"},
    ).with_warnings(*(() if ok else ("zero_baseline_mean",)),
                    *(("ci_unbounded",) if ok and math.isinf(r_lo) else ()))


def _period_variance(y: npt.NDArray[np.float64]) -> tuple[float, int]:
    """Variance of a period's mean under serial correlation (EWC long-run variance / T)."""
    omega, nu = ewc_long_run((y - y.mean())[:, None])
    return float(omega[0, 0]) / y.size, nu


def before_after_series(y: npt.ArrayLike, post: npt.ArrayLike, *, alpha: float = 0.05,
                        n_obs: int | None = None) -> EffectResult:
    """Pilot minus baseline mean of a time-ordered series (daily means), HAC (EWC) variance.

    Each period's mean gets its own long-run variance (a location model, where the EWC
    t(ν) reference is exact under fixed-b asymptotics); the two are combined with
    Satterthwaite's degrees of freedom.
    """
    yy, pp = np.asarray(y, dtype=float), np.asarray(post, dtype=bool)
    n = int(yy.size)
    method = "daily means, pilot vs baseline, HAC (equal-weighted cosine) variance per period"
    kw: dict[str, Any] = dict(method=method, n_obs=n_obs if n_obs is not None else n,
                              n_periods=n)
    n1 = int(pp.sum())
    if n == 0 or n1 == 0 or n1 == n:
        code = "no_data" if n == 0 else "no_baseline" if n1 == n else "no_pilot_period"
        return degenerate("before_after", code, **kw)
    base = float(yy[~pp].mean())
    effect = float(yy[pp].mean()) - base
    if min(n1, n - n1) < 3:
        return degenerate("before_after", "too_few_observations", effect=effect,
                          baseline_mean=base, **kw)
    (v0, nu0), (v1, nu1) = _period_variance(yy[~pp]), _period_variance(yy[pp])
    se = math.sqrt(v0 + v1)
    if not se > 0:
        return degenerate("before_after", "zero_variance", effect=effect, baseline_mean=base,
                          **kw)
    df = (v0 + v1) ** 2 / (v0**2 / nu0 + v1**2 / nu1)
    crit = t_ppf(1 - alpha / 2, df)
    ok = base != 0
    r_lo, r_hi = fieller(effect, base, v0 + v1, v0, -v0, crit) if ok else (NAN, NAN)
    res = EffectResult(
        design="before_after", effect=effect, relative_effect=effect / base if ok else NAN,
        ci_low=effect - crit * se, ci_high=effect + crit * se, relative_ci_low=r_lo,
        relative_ci_high=r_hi, p_value=2 * t_sf(abs(effect) / se, df), se=se,
        baseline_mean=base, **{**kw, "method": f"{method}, t({df:.1f})"},
    )
    return res.with_warnings(*(() if ok else ("zero_baseline_mean",)),
                             *(("ci_unbounded",) if ok and math.isinf(r_lo) else ()))


def _daily(lf: pl.LazyFrame, outcome: str, time: str, flag: pl.Expr) -> pl.DataFrame:
    """Mean outcome per day (per time value when time is not a date), with the pilot flag."""
    t = pl.col(time)
    dtype = lf.collect_schema()[time]
    key = t.dt.truncate("1d") if isinstance(dtype, pl.Datetime) else t
    return (lf.select(key.alias("_t"), flag.alias("_f"), pl.col(outcome).cast(pl.Float64))
              .drop_nulls().group_by("_t")
              .agg(pl.col(outcome).mean().alias("y"), pl.col("_f").max(), pl.len().alias("n"))
              .sort("_t").collect())


def estimate_before_after(
    lf: pl.LazyFrame, *, outcome: str, post: str | None = None, time: str | None = None,
    pilot_start: object = None, unit: str | None = None, alpha: float = 0.05,
) -> EffectResult:
    """Before/after from a (lazy) frame: a post flag column, or a time column and start."""
    require_columns(lf, outcome, unit)
    flag = post_flag(lf, post=post, time=time, pilot_start=pilot_start)
    pp = unit_pre_post(lf, unit, outcome, flag) if unit is not None else None
    if pp is not None and pp.height >= 2:
        pre_m, post_m = split_moments(lf, outcome, flag)
        return before_after_paired(pp["pre"].to_numpy(), pp["post"].to_numpy(), alpha=alpha,
                                   n_obs=pre_m.n + post_m.n)
    if time is None or post is not None:
        return before_after(*split_moments(lf, outcome, flag), alpha=alpha)
    days = _daily(lf, outcome, time, flag)
    res = before_after_series(days["y"].to_numpy(), days["_f"].to_numpy(), alpha=alpha,
                              n_obs=int(days["n"].sum()))
    return replace(res, n_units=None if pp is None else pp.height)


__all__ = ["before_after", "before_after_paired", "before_after_series",
           "estimate_before_after"]
