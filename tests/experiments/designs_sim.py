"""Cheap, seeded simulations of pilots for the design tests (vectorised numpy)."""

from __future__ import annotations

import numpy as np

from experiments.panel import Panel, make_panel


def ar1_errors(rng: np.random.Generator, n_units: int, n_periods: int, rho: float) -> np.ndarray:
    """Stationary AR(1) errors with unit variance, one series per unit."""
    e = np.empty((n_units, n_periods))
    e[:, 0] = rng.normal(size=n_units)
    shocks = rng.normal(size=(n_units, n_periods)) * np.sqrt(1 - rho**2)
    for t in range(1, n_periods):
        e[:, t] = rho * e[:, t - 1] + shocks[:, t]
    return e


def pilot_panel(
    rng: np.random.Generator, n_treated: int, n_control: int, n_periods: int = 8, *,
    effect: float = 0.0, rho: float = 0.5, level: float = 10.0, trend_gap: float = 0.0,
    random_assignment: bool = True, treated_noise: float = 1.0,
) -> Panel:
    """A balanced pilot panel: unit and period effects, AR(1) noise, effect on treated post.

    `trend_gap` adds a linear trend (per period) to treated units only, breaking parallel
    trends; `treated_noise` multiplies the treated units' AR(1) shocks (2 = twice as noisy).
    """
    n_units = n_treated + n_control
    treated = np.zeros(n_units, dtype=bool)
    idx = rng.choice(n_units, n_treated, replace=False) if random_assignment else np.arange(
        n_treated)
    treated[idx] = True
    post = np.arange(n_periods) >= n_periods // 2
    noise = np.where(treated, treated_noise, 1.0)[:, None]
    y = (level + rng.normal(size=(n_units, 1)) + rng.normal(size=(1, n_periods))
         + noise * ar1_errors(rng, n_units, n_periods, rho))
    y += effect * (treated[:, None] & post[None, :])
    y += trend_gap * treated[:, None] * np.arange(n_periods)[None, :]
    ui = np.repeat(np.arange(n_units), n_periods)
    ti = np.tile(np.arange(n_periods), n_units)
    return make_panel(ui, ti, y.ravel(), treated, post)


def staggered_panel(rng: np.random.Generator, starts: list[int], n_periods: int, *,
                    slope: float = -0.3, noise: float = 1.0, rho: float = 0.5
                    ) -> tuple[Panel, np.ndarray, float]:
    """Zones starting at their own period (a start ≥ n_periods: never treated), effects
    growing by `slope` per period since each zone's start (heterogeneous across zones and
    time). Returns the panel, the starts and the true ATT over the treated cells."""
    start = np.array(starts, dtype=np.int64)
    n = start.size
    t = np.arange(n_periods)
    since = t[None, :] - start[:, None]
    tau = np.where(since >= 0, slope * (since + 1), 0.0)
    y = (10 + rng.normal(size=(n, 1)) + rng.normal(size=(1, n_periods))
         + noise * ar1_errors(rng, n, n_periods, rho) + tau)
    ui, ti = np.repeat(np.arange(n), n_periods), np.tile(t, n)
    first = int(start.min())
    panel = make_panel(ui, ti, y.ravel(), start < n_periods, t >= first)
    return panel, start, float(tau[since >= 0].mean()) if (since >= 0).any() else 0.0
