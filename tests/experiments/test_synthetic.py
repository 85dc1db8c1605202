"""Synthetic control: a published estimate on its public data, an independent solver, planted
effects on simulated panels, and the plain-words warnings."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.optimize import minimize

from experiments.panel import Panel, make_panel
from experiments.synthetic import estimate_synthetic_control, simplex_weights, synthetic_control
from tests.experiments.designs_sim import ar1_errors

DATA = Path(__file__).parent / "data" / "california_prop99.csv"


def _california() -> tuple[Panel, list[str]]:
    """Cigarette packs per capita, 39 US states, 1970–2000; Proposition 99 from 1989.

    The panel of Abadie, Diamond & Hainmueller (2010), as shipped by the synthdid R package
    (synth-inference/synthdid, data/california_prop99.csv): 1,209 rows, public.
    """
    df = pl.read_csv(DATA)
    states = sorted(df["State"].unique().to_list())
    index = {s: i for i, s in enumerate(states)}
    ui = np.array([index[s] for s in df["State"]])
    ti = df["Year"].to_numpy() - 1970
    treated = np.array([s == "California" for s in states])
    post = np.arange(31) + 1970 >= 1989
    return make_panel(ui, ti, df["PacksPerCapita"].to_numpy(), treated, post), states


def _slsqp(y0: np.ndarray, y1: np.ndarray) -> np.ndarray:
    """The same simplex least squares by SLSQP (an independent solver), on scaled data."""
    s = float(np.sqrt(np.mean(y0**2)))
    a, b = y0 / s, y1 / s
    j = a.shape[1]
    res = minimize(lambda w: np.sum((b - a @ w) ** 2), np.full(j, 1 / j),
                   jac=lambda w: -2 * a.T @ (b - a @ w), bounds=[(0, 1)] * j,
                   constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1,
                                 "jac": lambda w: np.ones_like(w)}],
                   method="SLSQP", options={"ftol": 1e-15, "maxiter": 5000})
    assert res.success
    return np.asarray(res.x)


def test_california_matches_the_published_synthetic_control_estimate() -> None:
    """Arkhangelsky, Athey, Hirshberg, Imbens & Wager (2021), "Synthetic Difference-in-
    Differences", AER 111(12), Table 1: the (outcome-only) synthetic control estimate of
    Proposition 99 on packs per capita, averaged over 1989–2000, is −19.6."""
    panel, states = _california()
    res = synthetic_control(panel)
    assert res.design == "synthetic_control" and res.reason is None
    assert res.effect == pytest.approx(-19.6, abs=0.15)
    weights = dict(res.synthetic.weights)  # type: ignore[union-attr]
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-9)
    assert min(weights.values()) >= 0
    # ADH 2010 (Table 2, fitted with predictors) put all the weight on Colorado, Connecticut,
    # Montana, Nevada and Utah; fitted on the outcomes alone, the same five carry ~95%.
    adh = {"Colorado", "Connecticut", "Montana", "Nevada", "Utah"}
    named = {states[int(u)]: w for u, w in weights.items()}
    assert sum(named[s] for s in adh) > 0.9
    assert max(named, key=lambda s: named[s]) == "Utah"
    fit = res.synthetic
    assert fit is not None and fit.pre_rmspe < 2.0  # packs per capita, on a level near 120
    assert res.ci_low < res.effect < res.ci_high
    assert res.n_control == 38 and fit.n_placebos == 38
    assert res.p_value == pytest.approx(3 / 39)  # outcome-only weights: two placebos above


def test_weights_match_an_independent_solver() -> None:
    panel, states = _california()
    y = np.full((39, 31), np.nan)
    y[panel.unit_idx, panel.time_idx] = panel.y
    ca = states.index("California")
    y0 = np.delete(y, ca, axis=0)[:, ~panel.post].T
    y1 = y[ca, ~panel.post]
    ours = simplex_weights(y0, y1)
    assert np.abs(ours - _slsqp(y0, y1)).max() < 1e-6
    # random problems: the optimality (KKT) conditions on the simplex hold — the gradient
    # is equal on the zones with weight and no smaller on the zones without
    rng = np.random.default_rng(5)
    for _ in range(20):
        y0, y1 = rng.normal(size=(12, 8)), rng.normal(size=12)
        w = simplex_weights(y0, y1)
        assert w.min() >= 0 and w.sum() == pytest.approx(1.0, abs=1e-12)
        grad = y0.T @ (y0 @ w - y1)
        active = w > 1e-9
        lam = grad[active].mean()
        assert np.abs(grad[active] - lam).max() < 1e-6
        assert (grad[~active] >= lam - 1e-6).all()


def _panel(rng: np.random.Generator, n_treated: int, n_control: int, effect: float,
           n_periods: int = 28, noise: float = 2.0) -> Panel:
    """Zone × day panel: zone levels, common day effects, AR(1) zone shocks (ρ = 0.5)."""
    n = n_treated + n_control
    y = (100 + rng.normal(0, 10, (n, 1)) + rng.normal(0, 3, (1, n_periods))
         + noise * ar1_errors(rng, n, n_periods, 0.5))
    treated = np.arange(n) < n_treated
    post = np.arange(n_periods) >= n_periods // 2
    y += effect * (treated[:, None] & post[None, :])
    ui, ti = np.repeat(np.arange(n), n_periods), np.tile(np.arange(n_periods), n)
    return make_panel(ui, ti, y.ravel(), treated, post)


@pytest.mark.parametrize(("n_treated", "n_control", "runs"), [(1, 20, 60), (2, 8, 40)])
def test_planted_effects_are_covered_and_nulls_rarely_rejected(
        n_treated: int, n_control: int, runs: int) -> None:
    rng = np.random.default_rng(1600 + n_treated)
    covered = rejected = 0
    for _ in range(runs):
        planted = synthetic_control(_panel(rng, n_treated, n_control, 3.0))
        covered += planted.ci_low <= 3.0 <= planted.ci_high
        null = synthetic_control(_panel(rng, n_treated, n_control, 0.0))
        rejected += null.p_value <= 0.05
        # one convention: 0 outside the interval means p ≤ α; p ≤ α with 0 inside the
        # interval (the accepted effects are not one interval) is said in words
        if not math.isnan(null.ci_low):
            outside = not null.ci_low <= 0.0 <= null.ci_high
            assert outside <= (null.p_value <= 0.05)
            assert (null.p_value <= 0.05 and not outside) == (
                "synthetic_ci_not_interval" in null.warnings)
    # the test is exact for exchangeable zones (95%): these bounds are ~3 binomial SDs away
    assert covered / runs >= 0.85
    assert rejected / runs <= 0.15


def test_a_clear_effect_is_recovered_and_significant() -> None:
    rng = np.random.default_rng(7)
    res = synthetic_control(_panel(rng, 1, 24, -6.0, noise=0.5))
    assert res.effect == pytest.approx(-6.0, abs=0.8)
    assert res.ci_low <= -6.0 <= res.ci_high and res.ci_high < 0
    assert res.p_value == pytest.approx(1 / 25)  # the treated zone's ratio ranks first
    assert res.relative_ci_low < res.relative_effect < res.relative_ci_high < 0
    points = res.event_study.points  # type: ignore[union-attr]
    assert [p.relative_period for p in points][:2] == [-14, -13]
    lags = [p.effect for p in points if p.relative_period >= 0]
    assert np.mean(lags) == pytest.approx(res.effect)
    assert not res.warnings


def test_two_treated_zones_average_their_own_synthetic_controls() -> None:
    rng = np.random.default_rng(11)
    panel = _panel(rng, 2, 9, -4.0, noise=1.0)
    both = synthetic_control(panel)
    singles = []
    for keep in (0, 1):
        drop = panel.unit_idx == 1 - keep
        treated = panel.treated.copy()
        treated[1 - keep] = False
        ui = panel.unit_idx[~drop]
        single = make_panel(np.where(ui > 1 - keep, ui - 1, ui), panel.time_idx[~drop],
                            panel.y[~drop], np.delete(treated, 1 - keep), panel.post)
        singles.append(synthetic_control(single).effect)
    assert both.effect == pytest.approx(np.mean(singles), rel=1e-9)
    assert both.synthetic is not None and len(both.synthetic.weights_by_treated) == 2
    assert both.synthetic.n_placebos == math.comb(9, 2)  # pairs of control zones
    assert both.ci_low <= -4.0 <= both.ci_high


def test_poor_fit_outside_the_controls_range_is_said() -> None:
    rng = np.random.default_rng(3)
    panel = _panel(rng, 1, 20, 0.0)
    y = panel.y + np.where(panel.treated[panel.unit_idx], 80.0, 0.0)  # far above every zone
    res = synthetic_control(make_panel(panel.unit_idx, panel.time_idx, y, panel.treated,
                                       panel.post))
    assert "synthetic_outside_hull" in res.warnings
    assert "synthetic_poor_fit" in res.warnings
    assert "synthetic_outside_hull" in res.to_dict()["warnings"]  # type: ignore[operator]
    clean = synthetic_control(panel)
    assert not {"synthetic_outside_hull", "synthetic_poor_fit"} & set(clean.warnings)


def test_too_few_controls_for_significance_is_said_and_unbounded() -> None:
    rng = np.random.default_rng(4)
    res = synthetic_control(_panel(rng, 1, 10, -6.0, noise=0.5))
    assert "synthetic_few_controls" in res.warnings
    assert math.isinf(res.ci_low) and math.isinf(res.ci_high)
    assert res.p_value >= 1 / 11
    assert math.isfinite(res.effect)


def test_three_treated_zones_or_one_control_are_refused_with_a_reason() -> None:
    rng = np.random.default_rng(5)
    assert synthetic_control(_panel(rng, 3, 10, 0.0)).reason == "synthetic_too_many_treated"
    assert synthetic_control(_panel(rng, 1, 1, 0.0)).reason == "synthetic_too_few_controls"
    assert synthetic_control(_panel(rng, 2, 2, 0.0)).reason == "synthetic_too_few_controls"
    assert synthetic_control(_panel(rng, 2, 3, 0.0)).reason is None
    short = _panel(rng, 1, 5, 0.0, n_periods=4)
    assert synthetic_control(short).reason == "synthetic_too_few_baseline"


def test_from_readings_with_weights_and_pre_fit_in_json() -> None:
    rng = np.random.default_rng(8)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    zones = ["T"] + [f"C{i:02d}" for i in range(20)]
    panel = _panel(rng, 1, 20, -5.0, noise=0.5)
    hours = np.arange(28 * 4) * 6  # four readings a day, each the day's value + noise
    rows = pl.DataFrame({
        "zone": [zones[u] for u in panel.unit_idx for _ in range(4)],
        "t": [t0 + timedelta(hours=int(h)) for u in range(21) for h in hours],
        "y": np.repeat(panel.y, 4) + rng.normal(0, 0.1, panel.y.size * 4)})
    res = estimate_synthetic_control(rows.lazy(), unit="zone", time="t", outcome="y",
                                     treated_units=["T"], control_units=zones[1:],
                                     pilot_start=t0 + timedelta(days=14), time_grain="day")
    assert res.effect == pytest.approx(-5.0, abs=1.0)
    out = json.loads(json.dumps(res.to_dict()))
    section = out["synthetic_control"]
    assert set(section["weights"]) == set(zones[1:])
    assert sum(section["weights"].values()) == pytest.approx(1.0)
    assert section["weights_by_treated_zone"]["T"] == section["weights"]
    assert section["pre_fit"]["rmspe"] > 0 and section["n_placebos"] == 20
    assert len(section["path"]) == 28 and section["path"][0]["period"].startswith("2026-01-01")
    assert out["details"]["n_readings"] == 21 * 28 * 4
