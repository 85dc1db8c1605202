"""Event study: effects by period relative to the start, checked against statsmodels'
leads-and-lags TWFE regression and against a planted dynamic effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from experiments.event_study import event_study
from experiments.panel import make_panel
from tests.experiments.designs_sim import ar1_errors


def _dynamic_panel(rng, n_treated, n_control, n_periods, slope):
    n = n_treated + n_control
    treated = np.arange(n) < n_treated
    post = np.arange(n_periods) >= n_periods // 2
    rel = np.arange(n_periods) - n_periods // 2
    effect = np.where(rel >= 0, slope * (rel + 1), 0.0)  # grows after the start
    y = (10 + rng.normal(size=(n, 1)) + rng.normal(size=(1, n_periods))
         + 0.5 * ar1_errors(rng, n, n_periods, 0.5) + treated[:, None] * effect[None, :])
    ui = np.repeat(np.arange(n), n_periods)
    ti = np.tile(np.arange(n_periods), n)
    return make_panel(ui, ti, y.ravel(), treated, post), rel, effect


def test_event_study_equals_the_leads_and_lags_regression() -> None:
    rng = np.random.default_rng(1701)
    panel, rel, _ = _dynamic_panel(rng, 4, 8, 10, -0.3)
    study = event_study(panel)
    assert study is not None and study.periods_per_point == 1
    df = pd.DataFrame({"y": panel.y, "u": panel.unit_idx, "t": panel.time_idx})
    terms = []
    for r in rel:
        if r == -1:
            continue
        name = f"d{r + 10}"
        df[name] = (panel.treated[panel.unit_idx] & (rel[panel.time_idx] == r)).astype(float)
        terms.append(name)
    fit = smf.ols("y ~ C(u) + C(t) + " + " + ".join(terms), df).fit()
    by_r = {p.relative_period: p for p in study.points}
    assert by_r[-1].effect == 0.0
    for r in rel:
        if r != -1:
            assert by_r[int(r)].effect == pytest.approx(fit.params[f"d{r + 10}"], abs=1e-9)


@pytest.mark.parametrize(("n_treated", "n_control", "path"),
                         [(12, 12, "Welch"), (3, 9, "randomization")])
def test_event_study_recovers_a_growing_effect(n_treated, n_control, path) -> None:
    rng = np.random.default_rng(1702)
    hits, leads_flat = [], []
    for _ in range(40):
        panel, rel, effect = _dynamic_panel(rng, n_treated, n_control, 12, -0.4)
        study = event_study(panel)
        assert study is not None and path in study.method
        for p in study.points:
            if p.relative_period != -1:
                hits.append(p.ci_low <= effect[rel == p.relative_period][0] <= p.ci_high)
        leads_flat.append(np.mean([p.effect for p in study.points if p.relative_period < -1]))
    assert np.mean(hits) >= 0.9
    assert abs(np.mean(leads_flat)) < 0.1
    lags = {p.relative_period: p.effect for p in study.points}  # type: ignore[union-attr]
    assert lags[5] < lags[0] < 0  # the dynamics show: larger effect later


def test_long_panels_are_binned_for_a_readable_chart() -> None:
    rng = np.random.default_rng(1703)
    panel, _, _ = _dynamic_panel(rng, 12, 12, 200, -0.01)
    study = event_study(panel)
    assert study is not None and study.periods_per_point == 5 and len(study.points) <= 40
    out = study.to_dict()
    assert out["points"][0]["relative_period"] == -20  # type: ignore[index]
