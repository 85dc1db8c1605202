"""Before/after for one group: pilot-period mean minus baseline mean.

Without units, Welch's t-test compares baseline and pilot-period readings. With units,
each unit is summarised by its baseline and pilot-period means and the test is the paired
t-test on the per-unit differences (units seen in both periods): readings of one unit are
not independent, and pairing removes the between-unit variation. The relative effect
divides by the baseline mean; for the paired test its interval divides the effect's
interval by that mean, taken as fixed. A before/after comparison has no control group, so
anything else that changed at the pilot start is attributed to the pilot.
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
    return _relabel(r)


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
    return EffectResult(
        design="before_after", effect=effect, relative_effect=effect / base if ok else NAN,
        ci_low=lo, ci_high=hi, relative_ci_low=min(lo / base, hi / base) if ok else NAN,
        relative_ci_high=max(lo / base, hi / base) if ok else NAN,
        p_value=2 * t_sf(abs(effect) / se, n - 1), se=se, baseline_mean=base,
        **{**kw, "method": f"{method}, df={n - 1}"},
    ).with_warnings(*(() if ok else ("zero_baseline_mean",)))


def estimate_before_after(
    lf: pl.LazyFrame, *, outcome: str, post: str | None = None, time: str | None = None,
    pilot_start: object = None, unit: str | None = None, alpha: float = 0.05,
) -> EffectResult:
    """Before/after from a (lazy) frame: a post flag column, or a time column and start."""
    require_columns(lf, outcome, unit)
    flag = post_flag(lf, post=post, time=time, pilot_start=pilot_start)
    if unit is None:
        return before_after(*split_moments(lf, outcome, flag), alpha=alpha)
    pp = unit_pre_post(lf, unit, outcome, flag)
    pre_m, post_m = split_moments(lf, outcome, flag)
    return before_after_paired(pp["pre"].to_numpy(), pp["post"].to_numpy(), alpha=alpha,
                               n_obs=pre_m.n + post_m.n)


__all__ = ["before_after", "before_after_paired", "estimate_before_after"]
