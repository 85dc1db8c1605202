"""Synthetic control for pilots with one or two treated zones (Abadie, Diamond & Hainmueller).

The estimator
-------------
Each treated zone's untreated path is a weighted average of the control zones, the weights
non-negative and summing to one, chosen so that the weighted controls reproduce the zone's
baseline outcomes period by period: w = argmin ‖y₁,pre − Y₀,pre w‖² on the simplex
(Abadie & Gardeazabal 2003; Abadie, Diamond & Hainmueller 2010, JASA 105(490)). Only the
baseline outcomes are matched — the platform has zone × period KPI data, not covariates —
which is the outcome-only synthetic control of Doudchenko & Imbens (2016) and the `sc`
estimator of Arkhangelsky et al. (2021, AER 111(12)); with every baseline period as a
predictor, covariates add little (Kaul, Klößner, Pfeifer & Schieler 2022). The effect is
treated − synthetic, by period and averaged over the pilot period. With two treated zones
each gets its own synthetic control and the two gaps are averaged (as Cavallo, Galiani, Noy
& Pantano 2013 combine several treated units).

Solver: Lawson–Hanson non-negative least squares (`scipy.optimize.nnls`) on the system
augmented with a heavily weighted row M·1ᵀw = M, which enforces Σw = 1 to ~1e-9 (then
renormalized). NNLS is an exact active-set method, deterministic and fast for the hundreds
of fits placebo inference needs; SLSQP reaches the same weights (checked in the tests) but
stops at a tolerance and needs rescaled data to converge at all.

Inference: placebo in space
---------------------------
Each control zone in turn (with two treated zones: each pair of control zones) is treated
as if it had received the pilot, its synthetic control built from the other control zones;
the statistic is the ratio of the pilot-period RMSPE (root mean squared gap) to the
baseline RMSPE, which discounts placebos that fit badly before the start (ADH 2010,
section 5), and the p-value is the treated zones' rank, (1 + placebos at least as large) /
(1 + placebos).

One change to ADH: each placebo is compared with the treated zones refitted on the *same*
donors (the control zones outside that placebo). In ADH's form the treated zones have one
or two donors more than every placebo, fit the baseline more closely (overfit), and their
ratio is inflated: on the simulated panels below it rejected a true null 9.1% of the time
at 2 treated / 10 control zones (5.2% at 1 / 20; 1,000 null runs each). Matched, each
comparison is symmetric — swapping the treated zones with the placebo's leaves the donors
unchanged. (Letting the treated zones, shifted by the hypothesised effect, serve as donors
too gives an exact permutation test, but in a trial at 2 / 10 its intervals were unbounded
in 23% of runs: placebos leaning on the treated zones grow with any effect.) The reported
estimate and weights are the treated zones' fit on every control zone.

Interval: the constant effects τ the test does not reject (p > α, the convention of
`experiments.inference`; the inversion of Firpo & Possebom 2018). The weights are fitted on
the baseline, which τ does not change, so a comparison does not reject τ exactly when τ lies
in ḡ ± √(r²·RMSPE²_pre − s²) (ḡ and s² the mean and variance of the treated zones' pilot
gaps on that comparison's donors, RMSPE_pre their baseline error, r the placebo's ratio):
the accepted set is where at least ⌊α(1 + placebos)⌋ of these intervals overlap, found
exactly, and its hull is reported. Unbounded when fewer than 1/α − 1 placebos exist
(`synthetic_few_controls`: one treated zone needs 19 control zones at 5%, two need 7, whose
21 pairs suffice); empty when no constant effect fits (`synthetic_no_constant_effect`: the
gap moved too much over the pilot period); when the accepted set is not one interval and
its hull contains 0 although p ≤ α, `synthetic_ci_not_interval` says so. The conformal
inference of Chernozhukov, Wüthrich & Zhu (2021) was not used: it refits the weights on the
pilot period for each τ and assumes gaps stationary over time, which installation effects
and seasons rarely grant a pilot. Effects by period (binned to at most `MAX_POINTS`) carry
the same inversion with the statistic |gap − τ| / baseline RMSPE.

Simulation (`bench/synthetic_coverage.py --runs 1000`: the zone × day panels of
`bench/coverage.py`, zone and day effects, AR(1) zone shocks ρ = 0.5, 14 + 14 days; planted
effect −0.8; "T ×2" = treated shocks twice the controls'):

    noise  T/C  | cover    FP   | unbounded  empty
    equal  1/10 | 100.0%  0.0%  |  100.0%    0.0%   (1/11 > 5%: never significant)
    equal  1/20 |  95.5%  4.3%  |    0.0%    2.1%
    equal  2/10 |  95.1%  4.7%  |    0.0%    1.4%
    equal  2/20 |  94.9%  4.8%  |    0.0%    1.2%
    T ×2   1/10 | 100.0%  0.0%  |  100.0%    0.0%
    T ×2   1/20 |  98.6%  1.2%  |    0.0%    0.5%
    T ×2   2/10 |  98.0%  3.1%  |    0.0%    0.9%
    T ×2   2/20 |  98.4%  1.6%  |    0.0%    0.3%

Coverage counts an empty interval as a miss. Noisier treated zones make the test
conservative (their baseline RMSPE grows with their noise, and the ratio divides by it).

Warnings in plain words (`experiments.messages`): the treated zone outside the controls'
range in most baseline periods (`synthetic_outside_hull`); a baseline fit more than twice as
poor as the placebos' median (`synthetic_poor_fit`); too few control zones for p ≤ α.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy.optimize import nnls

from experiments.did import relative_interval
from experiments.panel import Panel, TimeGrain, build_panel
from experiments.results import (
    NAN,
    EffectResult,
    EventPoint,
    EventStudy,
    SyntheticFit,
    SyntheticPoint,
    degenerate,
)

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MAX_TREATED = 2
MIN_BASELINE_PERIODS = 3
MIN_CONTROL_COVERAGE = 0.9  # a control zone missing more periods than this is left out
POOR_FIT_FACTOR = 2.0  # baseline RMSPE above this × the placebos' median: poor fit
MAX_PLACEBOS = 2000  # placebo sets beyond this are a fixed-seed sample
MAX_LISTED = 100  # placebo ratios listed in the result up to this many placebos
MAX_POINTS = 40  # effects by period: at most this many points (consecutive periods binned)
_PENALTY = 1e4  # weight of the Σw = 1 row relative to the (scaled) outcomes


def simplex_weights(y0: FloatArray, y1: FloatArray) -> FloatArray:
    """argmin ‖y1 − y0 w‖² over w ≥ 0, Σw = 1 (y0: periods × donors), by augmented NNLS."""
    j = y0.shape[1]
    if j == 1:
        return np.ones(1)
    scale = float(np.sqrt(np.mean(y0 * y0))) or 1.0
    a = np.vstack([y0 / scale, np.full((1, j), _PENALTY)])
    b = np.concatenate([y1 / scale, [_PENALTY]])
    w, _ = nnls(a, b, maxiter=50 * j)
    total = w.sum()
    return w / total if total > 0 else np.full(j, 1.0 / j)


def _matrix(panel: Panel) -> FloatArray:
    """Units × periods outcome matrix (NaN where a cell is missing)."""
    y = np.full((len(panel.units), len(panel.periods)), np.nan)
    y[panel.unit_idx, panel.time_idx] = panel.y
    return y


def _placebo_sets(n_control: int, n_treated: int, seed: int = 0) -> list[tuple[int, ...]]:
    """Each control zone (one treated zone) or pair of them (two); a fixed-seed sample of
    `MAX_PLACEBOS` when there are more."""
    sets = list(itertools.combinations(range(n_control), n_treated))
    if len(sets) > MAX_PLACEBOS:
        rng = np.random.default_rng(seed)
        sets = [sets[i] for i in np.sort(rng.choice(len(sets), MAX_PLACEBOS, replace=False))]
    return sets


def _gap(y: FloatArray, post: BoolArray, members: FloatArray,
         donors: FloatArray) -> FloatArray:
    """Mean over `members` (rows) of each one's gap to its synthetic control from `donors`."""
    base = donors[:, ~post].T
    return np.asarray(np.mean([m - simplex_weights(base, m[~post]) @ donors for m in members],
                              axis=0), dtype=np.float64)


def _comparisons(yt: FloatArray, yc: FloatArray, post: BoolArray,
                 sets: Sequence[tuple[int, ...]]) -> tuple[FloatArray, FloatArray]:
    """Per placebo set: its gap (its zones fitted on the other controls) and the treated
    zones' gap fitted on the very same donors (sets × periods each)."""
    placebo, observed = np.empty((len(sets), post.size)), np.empty((len(sets), post.size))
    for row, members in enumerate(sets):
        donors = np.delete(yc, members, axis=0)
        placebo[row] = _gap(yc, post, yc[list(members)], donors)
        observed[row] = _gap(yc, post, yt, donors)
    return placebo, observed


def _invert(centre: FloatArray, spread: FloatArray, scale: FloatArray, placebo: FloatArray,
            alpha: float) -> tuple[float, float, float]:
    """(lo, hi, p at τ = 0) of the placebo test inverted for a constant effect τ.

    Comparison i does not reject τ when the placebo's statistic is at least the treated
    one's, √((centre − τ)² + spread) / scale ≤ placebo: τ in centre ± √(placebo²·scale² −
    spread). p(τ) = (1 + comparisons not rejecting) / (1 + comparisons); the τ with
    p > α are those inside at least k = ⌊α(1 + n)⌋ of these intervals; their hull is
    returned (NaN, NaN when there are none, unbounded when k = 0).
    """
    n = centre.size
    h2 = placebo**2 * scale**2 - spread
    ok = h2 >= 0
    half = np.sqrt(np.where(ok, h2, 0.0))
    lo_i, hi_i = (centre - half)[ok], (centre + half)[ok]
    p0 = (1 + int(np.sum((lo_i <= 0) & (hi_i >= 0)))) / (n + 1)
    k = math.floor(alpha * (n + 1) + 1e-9)
    if k == 0:
        return -math.inf, math.inf, p0
    if lo_i.size == 0:
        return NAN, NAN, p0
    ends = np.concatenate([lo_i, hi_i])
    inside = (np.searchsorted(np.sort(lo_i), ends, side="right")
              - np.searchsorted(np.sort(hi_i), ends, side="left"))
    good = ends[inside >= k]
    if good.size == 0:
        return NAN, NAN, p0
    return float(good.min()), float(good.max()), p0


def _bins(post: BoolArray) -> tuple[npt.NDArray[np.int64], int]:
    """Bin of each period relative to the first pilot period (at most `MAX_POINTS` bins)."""
    first = int(np.argmax(post))
    width = max(1, math.ceil(post.size / MAX_POINTS))
    return np.floor_divide(np.arange(post.size) - first, width), width


def synthetic_control(panel: Panel, *, alpha: float = 0.05, seed: int = 0) -> EffectResult:
    """Synthetic control of 1–2 treated zones with placebo-in-space inference (ADH 2010)."""
    base = ("synthetic control (Abadie, Diamond & Hainmueller 2010): non-negative weights "
            "summing to 1 on control zones, fitted on the baseline outcomes")
    y = _matrix(panel)
    treated = panel.treated
    n_tr, n_co = int(treated.sum()), int((~treated).sum())
    kw: dict[str, Any] = dict(method=base, n_obs=panel.n_cells, n_units=len(panel.units),
                              n_periods=len(panel.periods), n_treated=n_tr, n_control=n_co,
                              warnings=panel.warnings)
    code = ("no_data" if panel.n_cells == 0 else "no_treated" if n_tr == 0 else
            "synthetic_too_many_treated" if n_tr > MAX_TREATED else
            "no_pilot_period" if not panel.post.any() else
            "no_baseline" if panel.post.all() else None)
    if code:
        return degenerate("synthetic_control", code, **kw)
    # a balanced matrix: the treated zones' periods, controls seen in nearly all of them
    tr_idx = np.flatnonzero(treated)
    keep_t = np.isfinite(y[tr_idx]).all(axis=0)
    co_idx = np.flatnonzero(~treated)
    if keep_t.any():
        co_idx = co_idx[np.isfinite(y[co_idx][:, keep_t]).mean(axis=1) >= MIN_CONTROL_COVERAGE]
    keep_t &= np.isfinite(y[co_idx]).all(axis=0)
    post = panel.post[keep_t]
    kw.update(n_control=int(co_idx.size), n_periods=int(keep_t.sum()),
              n_units=n_tr + int(co_idx.size))
    if co_idx.size < max(2, n_tr + 1):  # each placebo set must leave a donor
        return degenerate("synthetic_control", "synthetic_too_few_controls", **kw)
    if not post.any():
        return degenerate("synthetic_control", "no_pilot_period", **kw)
    if int((~post).sum()) < MIN_BASELINE_PERIODS:
        return degenerate("synthetic_control", "synthetic_too_few_baseline", **kw)
    yt, yc = y[tr_idx][:, keep_t], y[co_idx][:, keep_t]
    w_tr = np.stack([simplex_weights(yc[:, ~post].T, yt[i, ~post]) for i in range(n_tr)])
    synth = (w_tr @ yc).mean(axis=0)
    gap = yt.mean(axis=0) - synth
    sets = _placebo_sets(co_idx.size, n_tr, seed)
    placebo, observed = _comparisons(yt, yc, post, sets)
    floor = 1e-12 * max(1.0, float(np.abs(yc).max()))
    pre_p = np.maximum(np.sqrt(np.mean(placebo[:, ~post] ** 2, axis=1)), floor)
    pre_o = np.maximum(np.sqrt(np.mean(observed[:, ~post] ** 2, axis=1)), floor)
    ratio_p = np.sqrt(np.mean(placebo[:, post] ** 2, axis=1)) / pre_p
    lo, hi, p = _invert(observed[:, post].mean(axis=1), observed[:, post].var(axis=1), pre_o,
                        ratio_p, alpha)
    pre = max(float(np.sqrt(np.mean(gap[~post] ** 2))), floor)
    effect = float(gap[post].mean())
    warnings: list[str] = []
    if math.isinf(lo) and math.isinf(hi):
        warnings.append("synthetic_few_controls")
    if math.isnan(lo):
        warnings.append("synthetic_no_constant_effect")
    elif p <= alpha and lo <= 0 <= hi:
        warnings.append("synthetic_ci_not_interval")
    base_tr, base_co = yt[:, ~post], yc[:, ~post]
    outside = ((base_tr > base_co.max(axis=0)) | (base_tr < base_co.min(axis=0))).mean(axis=1)
    if (outside > 0.5).any():
        warnings.append("synthetic_outside_hull")
    median_pre = float(np.median(pre_p))
    if pre > POOR_FIT_FACTOR * median_pre:
        warnings.append("synthetic_poor_fit")
    treated_post = float(yt[:, post].mean())
    cf = treated_post - effect
    ok = cf != 0 and math.isfinite(cf)
    if not ok:
        warnings.append("zero_baseline_mean")
    if math.isinf(lo) or math.isinf(hi):
        warnings.append("ci_unbounded")
    r_lo, r_hi = (relative_interval(lo, hi, treated_post) if ok and not math.isnan(lo)
                  else (NAN, NAN))
    periods = [panel.periods[i] for i in np.flatnonzero(keep_t)]
    units = [panel.units[i] for i in co_idx]
    level = float(np.abs(base_tr).mean())
    post_rmspe = float(np.sqrt(np.mean(gap[post] ** 2)))
    names = ["+".join(units[m] for m in members) for members in sets]
    synth_fit = SyntheticFit(
        weights=tuple(zip(units, (float(v) for v in w_tr.mean(axis=0)), strict=True)),
        weights_by_treated=tuple(
            (panel.units[t], tuple(zip(units, (float(v) for v in w), strict=True)))
            for t, w in zip(tr_idx, w_tr, strict=True)),
        pre_rmspe=pre, post_rmspe=post_rmspe, rmspe_ratio=post_rmspe / pre,
        pre_rmspe_relative=pre / level if level > 0 else NAN,
        placebo_pre_rmspe_median=median_pre, n_placebos=len(sets),
        placebo_ratios=tuple(zip(names, (float(v) for v in ratio_p), strict=True))
        if len(sets) <= MAX_LISTED else (),
        path=tuple(SyntheticPoint(periods[t], bool(post[t]), float(yt[:, t].mean()),
                                  float(synth[t]), float(gap[t]))
                   for t in range(post.size)))
    kind = "control zones" if n_tr == 1 else "pairs of control zones"
    how = (f"{base}; placebo-in-space inference ({len(sets)} {kind}"
           f"{', a fixed-seed sample' if len(sets) == MAX_PLACEBOS else ''}, each compared "
           "with the treated zones fitted on the same donors; rank of the post/baseline RMSPE "
           "ratio; interval: the constant effects the placebo test does not reject)")
    res = EffectResult(
        design="synthetic_control", effect=effect,
        relative_effect=effect / cf if ok else NAN, ci_low=lo, ci_high=hi,
        relative_ci_low=r_lo, relative_ci_high=r_hi, p_value=p, se=NAN,
        baseline_mean=cf, method=how,
        details=(("n_readings", float(panel.n_readings)), ("n_placebos", float(len(sets))),
                 ("pre_rmspe", pre), ("rmspe_ratio", post_rmspe / pre)),
        event_study=_by_period(gap, placebo, observed, pre_p, pre_o, post, periods, alpha),
        synthetic=synth_fit,
        **{k: v for k, v in kw.items() if k not in ("method", "warnings")},
    )
    return res.with_warnings(*panel.warnings, *warnings)


def _by_period(gap: FloatArray, placebo: FloatArray, observed: FloatArray, pre_p: FloatArray,
               pre_o: FloatArray, post: BoolArray, periods: Sequence[str],
               alpha: float) -> EventStudy:
    """Gaps by (binned) period relative to the start, each with its placebo interval."""
    bins, width = _bins(post)
    points = []
    for b in np.unique(bins):
        sel = bins == b
        centre = observed[:, sel].mean(axis=1)
        lo, hi, p = _invert(centre, np.zeros_like(centre), pre_o,
                            np.abs(placebo[:, sel].mean(axis=1)) / pre_p, alpha)
        points.append(EventPoint(int(b), periods[int(np.argmax(sel))], float(gap[sel].mean()),
                                 lo, hi, p))
    return EventStudy(reference=-1, periods_per_point=width, points=tuple(points),
                      method="synthetic control gaps (treated − synthetic) by period; "
                             "intervals from the placebo test on |gap| / baseline RMSPE "
                             "(before the start: how well the baseline was fitted)")


def estimate_synthetic_control(
    lf: pl.LazyFrame, *, unit: str, time: str, outcome: str, treated_units: Sequence[str],
    pilot_start: object, control_units: Sequence[str] | None = None,
    time_grain: TimeGrain | None = None, alpha: float = 0.05, seed: int = 0,
) -> EffectResult:
    """Synthetic control from raw readings: unit × bucket means, then `synthetic_control`."""
    panel = build_panel(lf, unit=unit, time=time, outcome=outcome, treated_units=treated_units,
                        pilot_start=pilot_start, control_units=control_units,
                        time_grain=time_grain)
    return synthetic_control(panel, alpha=alpha, seed=seed)


__all__ = ["MAX_TREATED", "estimate_synthetic_control", "simplex_weights", "synthetic_control"]
