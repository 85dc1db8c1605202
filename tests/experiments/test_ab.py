"""Randomized comparison: Welch against scipy, CUPED variance reduction and unbiasedness."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import stats

from experiments.ab import cuped, estimate_ab, welch
from experiments.summaries import Bivariate, Moments


@pytest.mark.parametrize("seed", [0, 1])
def test_welch_matches_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    control = rng.normal(10, 2, 40)
    treated = rng.normal(11, 4, 25)
    res = welch(Moments.of(control), Moments.of(treated))
    ref = stats.ttest_ind(treated, control, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert res.effect == pytest.approx(treated.mean() - control.mean(), rel=1e-12)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert res.ci_low == pytest.approx(ci.low, rel=1e-9)
    assert res.ci_high == pytest.approx(ci.high, rel=1e-9)
    assert res.effect / res.se == pytest.approx(ref.statistic, rel=1e-9)
    assert res.relative_effect == pytest.approx(res.effect / control.mean())
    # same numbers from a lazy frame with a label column
    lf = pl.LazyFrame({"y": np.r_[control, treated],
                       "arm": ["A"] * control.size + ["B"] * treated.size})
    via = estimate_ab(lf, outcome="y", group="arm", treatment="B")
    assert via.p_value == pytest.approx(ref.pvalue, rel=1e-9)


def test_cuped_equals_welch_on_adjusted_outcome() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(50, 5, 300)
    g = rng.random(300) < 0.5
    y = 0.8 * x + rng.normal(0, 2, 300) + 1.5 * g
    theta = np.cov(y, x, ddof=1)[0, 1] / np.var(x, ddof=1)
    y_adj = y - theta * (x - x.mean())
    ref = stats.ttest_ind(y_adj[g], y_adj[~g], equal_var=False)
    res = cuped(Bivariate.of(y[~g], x[~g]), Bivariate.of(y[g], x[g]))
    assert res.design == "ab_cuped"
    assert res.effect == pytest.approx(y_adj[g].mean() - y_adj[~g].mean(), rel=1e-9)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-7)
    assert dict(res.details)["theta"] == pytest.approx(theta, rel=1e-9)
    lf = pl.LazyFrame({"y": y, "x": x, "g": g})
    via = estimate_ab(lf, outcome="y", group="g", covariate="x")
    assert via.effect == pytest.approx(res.effect, rel=1e-9)


def test_cuped_reduces_variance_and_stays_unbiased() -> None:
    rng = np.random.default_rng(11)
    n_sims, n, effect, rho = 600, 100, 0.3, 0.8
    x = rng.normal(size=(n_sims, n))
    y = rho * x + math.sqrt(1 - rho**2) * rng.normal(size=(n_sims, n))
    g = rng.random((n_sims, n)) < 0.5
    y = y + effect * g
    plain, adjusted = [], []
    for i in range(n_sims):
        c, t = ~g[i], g[i]
        plain.append(welch(Moments.of(y[i, c]), Moments.of(y[i, t])))
        adjusted.append(cuped(Bivariate.of(y[i, c], x[i, c]), Bivariate.of(y[i, t], x[i, t])))
    est_plain = np.array([r.effect for r in plain])
    est_cuped = np.array([r.effect for r in adjusted])
    # variance falls by about rho² = 64%
    assert est_cuped.var() < 0.5 * est_plain.var()
    assert np.mean([r.se for r in adjusted]) < 0.7 * np.mean([r.se for r in plain])
    # unbiased: mean within 4 Monte-Carlo SEs of the planted effect
    assert abs(est_cuped.mean() - effect) < 4 * est_cuped.std() / math.sqrt(n_sims)
    coverage = np.mean([r.ci_low <= effect <= r.ci_high for r in adjusted])
    assert 0.92 <= coverage <= 0.98


def test_cuped_with_pre_period_from_time_column() -> None:
    rng = np.random.default_rng(4)
    units = np.arange(60)
    level = rng.normal(20, 3, units.size)
    treated = units % 2 == 0
    rows = pl.DataFrame({
        "u": np.repeat(units, 10),
        "day": np.tile(np.arange(10), units.size),
        "y": np.repeat(level, 10) + rng.normal(size=600)
        + 2.0 * np.repeat(treated, 10) * (np.tile(np.arange(10), units.size) >= 5),
        "arm": np.repeat(np.where(treated, "T", "C"), 10),
    })
    res = estimate_ab(rows.lazy(), outcome="y", group="arm", treatment="T", unit="u",
                      time="day", pilot_start=5)
    plain = estimate_ab(rows.filter(pl.col("day") >= 5).lazy(), outcome="y", group="arm",
                        treatment="T", unit="u")
    assert res.design == "ab_cuped" and res.n_units == 60
    assert res.ci_low < 2.0 < res.ci_high
    assert res.se < 0.5 * plain.se


def test_degenerate_ab_inputs_return_reasons() -> None:
    one = np.array([1.0, 2.0, 3.0])
    assert welch(Moments.of([]), Moments.of(one)).reason == "no_control"
    assert welch(Moments.of(one), Moments.of([])).reason == "no_treated"
    few = welch(Moments.of(one), Moments.of([5.0]))
    assert few.reason == "too_few_observations" and few.effect == pytest.approx(3.0)
    flat = welch(Moments.of([2.0, 2.0]), Moments.of([3.0, 3.0]))
    assert flat.reason == "zero_variance" and math.isnan(flat.ci_low)
    zero = welch(Moments.of([-1.0, 1.0]), Moments.of([2.0, 3.0]))
    assert "zero_baseline_mean" in zero.warnings and math.isnan(zero.relative_effect)
    const_x = cuped(Bivariate.of([1.0, 2.0, 3.0], [1.0, 1.0, 1.0]),
                    Bivariate.of([2.0, 3.0, 5.0], [1.0, 1.0, 1.0]))
    assert "cuped_constant_covariate" in const_x.warnings and const_x.reason is None
