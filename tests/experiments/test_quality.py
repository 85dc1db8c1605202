"""Data-quality flags: coverage, gaps, outliers, baseline balance, pre-trend placebo."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from experiments.did import did_panel
from experiments.quality import (
    check_panel,
    longest_missing_run,
    mann_whitney_p,
    outlier_threshold,
)
from tests.experiments.designs_sim import pilot_panel


def test_longest_missing_run() -> None:
    present = np.array([[1, 0, 0, 1, 0], [0, 0, 0, 1, 1], [1, 1, 1, 1, 1]], dtype=bool)
    assert longest_missing_run(present).tolist() == [2, 3, 0]


@pytest.mark.parametrize(("n_treated", "n_control", "gap"), [(12, 18, 0.5), (3, 7, 0.8)])
def test_pre_trend_flags_diverging_trends_not_parallel_ones(n_treated, n_control, gap) -> None:
    """A treated-only trend of `gap` per period (noise SD 1) is flagged; parallel is not."""
    rng = np.random.default_rng(99)
    n_sims = 150
    diverging = [check_panel(pilot_panel(rng, n_treated, n_control, 16, trend_gap=gap,
                                         rho=0.3)) for _ in range(n_sims)]
    parallel = [check_panel(pilot_panel(rng, n_treated, n_control, 16, rho=0.3))
                for _ in range(n_sims)]
    detect = np.mean(["pre_trend" in q.flags for q in diverging])
    false_alarm = np.mean(["pre_trend" in q.flags for q in parallel])
    assert detect >= 0.9
    assert false_alarm <= 0.1


def test_clean_panel_has_no_flags_and_flags_reach_the_result() -> None:
    rng = np.random.default_rng(1)
    panel = pilot_panel(rng, 12, 18, 12)
    quality = check_panel(panel)
    assert quality.flags == ()
    assert quality.min_unit_coverage == 1.0 and quality.longest_gap == 0
    res = did_panel(panel).with_warnings(*quality.flags)
    assert res.warnings == ()


def test_gaps_coverage_outliers_and_imbalance_are_flagged() -> None:
    rng = np.random.default_rng(2)
    panel = pilot_panel(rng, 12, 18, 12)
    drop = (panel.unit_idx == 4) & (panel.time_idx >= 2) & (panel.time_idx <= 5)
    gappy = replace(panel, unit_idx=panel.unit_idx[~drop], time_idx=panel.time_idx[~drop],
                    y=panel.y[~drop])
    q = check_panel(gappy)
    assert {"gaps", "low_coverage"} <= set(q.flags)
    assert q.longest_gap == 4 and q.min_unit_coverage == pytest.approx(8 / 12)

    y = panel.y.copy()
    y[17] += 40.0
    q = check_panel(replace(panel, y=y))
    assert "outliers" in q.flags and q.n_outliers == 1

    shifted = panel.y + 3.0 * panel.treated[panel.unit_idx]
    q = check_panel(replace(panel, y=shifted))
    assert "baseline_imbalance" in q.flags and q.baseline_smd > 0.25
    assert "pre_trend" not in q.flags  # a level difference is not a trend


def test_short_baseline_is_not_checked() -> None:
    rng = np.random.default_rng(3)
    q = check_panel(pilot_panel(rng, 12, 18, 6))
    assert "pre_trend_not_checked" in q.flags


@pytest.mark.parametrize("case", ["exact", "asymptotic", "ties"])
def test_mann_whitney_p_equals_scipy(case: str) -> None:
    """The written-out test (no scipy import in `lab analyze did`) against scipy's "auto"."""
    from scipy import stats

    rng = np.random.default_rng(11)
    for _ in range(300):
        if case == "exact":  # one sample of at most 8, no ties: the exact distribution
            x = rng.normal(size=int(rng.integers(1, 9)))
            y = rng.normal(size=int(rng.integers(1, 30)))
        elif case == "asymptotic":
            x = rng.normal(size=int(rng.integers(9, 40)))
            y = rng.normal(0.4, 1.5, size=int(rng.integers(9, 40)))
        else:  # ties: the normal approximation with the tie correction, even when small
            x = rng.integers(0, 5, int(rng.integers(2, 12))).astype(float)
            y = rng.integers(0, 5, int(rng.integers(2, 12))).astype(float)
            if np.unique(np.r_[x, y]).size < 2:
                continue
        if rng.random() < 0.5:
            x, y = y, x
        expected = float(stats.mannwhitneyu(x, y, alternative="two-sided").pvalue)
        assert mann_whitney_p(x, y) == pytest.approx(expected, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize(("n_cells", "per_unit"), [(1400, 35.0), (40, 2.0), (300, 7.5)])
def test_outlier_threshold_uses_student_quantile(n_cells: int, per_unit: float) -> None:
    from scipy import stats

    df = max(1.0, 0.37 * (per_unit - 2))
    expected = max(5.0, 1.1 * float(stats.t.isf(0.025 / n_cells, df)))
    assert outlier_threshold(n_cells, per_unit) == pytest.approx(expected, rel=1e-12)
