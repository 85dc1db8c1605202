"""Difference-in-differences: point estimates and SEs against statsmodels, RI, degenerate data."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments.did import did_2x2, did_panel, estimate_did_panel, estimate_did_rows
from experiments.panel import build_panel, make_panel
from experiments.summaries import did_cells_from_arrays

REL = 1e-9


def _unbalanced(seed: int, n_units: int = 14, n_periods: int = 9, n_treated: int = 5):
    rng = np.random.default_rng(seed)
    ui, ti = (a.ravel() for a in np.meshgrid(np.arange(n_units), np.arange(n_periods),
                                             indexing="ij"))
    keep = rng.random(ui.size) > 0.2
    ui, ti = ui[keep], ti[keep]
    treated = np.zeros(n_units, dtype=bool)
    treated[:n_treated] = True
    post = np.arange(n_periods) >= n_periods // 2
    y = (rng.normal(size=n_units)[ui] * 3 + rng.normal(size=n_periods)[ti] + 100
         + 0.7 * (treated[ui] & post[ti]) + rng.normal(size=ui.size))
    return ui, ti, y, treated, post


def _sm_panel(ui, ti, y, treated, post, groups=None):
    df = pd.DataFrame({"y": y, "unit": ui, "time": ti,
                       "treated_post": (treated[ui] & post[ti]).astype(float)})
    return smf.ols("y ~ treated_post + C(unit) + C(time)", df).fit(
        cov_type="cluster", cov_kwds={"groups": df["unit"] if groups is None else groups})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_panel_matches_statsmodels_twfe_and_cluster_se(seed: int) -> None:
    ui, ti, y, treated, post = _unbalanced(seed, n_units=24, n_treated=12)
    res = did_panel(make_panel(ui, ti, y, treated, post))
    sm = _sm_panel(ui, ti, y, treated, post)
    assert res.method.count("cluster-robust") == 1
    assert res.effect == pytest.approx(sm.params["treated_post"], rel=REL)
    assert res.se == pytest.approx(sm.bse["treated_post"], rel=1e-8)
    assert res.n_obs == ui.size and res.n_units == 24 and res.n_periods == 9


def test_panel_clusters_coarser_than_units_match_statsmodels() -> None:
    ui, ti, y, treated, post = _unbalanced(3, n_units=40, n_treated=20)
    cluster_of_unit = np.arange(40) // 2  # pairs of units; treatment constant within pairs
    res = did_panel(make_panel(ui, ti, y, treated, post, cluster_of_unit), inference="cluster")
    sm = _sm_panel(ui, ti, y, treated, post, groups=cluster_of_unit[ui])
    assert res.effect == pytest.approx(sm.params["treated_post"], rel=REL)
    assert res.se == pytest.approx(sm.bse["treated_post"], rel=1e-8)


def test_2x2_matches_statsmodels_point_cluster_and_hc1() -> None:
    rng = np.random.default_rng(5)
    n = 3000
    cl = rng.integers(0, 30, n)
    treated = cl < 14
    post = rng.random(n) < 0.5
    y = 50 + 2 * treated + post + 1.3 * (treated & post) + rng.normal(size=30)[cl] + rng.normal(
        size=n)
    df = pd.DataFrame({"y": y, "t": treated.astype(float), "p": post.astype(float), "cl": cl})
    sm_cl = smf.ols("y ~ t * p", df).fit(cov_type="cluster", cov_kwds={"groups": df["cl"]})
    sm_hc1 = smf.ols("y ~ t * p", df).fit(cov_type="HC1")
    clustered = did_2x2(did_cells_from_arrays(y, treated, post, cl))
    assert clustered.effect == pytest.approx(sm_cl.params["t:p"], rel=REL)
    assert clustered.se == pytest.approx(sm_cl.bse["t:p"], rel=1e-8)
    assert "cluster-robust" in clustered.method
    hc1 = did_2x2(did_cells_from_arrays(y, treated, post))
    assert hc1.effect == pytest.approx(sm_hc1.params["t:p"], rel=REL)
    assert hc1.se == pytest.approx(sm_hc1.bse["t:p"], rel=1e-8)
    assert "HC1" in hc1.method and "no_cluster_hc1" in hc1.warnings
    # the lazy-frame entry point gives the same numbers
    lf = pl.LazyFrame({"y": y, "t": treated, "p": post, "cl": cl})
    assert estimate_did_rows(lf, outcome="y", treated="t", post="p", cluster="cl").se == \
        pytest.approx(clustered.se, rel=1e-12)


def _brute_twfe(ui, ti, y, treated, post) -> float:
    return float(_sm_panel(ui, ti, y, treated, post).params["treated_post"])


def _unit_summaries(ui, ti, y, post) -> tuple[np.ndarray, np.ndarray]:
    """Reference per-unit summaries, recomputed with pandas: (pilot − baseline) differences,
    and baseline variances around each unit's own mean and the period means."""
    df = pd.DataFrame({"u": ui, "t": ti, "post": post[ti], "y": y})
    means = df.groupby(["u", "post"])["y"].mean().unstack()
    d = (means[True] - means[False]).to_numpy()
    base = df[~df["post"]].copy()
    base["r0"] = base["y"] - base.groupby("u")["y"].transform("mean")
    # first pass: equal-weight period means; second: precision-weighted, plus 1/Σw per cell
    r = base["r0"] - base.groupby("t")["r0"].transform("mean")
    agg = base.assign(r2=r**2).groupby("u").agg(ss=("r2", "sum"), n=("r2", "size"))
    var1 = (agg["ss"] / (agg["n"] - 1)).where(agg["n"] > 1)
    base["w"] = base["u"].map((1 / var1).where(var1 > 0, 0.0))  # no variance: no weight
    base["wr"] = base["w"] * base["r0"]
    sums = base.groupby("t")[["w", "wr"]].transform("sum")
    base["r2"] = (base["r0"] - sums["wr"] / sums["w"]) ** 2 + 1 / sums["w"]
    agg = base.groupby("u").agg(ss=("r2", "sum"), n=("r2", "size"))
    var = np.where(agg["n"] > 1, agg["ss"] / np.maximum(agg["n"] - 1, 1), np.nan)
    return d, var


def _standardized(d, var, treated) -> float:
    """Treated minus control mean of the differences centred on their 1/variance-weighted
    mean and divided by each unit's baseline SD (units without a variance left out)."""
    ok = np.isfinite(var) & (var > 0)
    w = np.where(ok, 1 / np.where(ok, var, 1), 0.0)
    w /= w.sum()
    e = np.where(ok, (d - w @ np.where(ok, d, 0)) / np.sqrt(np.where(ok, var, 1)), 0.0)
    return float(e[treated].mean() - e[~treated].mean())


def test_randomization_inference_is_exact_enumeration_of_standardized_statistics() -> None:
    """The p-value is the share of the 21 reassignments whose standardized statistic is at
    least the observed one in absolute value, recomputed independently."""
    ui, ti, y, treated, post = _unbalanced(7, n_units=7, n_periods=6, n_treated=2)
    res = did_panel(make_panel(ui, ti, y, treated, post))
    assert "few_clusters_randomization" in res.warnings
    assert "all 21 assignments" in res.method and "standardized" in res.method
    d, var = _unit_summaries(ui, ti, y, post)
    obs = abs(_standardized(d, var, treated))
    placebo = [abs(_standardized(d, var, _mask(c, 7)))
               for c in itertools.combinations(range(7), 2)]
    p_brute = np.mean(np.asarray(placebo) >= obs * (1 - 1e-9))
    assert res.effect == pytest.approx(_brute_twfe(ui, ti, y, treated, post), rel=REL)
    assert res.p_value == pytest.approx(p_brute)


def test_randomization_interval_is_test_inversion() -> None:
    ui, ti, y, treated, post = _unbalanced(11, n_units=10, n_periods=6, n_treated=3)
    res = did_panel(make_panel(ui, ti, y, treated, post), inference="randomization")
    shift = (treated[ui] & post[ti]).astype(float)

    def p_at(tau: float) -> float:
        d, var = _unit_summaries(ui, ti, y - tau * shift, post)
        obs = abs(_standardized(d, var, treated))
        stats = [abs(_standardized(d, var, _mask(c, 10)))
                 for c in itertools.combinations(range(10), 3)]
        return float(np.mean(np.asarray(stats) >= obs * (1 - 1e-9)))

    width = res.ci_high - res.ci_low
    assert math.isfinite(width) and width > 0
    for bound, sign in ((res.ci_low, -1), (res.ci_high, 1)):
        assert p_at(bound - sign * 1e-3 * width) > 0.05  # just inside: not rejected
        assert p_at(bound + sign * 1e-3 * width) <= 0.05  # just outside: rejected


def _mask(combo, n):
    m = np.zeros(n, dtype=bool)
    m[list(combo)] = True
    return m


def _fast(ui, ti, y, treated, post) -> float:
    n_u, n_t = ui.max() + 1, ti.max() + 1
    x = np.column_stack([(treated[ui] & post[ti]).astype(float), np.eye(n_u)[ui],
                         np.eye(n_t)[ti][:, 1:]])
    return float(np.linalg.lstsq(x, y, rcond=None)[0][0])


def test_build_panel_aggregates_to_bucket_means_and_matches_statsmodels() -> None:
    rng = np.random.default_rng(2)
    start = dt.datetime(2024, 5, 1)
    hours = np.arange(24 * 12)
    units = [f"z{i:02d}" for i in range(6)]
    rows = pl.DataFrame({
        "zone": np.repeat(units, hours.size),
        "ts": np.tile(np.array([start + dt.timedelta(hours=int(h)) for h in hours],
                               dtype="datetime64[us]"), len(units)),
        "v": rng.normal(size=len(units) * hours.size) + 20,
    }).filter(pl.col("v") > 18.5)  # drop some readings: unbalanced buckets
    panel = build_panel(rows.lazy(), unit="zone", time="ts", outcome="v",
                        treated_units=["z00", "z01"], pilot_start="2024-05-07",
                        time_grain="day")
    pdf = rows.to_pandas()
    pdf["day"] = pdf["ts"].dt.floor("D")
    means = pdf.groupby(["zone", "day"], as_index=False)["v"].mean()
    assert panel.n_cells == len(means)
    means["treated_post"] = (means["zone"].isin(["z00", "z01"])
                             & (means["day"] >= "2024-05-07")).astype(float)
    sm = smf.ols("v ~ treated_post + C(zone) + C(day)", means).fit()
    res = did_panel(panel)
    assert res.effect == pytest.approx(sm.params["treated_post"], rel=REL)
    assert res.n_periods == 12 and res.n_units == 6 and res.n_treated == 2
    via_frame = estimate_did_panel(rows.lazy(), unit="zone", time="ts", outcome="v",
                                   treated_units=["z00", "z01"], pilot_start="2024-05-07",
                                   time_grain="day")
    assert via_frame.effect == pytest.approx(res.effect, rel=1e-12)


def test_control_units_leave_others_out_and_mid_bucket_is_dropped() -> None:
    rows = pl.DataFrame({
        "zone": ["a", "b", "c"] * 4,
        "t": [dt.datetime(2024, 1, d, 12) for d in (1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4)],
        "y": [1.0, 2.0, 9.0, 1.5, 2.5, 9.0, 3.0, 2.0, 9.0, 3.5, 2.5, 9.0],
    }).lazy()
    panel = build_panel(rows, unit="zone", time="t", outcome="y", treated_units=["a"],
                        control_units=["b"], pilot_start="2024-01-03 06:00", time_grain="day")
    assert panel.units == ("a", "b")
    assert "pilot_start_mid_bucket" in panel.warnings
    assert len(panel.periods) == 3  # day 3 dropped


@pytest.mark.parametrize(
    ("treated", "post", "code"),
    [
        ([True] * 8, [False, True] * 4, "no_control"),
        ([False] * 8, [False, True] * 4, "no_treated"),
        ([True, False] * 4, [False] * 8, "no_pilot_period"),
    ],
)
def test_2x2_degenerate_inputs_return_reason(treated, post, code) -> None:
    y = np.arange(8, dtype=float)
    res = did_2x2(did_cells_from_arrays(y, treated, post))
    assert res.reason == code and math.isnan(res.effect) and math.isnan(res.ci_low)
    assert res.to_dict()["effect"] is None


def test_2x2_zero_variance_gives_reason_but_effect() -> None:
    t = np.array([0, 0, 1, 1, 0, 0, 1, 1], dtype=bool)
    p = np.array([0, 1, 0, 1, 0, 1, 0, 1], dtype=bool)
    y = 5.0 + 2.0 * (t & p)
    res = did_2x2(did_cells_from_arrays(y, t, p))
    assert res.reason == "zero_variance" and res.effect == pytest.approx(2.0)
    assert math.isnan(res.p_value)


def test_panel_degenerate_inputs_return_reason() -> None:
    ui = np.repeat(np.arange(1), 4)
    ti = np.arange(4)
    one_unit = did_panel(make_panel(ui, ti, np.arange(4.0), [True], [False, False, True, True]))
    assert one_unit.reason == "no_control"
    two = make_panel(np.repeat([0, 1], 4), np.tile(np.arange(4), 2), np.ones(8), [True, False],
                     [False, False, True, True])
    assert did_panel(two).reason == "zero_variance"
    no_control = make_panel(np.repeat([0, 1], 4), np.tile(np.arange(4), 2), np.arange(8.0),
                            [True, True], [False, False, True, True])
    assert did_panel(no_control).reason == "no_control"
    empty = make_panel(np.array([], int), np.array([], int), np.array([]), [True, False],
                       [False, True])
    assert did_panel(empty).reason == "no_data"


def test_relative_effect_is_against_counterfactual() -> None:
    t = np.repeat([True, True, False, False], 50)
    p = np.tile(np.repeat([False, True], 25), 4)
    rng = np.random.default_rng(0)
    y = 10 + 5 * t + 1 * p - 2 * (t & p) + rng.normal(scale=0.01, size=t.size)
    res = did_2x2(did_cells_from_arrays(y, t, p))
    # treated post mean 14, counterfactual 16: −2/16
    assert res.baseline_mean == pytest.approx(16, abs=0.01)
    assert res.relative_effect == pytest.approx(-2 / 16, abs=1e-3)
    assert res.relative_ci_low < res.relative_effect < res.relative_ci_high


def test_too_few_assignments_gives_unbounded_interval_with_warnings() -> None:
    ui, ti, y, treated, post = _unbalanced(4, n_units=4, n_periods=6, n_treated=2)
    res = did_panel(make_panel(ui, ti, y, treated, post))
    assert {"ri_few_assignments", "ci_unbounded", "few_clusters_randomization"} <= set(
        res.warnings)
    assert res.ci_low == -math.inf and res.ci_high == math.inf
    assert res.to_dict()["ci_high"] == "+inf"


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n_units=st.integers(3, 9), n_periods=st.integers(3, 7),
       drop=st.floats(0.0, 0.3))
def test_twfe_equals_dummy_least_squares_on_random_unbalanced_panels(seed, n_units, n_periods,
                                                                     drop) -> None:
    rng = np.random.default_rng(seed)
    ui, ti = (a.ravel() for a in np.meshgrid(np.arange(n_units), np.arange(n_periods),
                                             indexing="ij"))
    keep = rng.random(ui.size) >= drop
    keep[ui == 0] = keep[ti == 0] = True  # every unit and period keeps data
    ui, ti = ui[keep], ti[keep]
    treated = np.arange(n_units) < max(1, n_units // 3)
    post = np.arange(n_periods) >= n_periods // 2
    y = rng.normal(size=ui.size) * 10 + rng.normal(size=n_units)[ui] * 5
    res = did_panel(make_panel(ui, ti, y, treated, post), inference="cluster",
                    min_clusters=1)
    x = np.column_stack([(treated[ui] & post[ti]).astype(float), np.eye(n_units)[ui],
                         np.eye(n_periods)[ti][:, 1:]])
    if np.linalg.matrix_rank(x) < x.shape[1]:
        assert res.reason == "not_identified" or math.isfinite(res.effect)
        return
    if res.reason is not None:
        assert res.reason in {"too_few_observations", "zero_variance"}
        return
    assert res.effect == pytest.approx(np.linalg.lstsq(x, y, rcond=None)[0][0], rel=1e-9,
                                       abs=1e-12)
