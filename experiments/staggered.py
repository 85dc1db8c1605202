"""Staggered adoption: treated zones starting on different dates, by imputation.

Plain two-way fixed effects with one treated×post dummy is biased when zones start at
different times and effects differ across zones or grow with time (already-treated zones
serve as controls: Goodman-Bacon 2021; de Chaisemartin & D'Haultfœuille 2020). The
imputation estimator of Borusyak, Jaravel & Spiess (2024), "Revisiting Event-Study Designs:
Robust and Efficient Estimation", Review of Economic Studies 91(6), is valid under such
heterogeneity:

1. fit y = α_zone + λ_period on the untreated cells only (never-treated zones, and treated
   zones before their own start);
2. impute each treated cell's untreated outcome α̂ + λ̂ and take τ̂ = y − (α̂ + λ̂);
3. the effect is the mean of τ̂ over treated cells (every treated zone-period weighs the
   same: the ATT over the pilot's treated cells).

Inference: randomization over zones — the observed vector of start dates (never = no start)
is reassigned among the zones by `MAX_PERMUTATIONS` fixed-seed permutations, the estimator
refitted for each, and the interval is the test inversion of a constant shift τ (the
estimator is linear in the outcome, so each permutation's estimate is a − τ·c). It permutes
the raw estimate, so it assumes zones comparable in noise (see `experiments.inference` for
the standardized test used by the common-start design).

Coverage (`bench/coverage.py`, 1,000 runs, 28 days, 4 zones starting on day 10, 4 on day 18,
12 never, effects growing by −0.05 a day since each zone's start, AR(1) ρ = 0.5, 200
permutations): the interval covers the true ATT in 95.4% of runs; 5.0% false positives
with no effect.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from experiments.inference import randomization_test
from experiments.panel import Panel, TimeGrain, build_panel
from experiments.results import NAN, EffectResult, degenerate
from experiments.twfe import TwoWay

MAX_PERMUTATIONS = 1000
NEVER = np.iinfo(np.int64).max
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def imputation_estimates(ui: IntArray, ti: IntArray, v: FloatArray, start: IntArray,
                         n_units: int, n_periods: int) -> FloatArray:
    """Imputation ATT of each column of `v` (cells × m) given each unit's first treated period.

    Returns NaN when the untreated cells do not identify every needed unit and period effect.
    """
    treated_cell = ti >= start[ui]
    untreated = ~treated_cell
    if not treated_cell.any():
        return np.full(v.shape[1], np.nan)
    try:
        proj = TwoWay(ui[untreated], ti[untreated], n_units, n_periods)
    except ValueError:
        return np.full(v.shape[1], np.nan)
    u0, t0 = ui[untreated], ti[untreated]
    m = v.shape[1]
    rhs_u = np.stack([np.bincount(u0, v[untreated, j], n_units) for j in range(m)], 1)
    rhs_t = np.stack([np.bincount(t0, v[untreated, j], n_periods) for j in range(m)], 1)
    alpha, lam = proj.effects(rhs_u.astype(np.float64), rhs_t.astype(np.float64))
    fitted = alpha[ui[treated_cell]] + lam[ti[treated_cell]]
    return np.asarray((v[treated_cell] - fitted).mean(axis=0), dtype=np.float64)


def did_staggered(panel: Panel, start: npt.ArrayLike, *, alpha: float = 0.05,
                  seed: int = 0, max_permutations: int = MAX_PERMUTATIONS) -> EffectResult:
    """Imputation DiD for per-unit start periods (`NEVER` or ≥ n_periods: never treated)."""
    st = np.asarray(start, dtype=np.int64)
    n_u, n_t = len(panel.units), len(panel.periods)
    ui, ti, y = panel.unit_idx, panel.time_idx, panel.y
    treated_units = st < n_t
    # periods without any cell (a gap left out) are dropped; starts move to the next period
    used = np.bincount(ti, minlength=n_t) > 0
    before = np.concatenate([[0], np.cumsum(used)])  # used periods before index i
    st = np.where(treated_units, before[np.minimum(st, n_t)], NEVER)
    ti = (np.cumsum(used) - 1)[ti]
    n_t = int(used.sum())
    base = "imputation DiD (Borusyak, Jaravel & Spiess 2024), y ~ C(unit) + C(time) on " \
           "untreated cells"
    kw: dict[str, Any] = dict(method=base, n_obs=panel.n_cells, n_units=n_u, n_periods=n_t,
                              n_treated=int(treated_units.sum()),
                              n_control=int((~treated_units).sum()))
    if not treated_units.any():
        return degenerate("did_staggered", "no_treated", **kw)
    if treated_units.all():
        return degenerate("did_staggered", "no_control", **kw)
    d_obs = (ti >= st[ui]).astype(float)
    obs = imputation_estimates(ui, ti, np.column_stack([y, d_obs]), st, n_u, n_t)
    if not math.isfinite(obs[0]):
        return degenerate("did_staggered", "not_identified", **kw)
    effect = float(obs[0])
    y1 = float(y[d_obs > 0].mean())
    rng = np.random.default_rng(seed)
    a, c = [effect], [1.0]
    for _ in range(max_permutations - 1):
        perm = st[rng.permutation(n_u)]
        est = imputation_estimates(ui, ti, np.column_stack([y, d_obs]), perm, n_u, n_t)
        a.append(est[0])
        c.append(est[1])
    r = randomization_test(np.asarray(a), np.asarray(c), alpha, exact=False)
    from experiments.did import relative_interval

    cf = y1 - effect
    r_lo, r_hi = relative_interval(r.ci_low, r.ci_high, y1) if cf != 0 else (NAN, NAN)
    cohorts = len(set(st[treated_units].tolist()))
    res = EffectResult(
        design="did_staggered", effect=effect, relative_effect=effect / cf if cf else NAN,
        ci_low=r.ci_low, ci_high=r.ci_high, relative_ci_low=r_lo, relative_ci_high=r_hi,
        p_value=r.p_value, se=NAN, baseline_mean=cf,
        method=f"{base}; randomization inference (fixed-seed sample of {r.n_assignments} "
               f"permutations of the start dates, test inversion); {cohorts} start dates",
        details=(("n_readings", float(panel.n_readings)), ("n_cohorts", float(cohorts)),
                 ("n_assignments", float(r.n_assignments))),
        **{k: v for k, v in kw.items() if k != "method"},
    )
    codes = ("ci_unbounded",) if math.isinf(r.ci_low) or math.isinf(r.ci_high) else ()
    return res.with_warnings(*codes)


def _period_starts(labels: Sequence[str]) -> list[dt.datetime | None]:
    out: list[dt.datetime | None] = []
    for label in labels:
        try:
            out.append(dt.datetime.fromisoformat(label))
        except ValueError:
            out.append(None)
    return out


def estimate_did_staggered(
    lf: pl.LazyFrame, *, unit: str, time: str, outcome: str, starts: Mapping[str, dt.datetime],
    control_units: Sequence[str] | None = None, time_grain: TimeGrain | None = None,
    alpha: float = 0.05, seed: int = 0,
) -> EffectResult:
    """Staggered DiD from raw readings: bucket means, then `did_staggered`.

    `starts` maps each treated unit to its start (a datetime); a unit's first treated bucket
    is the first whose start is at or after it (the bucket containing a mid-bucket start
    is dropped for that unit).
    """
    panel = build_panel(lf, unit=unit, time=time, outcome=outcome,
                        treated_units=list(starts), pilot_start=None,
                        control_units=control_units, time_grain=time_grain)
    bucket = _period_starts(panel.periods)
    start = np.full(len(panel.units), NEVER, dtype=np.int64)
    drop = np.zeros(panel.n_cells, dtype=bool)
    for i, u in enumerate(panel.units):
        if u not in starts:
            continue
        s = starts[u]
        first = next((j for j, b in enumerate(bucket) if b is not None and b >= s), None)
        start[i] = len(bucket) if first is None else first
        if first is not None and first > 0 and bucket[first] != s:
            drop |= (panel.unit_idx == i) & (panel.time_idx == first - 1)
    from dataclasses import replace

    if drop.any():
        panel = replace(panel, unit_idx=panel.unit_idx[~drop], time_idx=panel.time_idx[~drop],
                        y=panel.y[~drop])
    return did_staggered(panel, start, alpha=alpha, seed=seed)


__all__ = ["MAX_PERMUTATIONS", "NEVER", "did_staggered", "estimate_did_staggered",
           "imputation_estimates"]
