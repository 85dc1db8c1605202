"""Coverage of the 95% intervals on simulated pilots with a planted effect.

With n simulations the Monte-Carlo SD of the coverage is sqrt(.95·.05/n) ≈ 0.7% for
n = 1000, so the required band 95% ± 3% is about four SDs wide: a correct method fails it
with probability well below 1e-4, while a method whose true coverage is 90% or 99% fails
almost surely. Seeds are fixed, so the outcome is deterministic.
"""

from __future__ import annotations

import numpy as np
import pytest

from experiments._tdist import t_ppf
from experiments.did import did_2x2, did_panel
from experiments.summaries import did_cells_from_arrays
from tests.experiments.designs_sim import pilot_panel

N_SIMS = 1000
EFFECT = -0.8


def _coverage(results) -> float:
    hits = [r.ci_low <= EFFECT <= r.ci_high for r in results]
    return float(np.mean(hits))


def test_many_treated_zones_cluster_robust_path_covers() -> None:
    rng = np.random.default_rng(20240501)
    results = [did_panel(pilot_panel(rng, 12, 18, 8, effect=EFFECT, rho=0.5))
               for _ in range(N_SIMS)]
    assert all("cluster-robust" in r.method for r in results)
    assert 0.92 <= _coverage(results) <= 0.98


def test_few_treated_zones_randomization_path_covers() -> None:
    rng = np.random.default_rng(20240502)
    results = [did_panel(pilot_panel(rng, 3, 7, 8, effect=EFFECT, rho=0.5))
               for _ in range(N_SIMS)]
    assert all("randomization inference" in r.method for r in results)
    assert all("few_clusters_randomization" in r.warnings for r in results)
    assert 0.92 <= _coverage(results) <= 0.98


def test_few_treated_zones_would_undercover_with_cluster_robust() -> None:
    """Why the rule exists: CR1 with t(G − 1) and 2 treated of 12 zones covers far less
    than 95% (the explicit override `min_clusters=1` lets it run; its own interval is on
    t(min(G1, G0) − 1) = t(1), hopelessly wide, so the plain one is rebuilt from the SE)."""
    rng = np.random.default_rng(20240503)
    results = [did_panel(pilot_panel(rng, 2, 10, 8, effect=EFFECT, rho=0.5),
                         inference="cluster", min_clusters=1) for _ in range(400)]
    assert all("t(1)" in r.method for r in results)
    half = [t_ppf(0.975, 11) * r.se for r in results]
    hits = [r.effect - h <= EFFECT <= r.effect + h for r, h in zip(results, half, strict=True)]
    assert np.mean(hits) < 0.90


@pytest.mark.slow
def test_2x2_row_form_covers_on_both_paths() -> None:
    rng = np.random.default_rng(20240504)
    for n_treated, n_control, path in ((12, 16, "cluster-robust"), (3, 7, "randomization")):
        results = []
        for _ in range(N_SIMS):
            panel = pilot_panel(rng, n_treated, n_control, 6, effect=EFFECT, rho=0.3)
            rows = np.repeat(np.arange(panel.n_cells), 5)  # 5 readings per unit × period
            y = panel.y[rows] + rng.normal(size=rows.size)
            treated = panel.treated[panel.unit_idx[rows]]
            post = panel.post[panel.time_idx[rows]]
            results.append(did_2x2(did_cells_from_arrays(y, treated, post,
                                                         panel.unit_idx[rows])))
        assert all(path in r.method for r in results)
        assert 0.92 <= _coverage(results) <= 0.98, path
