"""Data-quality flags: coverage, gaps, outliers, baseline balance, pre-trend placebo."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from experiments.did import did_panel
from experiments.quality import check_panel, longest_missing_run
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
