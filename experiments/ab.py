"""Randomized comparison: Welch's t-test, and CUPED adjustment on a pre-period covariate.

Relative effects divide by the control mean; their interval uses the delta method,
var(r) ≈ v_t/(n_t m_c²) + m_t² v_c/(n_c m_c⁴), with the Welch degrees of freedom.
CUPED (Deng et al. 2013): θ = cov(Y, X)/var(X) on the pooled sample, Y_adj = Y − θ(X − X̄),
then Welch on the adjusted outcome (computed from group moments, no row loops).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from experiments._tdist import t_ppf, t_sf
from experiments.panel import post_flag
from experiments.results import NAN, Design, EffectResult, degenerate
from experiments.summaries import (
    Bivariate,
    Moments,
    bivariate_by_group,
    require_columns,
    split_moments,
    unit_group_means,
    unit_pre_post,
)


def welch(
    control: Moments, treated: Moments, *, alpha: float = 0.05, design: Design = "ab",
    method: str = "Welch two-sample t-test", n_units: int | None = None,
    warnings: tuple[str, ...] = (), details: tuple[tuple[str, float], ...] = (),
) -> EffectResult:
    """Welch's t-test of treated minus control, with interval and relative effect."""
    kw: dict[str, Any] = dict(method=method, n_obs=control.n + treated.n, n_units=n_units,
              n_treated=treated.n, n_control=control.n, warnings=warnings)
    if treated.n == 0:
        return degenerate(design, "no_treated", **kw)
    if control.n == 0:
        return degenerate(design, "no_control", **kw)
    effect = treated.mean - control.mean
    if treated.n < 2 or control.n < 2:
        return degenerate(design, "too_few_observations", effect=effect,
                          baseline_mean=control.mean, **kw)
    vt, vc = treated.var / treated.n, control.var / control.n
    se = math.sqrt(vt + vc)
    if not se > 0:
        return degenerate(design, "zero_variance", effect=effect, baseline_mean=control.mean,
                          **kw)
    df = (vt + vc) ** 2 / (vt**2 / (treated.n - 1) + vc**2 / (control.n - 1))
    crit = t_ppf(1 - alpha / 2, df)
    p = 2 * t_sf(abs(effect) / se, df)
    codes = warnings
    mc = control.mean
    if mc != 0:
        rel = effect / mc
        se_rel = math.sqrt(vt / mc**2 + treated.mean**2 * vc / mc**4)
        r_lo, r_hi = rel - crit * se_rel, rel + crit * se_rel
    else:
        rel = r_lo = r_hi = NAN
        codes = (*codes, "zero_baseline_mean")
    return EffectResult(
        design=design, effect=effect, relative_effect=rel, ci_low=effect - crit * se,
        ci_high=effect + crit * se, relative_ci_low=r_lo, relative_ci_high=r_hi, p_value=p,
        se=se, baseline_mean=mc, method=f"{method}, df={df:.1f}", n_obs=control.n + treated.n,
        n_units=n_units, n_treated=treated.n, n_control=control.n, details=details,
    ).with_warnings(*codes)


def cuped(control: Bivariate, treated: Bivariate, *, alpha: float = 0.05,
          n_units: int | None = None) -> EffectResult:
    """CUPED: Welch on Y − θ(X − X̄) with θ = cov(Y, X)/var(X) pooled over both groups."""
    n = control.n + treated.n
    if control.n == 0 or treated.n == 0 or n < 3:
        return welch(Moments(control.n, control.mean_y, control.var_y),
                     Moments(treated.n, treated.mean_y, treated.var_y), alpha=alpha,
                     design="ab_cuped", n_units=n_units)
    mx = (control.n * control.mean_x + treated.n * treated.mean_x) / n
    my = (control.n * control.mean_y + treated.n * treated.mean_y) / n
    groups = (control, treated)

    def pooled(within: tuple[float, float], dev: tuple[float, float]) -> float:
        return sum((g.n - 1) * w + g.n * d for g, w, d in zip(groups, within, dev, strict=True)
                   ) / (n - 1)

    dx = tuple(g.mean_x - mx for g in groups)
    dy = tuple(g.mean_y - my for g in groups)
    var_x = pooled((control.var_x, treated.var_x), (dx[0] ** 2, dx[1] ** 2))
    cov_xy = pooled((control.cov_xy, treated.cov_xy), (dx[0] * dy[0], dx[1] * dy[1]))
    var_y = pooled((control.var_y, treated.var_y), (dy[0] ** 2, dy[1] ** 2))
    raw = tuple(Moments(g.n, g.mean_y, g.var_y) for g in groups)
    if not (np.isfinite(var_x) and var_x > 1e-12 * max(1.0, mx * mx)):
        return welch(*raw, alpha=alpha, design="ab_cuped", n_units=n_units,
                     warnings=("cuped_constant_covariate",))
    theta = cov_xy / var_x
    adj = tuple(Moments(g.n, g.mean_y - theta * (g.mean_x - mx),
                        max(g.var_y - 2 * theta * g.cov_xy + theta**2 * g.var_x, 0.0))
                for g in groups)
    reduction = 1 - (var_y - cov_xy**2 / var_x) / var_y if var_y > 0 else NAN
    return welch(adj[0], adj[1], alpha=alpha, design="ab_cuped", n_units=n_units,
                 method=f"CUPED (theta={theta:.4g}) then Welch two-sample t-test",
                 details=(("theta", theta), ("variance_reduction", reduction)))


def estimate_ab(
    lf: pl.LazyFrame, *, outcome: str, group: str, treatment: str | None = None,
    unit: str | None = None, covariate: str | None = None, time: str | None = None,
    pilot_start: object = None, alpha: float = 0.05,
) -> EffectResult:
    """A/B comparison from a (lazy) frame; CUPED when a covariate or a pre-period is given.

    `group` is a boolean/0-1 column, or any column compared with `treatment`. With `unit`,
    rows are averaged per unit first. With `time` and `pilot_start` (and `unit`), the outcome
    is each unit's pilot-period mean and the covariate its baseline mean.
    """
    require_columns(lf, outcome, group, unit, covariate, time)
    flag = (pl.col(group).cast(pl.String) == treatment) if treatment is not None else (
        pl.col(group).cast(pl.Boolean))
    if time is not None:
        if unit is None:
            raise ValueError("a pre-period covariate from --time needs --unit")
        pp = unit_pre_post(lf, unit, outcome, post_flag(lf, time=time, pilot_start=pilot_start),
                           flag).drop_nulls()
        return _from_units(pp["post"].to_numpy(), pp["pre"].to_numpy(), pp["g"].to_numpy(),
                           alpha)
    if unit is not None:
        um = unit_group_means(lf, unit, outcome, flag, covariate)
        x = um["x"].to_numpy() if covariate else None
        return _from_units(um["y"].to_numpy(), x, um["g"].to_numpy(), alpha)
    if covariate is not None:
        return cuped(*bivariate_by_group(lf, outcome, covariate, flag), alpha=alpha)
    return welch(*split_moments(lf, outcome, flag), alpha=alpha)


def _from_units(y: np.ndarray, x: np.ndarray | None, g: np.ndarray, alpha: float) -> EffectResult:
    """Welch or CUPED on per-unit arrays."""
    g = g.astype(bool)
    if x is None:
        return welch(Moments.of(y[~g]), Moments.of(y[g]), alpha=alpha, n_units=int(y.size))
    return cuped(Bivariate.of(y[~g], x[~g]), Bivariate.of(y[g], x[g]), alpha=alpha,
                 n_units=int(y.size))


__all__ = ["cuped", "estimate_ab", "welch"]
