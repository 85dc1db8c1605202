"""Evaluations honest at the edges (issue 16): noisy pilot zones, refused requests, one
significance convention, serial correlation, relative intervals, interim verdicts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from experiments.before_after import before_after, before_after_series
from experiments.did import did_2x2, did_panel, relative_interval
from experiments.heterogeneity import baseline_unit_variances
from experiments.inference import fieller, significant
from experiments.multiple import KpiTest, adjust_kpis
from experiments.recommend import Criterion, recommend
from experiments.results import EffectResult
from experiments.summaries import Moments, did_cells_from_arrays
from tests.experiments.designs_sim import ar1_errors, pilot_panel


def test_studentized_randomization_holds_its_level_with_noisier_treated_zones() -> None:
    """3 of 12 zones treated, their shocks twice the controls': permuting the raw coefficient
    rejected a true null ~18% of the time; permuting zone differences standardized by each
    zone's baseline SD stays near 5%."""
    rng = np.random.default_rng(1601)
    runs = 300
    results = [did_panel(pilot_panel(rng, 3, 9, 16, treated_noise=2.0)) for _ in range(runs)]
    assert all("standardized by each zone's baseline SD" in r.method for r in results)
    false_positives = np.mean([significant(r.p_value, 0.05) for r in results])
    assert false_positives <= 0.085
    # the interval is the test inverted: it excludes 0 exactly when p ≤ 0.05
    assert all((r.ci_low > 0 or r.ci_high < 0) == significant(r.p_value, 0.05)
               for r in results)


def test_baseline_variances_are_not_understated_for_noisier_zones() -> None:
    """3 zones twice as noisy among 18: removing equal-weight period means takes part of the
    noisy zones' own noise out of their residuals (E ≈ 3.64 for a true 4, 9% low), which
    inflates their standardized differences. Precision-weighted period means plus 1/Σw per
    cell are unbiased for both kinds of zone (independent shocks, 400 baseline periods, 80
    panels: the pooled means' Monte-Carlo SD is about 0.5%)."""
    rng = np.random.default_rng(1606)
    n_units, n_periods = 18, 400
    sigma = np.where(np.arange(n_units) < 3, 2.0, 1.0)
    ui = np.repeat(np.arange(n_units), n_periods)
    ti = np.tile(np.arange(n_periods), n_units)
    post = np.zeros(n_periods, dtype=bool)  # all baseline
    estimates = []
    for _ in range(80):
        y = (rng.normal(size=n_units)[ui] * 5 + rng.normal(size=n_periods)[ti] * 3
             + sigma[ui] * rng.normal(size=ui.size))
        estimates.append(baseline_unit_variances(ui, ti, y, post, n_units)[0])
    mean = np.mean(estimates, axis=0)
    assert mean[:3].mean() == pytest.approx(4.0, rel=0.015)
    assert mean[3:].mean() == pytest.approx(1.0, rel=0.015)


def test_two_noisier_treated_zones_warn_and_get_a_wider_interval() -> None:
    rng = np.random.default_rng(1602)
    noisy = [did_panel(pilot_panel(rng, 2, 10, 28, effect=-0.8, treated_noise=2.0))
             for _ in range(60)]
    warned = [r for r in noisy if "treated_noisier_few" in r.warnings]
    assert len(warned) >= 0.85 * len(noisy)
    assert all("deflated" in r.method and dict(r.details)["treated_variance_ratio"] > 1
               for r in warned)
    assert np.mean([r.ci_low <= -0.8 <= r.ci_high for r in noisy]) >= 0.9
    calm = [did_panel(pilot_panel(rng, 2, 10, 28, effect=-0.8)) for _ in range(60)]
    assert np.mean(["treated_noisier_few" in r.warnings for r in calm]) <= 0.2
    width = np.median([r.ci_high - r.ci_low for r in warned])
    assert width > 1.5 * np.median([r.ci_high - r.ci_low for r in calm])


def test_explicit_cluster_inference_is_refused_with_too_few_clusters() -> None:
    rng = np.random.default_rng(1603)
    panel = pilot_panel(rng, 3, 7, 8)
    refused = did_panel(panel, inference="cluster")
    assert refused.reason == "cluster_inference_refused" and math.isnan(refused.ci_low)
    assert "refused" in refused.to_dict()["reason_message"]  # type: ignore[operator]
    assert math.isfinite(refused.effect)  # the point estimate is still reported
    honoured = did_panel(pilot_panel(rng, 12, 12, 8), inference="cluster")
    assert honoured.reason is None and "cluster-robust" in honoured.method
    chosen = did_panel(panel, inference="randomization")
    assert "randomization" in chosen.method and "few_clusters_randomization" not in chosen.warnings
    rows = np.repeat(np.arange(panel.n_cells), 3)
    cells = did_cells_from_arrays(panel.y[rows], panel.treated[panel.unit_idx[rows]],
                                  panel.post[panel.time_idx[rows]], panel.unit_idx[rows])
    assert did_2x2(cells, inference="cluster").reason == "cluster_inference_refused"


def _result(p: float, rel: float, lo: float, hi: float) -> EffectResult:
    return EffectResult(design="did_panel", effect=rel, relative_effect=rel, ci_low=lo,
                        ci_high=hi, relative_ci_low=lo, relative_ci_high=hi, p_value=p,
                        se=float("nan"), baseline_mean=1.0, method="m", n_obs=10)


def test_one_significance_convention_p_at_alpha_is_significant() -> None:
    assert significant(0.05, 0.05) and not significant(0.0500001, 0.05)
    assert not significant(float("nan"), 0.05)
    # randomization p-values are multiples of 1/n: p = α exactly must count everywhere
    family = adjust_kpis([KpiTest("a", 0.05, True)], method="holm")
    assert family.kpis[0].significant and family.kpis[0].significant_as_registered
    verdict = recommend(_result(0.05, -0.3, -0.5, -0.1),
                        Criterion("a", "decrease", 0.05, 0.2))
    assert verdict.recommendation == "scale_up"


def test_interim_evaluations_never_scale_up_and_say_so() -> None:
    strong = _result(0.001, -0.3, -0.4, -0.2)
    criterion = Criterion("energy", "decrease", 0.05, 0.2)
    assert recommend(strong, criterion).recommendation == "scale_up"
    interim = recommend(strong, criterion, interim_fraction=0.4)
    assert interim.recommendation == "iterate"
    assert any("interim" in r and "40%" in r for r in interim.reasons)


def test_did_relative_interval_lets_the_counterfactual_move() -> None:
    rng = np.random.default_rng(1604)
    r = did_panel(pilot_panel(rng, 12, 12, 8, effect=-2.0, level=10.0))
    y1 = r.baseline_mean + r.effect  # observed treated pilot-period mean
    assert r.relative_ci_low == pytest.approx(r.ci_low / (y1 - r.ci_low))
    assert r.relative_ci_high == pytest.approx(r.ci_high / (y1 - r.ci_high))
    assert r.relative_ci_low != pytest.approx(r.ci_low / r.baseline_mean, rel=1e-3)
    # a zero counterfactual inside the interval makes the relative effect unbounded
    assert relative_interval(-12.0, -1.0, -5.0) == (-math.inf, math.inf)


def test_fieller_is_the_set_of_ratios_not_rejected() -> None:
    num, den, v_nn, v_dd, v_nd, crit = -1.2, 10.0, 0.09, 0.25, 0.03, 2.1
    lo, hi = fieller(num, den, v_nn, v_dd, v_nd, crit)
    grid = np.linspace(-0.5, 0.3, 80001)
    keep = (num - grid * den) ** 2 <= crit**2 * (v_nn - 2 * grid * v_nd + grid**2 * v_dd)
    assert lo == pytest.approx(grid[keep].min(), abs=2e-5)
    assert hi == pytest.approx(grid[keep].max(), abs=2e-5)
    assert fieller(1.0, 0.1, 0.1, 1.0, 0.0, 2.0) == (-math.inf, math.inf)  # den near 0


def test_before_after_on_daily_means_covers_despite_serial_correlation() -> None:
    """28 days of 24 correlated readings (day shocks AR(1), ρ = 0.6): Welch on readings
    covers far below 95%; daily means with the EWC HAC variance stay close to it."""
    rng = np.random.default_rng(1605)
    days, per_day, effect = 28, 24, -0.5
    post = np.arange(days) >= days // 2
    hac, welch = [], []
    for _ in range(300):
        day = 10 + ar1_errors(rng, 1, days, 0.6)[0] + effect * post
        readings = day[:, None] + 0.5 * rng.normal(size=(days, per_day))
        r = before_after_series(readings.mean(axis=1), post)
        hac.append(r.ci_low <= effect <= r.ci_high)
        w = before_after(Moments.of(readings[~post].ravel()), Moments.of(readings[post].ravel()))
        welch.append(w.ci_low <= effect <= w.ci_high)
        assert r.relative_ci_low <= r.relative_effect <= r.relative_ci_high
    assert np.mean(hac) >= 0.9
    assert np.mean(welch) < 0.6
