"""Inference with few zones: cluster-robust standard errors or randomization inference.

The rule
--------
Cluster-robust (CR1) standard errors, with Student-t critical values on min(G₁, G₀) − 1
degrees of freedom (G₁ treated and G₀ control clusters; with unequal variability the smaller
side drives the variance, so G − 1 was too liberal: 92% coverage at 10 noisier treated vs
20 controls), are used only when there are at least `MIN_CLUSTERS` (= 10) clusters containing a
treated unit AND at least 10 containing a control unit. Otherwise the p-value and interval
come from randomization inference: the treatment is reassigned among the units (clusters)
in every possible way — all C(n, n_treated) sets when there are at most
`MAX_ASSIGNMENTS` (= 5000), else that many assignments drawn with a fixed seed. An explicit
`inference="cluster"` below the threshold is refused (`cluster_inference_refused`), never
silently replaced; `inference="randomization"` is always honoured.

What is permuted (panel DiD)
----------------------------
Not the raw coefficient: permuting it assumes the zones are exchangeable, and when the pilot
zones are noisier than the controls (a prototype that changes behaviour, a busy district)
it rejected a true null 18–20% of the time at 2–5 treated zones. Each zone's pilot-minus-
baseline difference is centred on the 1/variance-weighted mean over all zones and divided
by that zone's own baseline SD (`experiments.heterogeneity.standardized_statistic`); the
statistic is the treated minus control mean of those standardized differences. If each
zone's noise is its own scale times a common process, the standardized differences have one
distribution whatever the scale, so the permutation stays valid — a studentized
randomization test in the sense of Chung & Romano (2013) and Canay, Romano & Shaikh (2017),
studentizing each zone by its pre-period, which is what Ferman & Pinto (2019) use to correct
Conley–Taber for heteroskedasticity. The p-value is the share of assignments with a
statistic at least as large in absolute value; the interval is the set of constant effects τ
not rejected (treated pilot outcomes shifted by −τ; the statistic is linear in τ; ends by
bisection). The 2×2 row form permutes the Welch t of per-cluster differences instead.

With one or two treated zones the zone's own scale is estimated from too little to lean on:
when their baseline variance is clearly above the controls' (one-sided F test, p < 0.05,
`experiments.heterogeneity.treated_noisier`) the result carries `treated_noisier_few` in
plain words and the observed statistic is deflated by √((R/k + 1/m)/(1/k + 1/m)) (R the
variance ratio, k treated and m control zones): a wider interval, never a confident one.

Significance has one convention everywhere: p ≤ α (`significant`); randomization p-values
count the observed assignment, so that is the exact level-α test, and intervals, Holm and
the recommendation use the same rule.

Why
---
* Cameron & Miller (2015), "A Practitioner's Guide to Cluster-Robust Inference",
  J. Human Resources 50(2): CRVE is biased downwards with few clusters.
* Conley & Taber (2011), "Inference with 'Difference in Differences' with a Small Number
  of Policy Changes", REStat 93(1): with few treated groups the CRVE is inconsistent.
* MacKinnon & Webb (2017), J. Applied Econometrics 32(2), and (2018), Econometrics Journal
  21(2): what matters is the number of treated (and control) clusters.
* Young (2019), QJE 134(2): randomization tests are exact under the sharp null.
* Chung & Romano (2013), "Exact and asymptotically robust permutation tests", Annals of
  Statistics 41(2); Canay, Romano & Shaikh (2017), "Randomization tests under an
  approximate symmetry assumption", Econometrica 85(3): permute a studentized statistic.
* Ferman & Pinto (2019), "Inference in Differences-in-Differences with Few Treated Groups
  and Heteroskedasticity", REStat 101(3).

Each zone's baseline SD comes from its baseline cells after removing its own mean and the
period means (`experiments.heterogeneity.baseline_unit_variances`). Those period means are
precision-weighted, and each cell's squared residual gets 1/Σw back (the variance the
weighted mean takes out): with equal weights, a noisy zone's own noise is a large part of
every period mean, its variance came out about 9% low and its standardized differences too
large — 5.2% false positives at 3/15 treated-noisier over 5,000 null panels, 4.5–4.7% since.

Simulation (`bench/coverage.py --runs 2000 --days 28`: zone × day panels, zone and day
effects, AR(1) zone shocks ρ = 0.5, 14 baseline + 14 pilot days; coverage / false
positives of the 95% interval; "T ×2" = treated shocks twice the controls'; warn = share
of null runs with `treated_noisier_few`):

    noise  T/C  |  default (cover FP warn) | CR1 t(G−1) (cover FP) | Welch diffs (cover FP)
    equal  1/10 |  100.0%  0.0%  11%       |  51.4%  49.3%         |    —      —
    equal  2/10 |   95.3%  4.2%  10%       |  80.9%  15.4%         |  87.9%   9.2%
    equal  3/15 |   94.5%  4.7%            |  87.1%  13.1%         |  91.8%   7.5%
    equal  5/20 |   94.2%  5.5%            |  90.5%   8.8%         |  93.8%   5.6%
    equal 10/20 |   96.9%  3.1%            |  95.2%   5.0%         |  95.5%   4.7%
    equal 20/20 |   96.2%  4.3%            |  95.5%   4.7%         |  95.4%   5.0%
    T ×2   1/10 |  100.0%  0.0%  90%       |  26.6%  72.0%         |    —      —
    T ×2   2/10 |   99.5%  0.3%  98%       |  74.8%  25.9%         |  88.9%  11.3%
    T ×2   3/15 |   95.8%  5.3%            |  82.8%  17.8%         |  92.5%   7.1%
    T ×2   5/20 |   96.2%  4.8%            |  90.5%   9.8%         |  95.2%   5.9%
    T ×2  10/20 |   95.5%  4.2%            |  93.6%   6.5%         |  94.6%   4.8%
    T ×2  20/20 |   95.4%  3.6%            |  94.8%   4.3%         |  94.7%   4.3%

2,000 runs per cell: the Monte-Carlo SD of a 5% rate is 0.5 points (at 1,000 runs, 0.7: an
exact 5% test then shows more than 6% in about one cell in twelve — the first 1,000 runs of
this table gave 6.2% at T ×2 3/15). Replications: 1,000 runs with `--seed 7700`, every cell
from 3 treated zones at 2.7–5.6% false positives and 94.5–97.4% coverage; 5,000 runs with
`--seed 9100`: 5.5% / 5.1% (equal 3/15, 5/20), 4.5% / 4.9% (T ×2 3/15, 5/20), 0.6% and a
warning in 99% of runs at T ×2 2/10. The randomization test is exact when zones are
exchangeable (the "equal" rows; 3/15 enumerates all 816 assignments, so its size is 40/816 =
4.9%). With one treated zone among ten, no p-value can go below 1/11: the interval is always
unbounded (and `pre_trend_not_checked` says the placebo could not be checked either).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from experiments._tdist import t_ppf, t_sf

Inference = Literal["auto", "cluster", "randomization"]

MIN_CLUSTERS = 10
MAX_ASSIGNMENTS = 5000
MIN_ASSIGNMENTS_WARN = 100

FloatArray = npt.NDArray[np.float64]


def choose_inference(
    n_treated_clusters: int, n_control_clusters: int, requested: Inference = "auto",
    min_clusters: int = MIN_CLUSTERS,
) -> Literal["cluster", "randomization", "refused"]:
    """Apply the rule: cluster-robust only with enough treated and control clusters.

    An explicit `"cluster"` request is honoured when the rule allows it and refused
    (`"refused"`, the caller returns the `cluster_inference_refused` reason) when it does
    not — never silently replaced. Lowering `min_clusters` is the explicit override.
    """
    enough = min(n_treated_clusters, n_control_clusters) >= min_clusters
    if requested == "cluster":
        return "cluster" if enough else "refused"
    if requested == "randomization":
        return "randomization"
    return "cluster" if enough else "randomization"


def cr1_variance(scores: FloatArray, bread: float, n_obs: int, n_params: int) -> float:
    """CR1 variance of one coefficient from per-cluster score sums (as statsmodels 'cluster')."""
    g = scores.size
    factor = g / (g - 1) * (n_obs - 1) / (n_obs - n_params)
    return float(factor * (scores @ scores) / bread**2)


def t_interval(effect: float, se: float, df: float, alpha: float) -> tuple[float, float, float]:
    """Return (ci_low, ci_high, two-sided p) of a t statistic on `df` degrees of freedom."""
    if not (se > 0 and math.isfinite(se)):
        return float("nan"), float("nan"), float("nan")
    crit = t_ppf(1 - alpha / 2, df)
    p = 2 * t_sf(abs(effect / se), df)
    return effect - crit * se, effect + crit * se, p


def fieller(num: float, den: float, v_nn: float, v_dd: float, v_nd: float, crit: float
            ) -> tuple[float, float]:
    """Fieller's interval for num/den with both estimated (variances, covariance, critical value).

    The set of ρ with (num − ρ·den)² ≤ crit²·(v_nn − 2ρ·v_nd + ρ²·v_dd): bounded when the
    denominator is clearly away from zero (den² > crit²·v_dd), else unbounded.
    """
    c2 = crit * crit
    a = den * den - c2 * v_dd
    b = num * den - c2 * v_nd
    c = num * num - c2 * v_nn
    disc = b * b - a * c
    if not (a > 0 and disc >= 0 and math.isfinite(disc)):
        return -math.inf, math.inf
    root = math.sqrt(disc)
    return (b - root) / a, (b + root) / a


def ewc_long_run(z: FloatArray) -> tuple[FloatArray, int]:
    """Equal-weighted cosine long-run variance of the rows of `z` (T × k), and its df ν.

    Lazarus, Lewis, Stock & Watson (2018), "HAR Inference: Recommendations for Practice",
    J. Business & Economic Statistics 36(4): ν = ⌊0.4·T^(2/3)⌋ cosine projections; the
    t statistic is then referred to t(ν) (fixed-b), which keeps the size with serial
    correlation where Newey–West with its textbook bandwidth over-rejects.
    """
    n = z.shape[0]
    nu = max(1, min(n - 1, int(0.4 * n ** (2 / 3))))
    t = (np.arange(n) + 0.5) / n
    basis = np.sqrt(2 / n) * np.cos(np.pi * np.arange(1, nu + 1)[:, None] * t[None, :])
    lam = basis @ z  # ν × k
    return lam.T @ lam / nu, nu


def n_assignments(n: int, k: int) -> int:
    """Number of ways to choose the treated set."""
    return math.comb(n, k)


def assignments(
    observed: npt.NDArray[np.bool_], max_assignments: int = MAX_ASSIGNMENTS, seed: int = 0
) -> tuple[FloatArray, bool]:
    """Return (0/1 matrix assignments × units with the observed one first, exact?)."""
    n, k = observed.size, int(observed.sum())
    obs_idx = np.flatnonzero(observed)
    if n_assignments(n, k) <= max_assignments:
        combos = np.array(list(itertools.combinations(range(n), k)), dtype=np.int64)
        combos = combos.reshape(-1, k)
        is_obs = (combos == obs_idx[None, :]).all(axis=1)
        combos = np.vstack([obs_idx[None, :], combos[~is_obs]])
        exact = True
    else:
        rng = np.random.default_rng(seed)
        draws = np.argsort(rng.random((max_assignments - 1, n)), axis=1)[:, :k]
        combos = np.vstack([obs_idx[None, :], draws])
        exact = False
    mat = np.zeros((combos.shape[0], n))
    mat[np.arange(combos.shape[0])[:, None], combos] = 1.0
    return mat, exact


@dataclass(frozen=True, slots=True)
class RandomizationResult:
    """p-value and test-inversion interval from placebo reassignments."""

    p_value: float
    ci_low: float
    ci_high: float
    n_assignments: int
    exact: bool
    placebo_sd: float


def significant(p_value: float, alpha: float) -> bool:
    """The one significance convention: reject at level α when p ≤ α.

    Randomization p-values count the observed assignment, so p ≤ α is the exact level-α
    test; intervals (the τ not rejected), Holm and the recommendation use the same rule.
    """
    return math.isfinite(p_value) and p_value <= alpha


def invert(pval: Callable[[float], float], a0: float, spread: float, alpha: float,
           rtol: float = 1e-12) -> tuple[float, float]:
    """The interval {τ : p(τ) > α}, its ends found by doubling then bisection from `a0`
    (to `rtol` relative to the placebo spread)."""

    def bound(sign: float) -> float:
        if spread == 0.0:
            return a0
        inside, step = 0.0, spread / 8
        for _ in range(60):
            if significant(pval(a0 + sign * step), alpha):
                break
            inside, step = step, step * 2
        else:
            return sign * math.inf
        outside = step
        for _ in range(100):
            mid = (inside + outside) / 2
            if significant(pval(a0 + sign * mid), alpha):
                outside = mid
            else:
                inside = mid
            if outside - inside <= rtol * max(spread, abs(a0)):
                break
        return a0 + sign * (inside + outside) / 2

    return bound(-1.0), bound(1.0)


def randomization_test(
    a: FloatArray, c: FloatArray, alpha: float = 0.05, exact: bool = True,
    deflate: float = 1.0,
) -> RandomizationResult:
    """Randomization p-value and interval for a linear estimator.

    `a[i]` is the estimate under assignment i (row 0 the observed one) and `c[i]` the
    estimate under assignment i of the observed treated×pilot indicator, so that shifting
    treated pilot-period outcomes by −τ changes estimate i to `a[i] − τ·c[i]` (`c[0]` = 1).
    `deflate` > 1 divides the observed statistic: a deliberately wider, more cautious interval.
    """
    ok = np.isfinite(a) & np.isfinite(c)
    ok[0] = True
    a, c = a[ok], c[ok]
    a0, c0 = float(a[0]), float(c[0])
    spread = float(np.max(np.abs(a - a0 * c))) if a.size > 1 else 0.0
    tol = 1e-9 * max(spread, abs(a0), 1e-300)

    def pval(tau: float) -> float:
        obs = abs(a0 - tau * c0) / deflate
        return float(np.mean(np.abs(a - tau * c) >= obs - tol * (1 + abs(tau))))

    lo, hi = invert(pval, a0, spread, alpha)
    return RandomizationResult(
        p_value=pval(0.0), ci_low=lo, ci_high=hi, n_assignments=int(a.size),
        exact=exact, placebo_sd=float(np.std(a[1:], ddof=1)) if a.size > 2 else float("nan"),
    )


def _group_var(mat: FloatArray, d: FloatArray, k: FloatArray) -> FloatArray:
    """Per assignment row, the sample variance of `d` over the members the row selects."""
    s1, s2 = mat @ d, mat @ (d * d)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.maximum(s2 - s1 * s1 / k, 0.0) / (k - 1)


def welch_se(mat: FloatArray, d: FloatArray) -> FloatArray:
    """Per assignment row (0/1 over groups), the Welch SE of mean(d | 1) − mean(d | 0).

    A side with a single member has no variance of its own; the other side's is used for
    it (the equal-variance assumption, the only one available there).
    """
    ok = np.isfinite(d)
    dd = np.where(ok, d, 0.0)
    m_t, m_c = mat * ok, (1.0 - mat) * ok
    k_t, k_c = m_t.sum(axis=1), m_c.sum(axis=1)
    v_t, v_c = _group_var(m_t, dd, k_t), _group_var(m_c, dd, k_c)
    v_t = np.where(k_t >= 2, v_t, v_c)
    v_c = np.where(k_c >= 2, v_c, v_t)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.sqrt(v_t / k_t + v_c / k_c), dtype=np.float64)


def studentized_randomization_test(
    a: FloatArray, c: FloatArray, mat: FloatArray, d: FloatArray, alpha: float = 0.05,
    exact: bool = True, deflate: float = 1.0,
) -> RandomizationResult:
    """Randomization test of the estimate divided by its Welch SE (Chung & Romano 2013).

    `a`, `c` as in `randomization_test`; `mat` the assignments (rows, 0/1 over the groups
    reassigned, the observed one first) and `d` each group's pilot-minus-baseline difference
    (NaN when a group lacks one period). Shifting treated pilot outcomes by −τ shifts the
    observed treated groups' `d` by −τ, so each assignment's SE is recomputed at every τ.
    `deflate` > 1 divides the observed statistic (a wider, more cautious interval).
    """
    ok = np.isfinite(a) & np.isfinite(c)
    ok[0] = True
    a, c, mat = a[ok], c[ok], mat[ok]
    obs = mat[0] > 0.5
    a0 = float(a[0])
    spread = float(np.max(np.abs(a - a0 * c))) if a.size > 1 else 0.0
    tol = 1e-9

    def pval(tau: float) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.abs(a - tau * c) / welch_se(mat, d - tau * obs)
        t0 = float(t[0]) / deflate
        if not math.isfinite(t0):
            return 1.0 if math.isnan(t0) else 0.0
        return float(np.mean(np.nan_to_num(t, nan=0.0) >= t0 * (1 - tol)))

    lo, hi = invert(pval, a0, spread, alpha, rtol=1e-7)
    return RandomizationResult(
        p_value=pval(0.0), ci_low=lo, ci_high=hi, n_assignments=int(a.size),
        exact=exact, placebo_sd=float(np.std(a[1:], ddof=1)) if a.size > 2 else float("nan"),
    )


__all__ = [
    "MAX_ASSIGNMENTS", "MIN_CLUSTERS", "Inference", "RandomizationResult", "assignments",
    "choose_inference", "cr1_variance", "ewc_long_run", "fieller", "invert", "n_assignments",
    "randomization_test", "significant", "studentized_randomization_test", "t_interval",
    "welch_se",
]
