"""Before/after for one group: Welch on readings, paired t-test on unit means."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import stats

from experiments.before_after import before_after, before_after_paired, estimate_before_after
from experiments.summaries import Moments


def test_welch_before_after_matches_scipy() -> None:
    rng = np.random.default_rng(0)
    pre, post = rng.normal(5, 1, 80), rng.normal(4.6, 1.5, 60)
    res = before_after(Moments.of(pre), Moments.of(post))
    ref = stats.ttest_ind(post, pre, equal_var=False)
    assert res.effect == pytest.approx(post.mean() - pre.mean(), rel=1e-12)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert res.ci_low == pytest.approx(ref.confidence_interval().low, rel=1e-9)
    assert res.baseline_mean == pytest.approx(pre.mean())
    assert res.n_periods == 2 and res.n_treated is None


def test_paired_on_unit_means_matches_scipy_ttest_rel() -> None:
    rng = np.random.default_rng(1)
    level = rng.normal(100, 10, 15)
    pre = level + rng.normal(size=15)
    post = level - 2 + rng.normal(size=15)
    res = before_after_paired(pre, post)
    ref = stats.ttest_rel(post, pre)
    assert res.effect == pytest.approx((post - pre).mean(), rel=1e-12)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert res.ci_high == pytest.approx(ref.confidence_interval().high, rel=1e-9)
    assert res.relative_effect == pytest.approx(res.effect / pre.mean())


def test_estimate_before_after_from_rows_with_units_and_time() -> None:
    rows = pl.DataFrame({
        "zone": np.repeat(["a", "b", "c", "d"], 6),
        "day": np.tile(np.arange(6), 4),
        "y": np.array([3, 3.2, 2.9, 2.0, 2.1, 1.9] * 4) + np.repeat([0.0, 1, 2, 3.1], 6),
    })
    res = estimate_before_after(rows.lazy(), outcome="y", time="day", pilot_start=3, unit="zone")
    assert res.n_units == 4 and res.n_obs == 24
    assert res.effect == pytest.approx(2.0 - 3.0333333, abs=1e-6)
    rows_only = estimate_before_after(rows.lazy(), outcome="y", time="day", pilot_start=3)
    assert rows_only.effect == pytest.approx(res.effect)
    assert "HAC" in rows_only.method and rows_only.n_periods == 6
    flag_only = estimate_before_after(rows.with_columns(post=pl.col("day") >= 3).lazy(),
                                      outcome="y", post="post")
    assert "Welch" in flag_only.method and "independent_readings" in flag_only.warnings


def test_before_after_degenerate() -> None:
    assert before_after(Moments.of([]), Moments.of([1.0, 2.0])).reason == "no_baseline"
    assert before_after(Moments.of([1.0, 2.0]), Moments.of([])).reason == "no_pilot_period"
    one = before_after_paired([1.0], [2.0])
    assert one.reason == "one_unit" and one.effect == pytest.approx(1.0)
    assert math.isnan(one.ci_low)
    flat = before_after_paired([1.0, 2.0], [2.0, 3.0])
    assert flat.reason == "zero_variance"
