"""Minimum detectable effect: formula, and detection ~80% of the time at the MDE by simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from experiments.ab import welch
from experiments.did import did_panel
from experiments.panel import make_panel
from experiments.power import cr1_kappa, mde, power_did_panel, power_two_sample
from experiments.summaries import Moments
from tests.experiments.designs_sim import ar1_errors, pilot_panel


def test_mde_formula() -> None:
    assert mde(1.0) == pytest.approx(stats.norm.ppf(0.975) + stats.norm.ppf(0.8))
    assert mde(2.0) == pytest.approx(2 * 2.8015852, rel=1e-6)
    assert mde(1.0, df=10) == pytest.approx(stats.t.ppf(0.975, 10) + stats.t.ppf(0.8, 10))
    assert mde(1.0, kappa=4.0) == pytest.approx(2 * stats.norm.ppf(0.975) + stats.norm.ppf(0.8))
    # balanced halves, independent errors: CR0 is biased by (G−2)/G
    g, t = 30, 8
    assert cr1_kappa(15, 15, t) == pytest.approx((g - 2) / (g - 1) * (g * t - 1) / (g * t - g - t))


def test_two_sample_mde_is_detected_80_percent() -> None:
    rng = np.random.default_rng(7)
    plan = power_two_sample(rng.normal(10, 2, 20_000), 25, 25)
    assert plan.se == pytest.approx(2 * math.sqrt(2 / 25), rel=0.02)
    n_sims = 2000
    c = rng.normal(10, 2, (n_sims, 25))
    t = rng.normal(10 + plan.mde, 2, (n_sims, 25))
    hits = [welch(Moments.of(c[i]), Moments.of(t[i])).p_value < 0.05 for i in range(n_sims)]
    assert np.mean(hits) == pytest.approx(0.80, abs=0.03)


def _baseline(rng: np.random.Generator, n_units: int, n_periods: int, rho: float):
    y = (10 + rng.normal(size=(n_units, 1)) + rng.normal(size=(1, n_periods))
         + ar1_errors(rng, n_units, n_periods, rho))
    ui = np.repeat(np.arange(n_units), n_periods)
    ti = np.tile(np.arange(n_periods), n_units)
    return make_panel(ui, ti, y.ravel(), np.zeros(n_units, bool), np.zeros(n_periods, bool))


@pytest.mark.parametrize("rho", [0.0, 0.5])
def test_did_panel_mde_is_detected_about_80_percent(rho: float) -> None:
    """Tolerance ±5%: 1000 sims (MC SD 1.3%) plus the error of the baseline variance."""
    rng = np.random.default_rng(17)
    plan = power_did_panel(_baseline(rng, 300, 24, rho), 15, 15, 4, 4)
    assert plan.reason is None and plan.warnings == ()
    assert plan.relative_mde == pytest.approx(plan.mde / plan.baseline_mean)
    hits = [did_panel(pilot_panel(rng, 15, 15, 8, effect=plan.mde, rho=rho)).p_value < 0.05
            for _ in range(1000)]
    assert np.mean(hits) == pytest.approx(0.80, abs=0.05)


@pytest.mark.parametrize("rho", [-0.5, 0.0, 0.5, 0.9])
def test_baseline_windows_capture_serial_correlation(rho: float) -> None:
    """s_D matches the AR(1) variance of a post-minus-pre mean, which i.i.d. would miss."""
    rng = np.random.default_rng(5)
    plan = power_did_panel(_baseline(rng, 400, 24, rho), 15, 15, 4, 4)
    lags = np.abs(np.subtract.outer(np.arange(8), np.arange(8)))
    weights = np.r_[-np.ones(4) / 4, np.ones(4) / 4]
    true_var = weights @ (rho**lags) @ weights
    assert plan.sd == pytest.approx(math.sqrt(true_var), rel=0.06)


def test_short_baseline_and_few_units_warn() -> None:
    rng = np.random.default_rng(6)
    plan = power_did_panel(_baseline(rng, 40, 5, 0.0), 3, 7, 4, 4)
    assert set(plan.warnings) == {"power_independent_periods", "power_randomization"}
    assert math.isfinite(plan.mde) and plan.mde > 0
    assert plan.sd == pytest.approx(math.sqrt(0.5), rel=0.2)
    assert power_did_panel(_baseline(rng, 10, 6, 0.0), 0, 5, 2, 2).reason == "no_treated"
    assert power_two_sample([1.0], 5, 5).reason == "too_few_observations"
