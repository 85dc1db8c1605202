"""Event study: the DiD effect period by period relative to the pilot start.

For each relative period r (0 = the first pilot period; leads r < 0 show the pre-trend,
lags r ≥ 0 the dynamics), the effect is the treated minus control mean of each zone's
change from the reference period r = −1 (the last baseline period), the usual normalisation
of dynamic DiD (it equals the TWFE leads-and-lags regression on a balanced panel). Periods
are binned into at most `MAX_POINTS` consecutive groups so that an hourly panel gives a
readable chart. Each point's interval follows the same rule as the overall effect
(`experiments.inference`): with fewer than ten treated or control zones, randomization
inference on the zone changes standardized by each zone's baseline SD; otherwise Welch's t on
the zone changes (robust to unequal variability between the groups).
"""

from __future__ import annotations

import math

import numpy as np

from experiments._tdist import t_ppf, t_sf
from experiments.heterogeneity import baseline_unit_variances, standardized_statistic, welch_p
from experiments.inference import MAX_ASSIGNMENTS, MIN_CLUSTERS, assignments, randomization_test
from experiments.panel import Panel
from experiments.results import EventPoint, EventStudy

MAX_POINTS = 40


def event_study(panel: Panel, *, alpha: float = 0.05, seed: int = 0,
                min_clusters: int = MIN_CLUSTERS) -> EventStudy | None:
    """Effects by period relative to the pilot start, with intervals (None if undefined)."""
    post = panel.post
    if not post.any() or post.all() or panel.n_cells == 0:
        return None
    first = int(np.argmax(post))
    rel = np.arange(post.size) - first
    width = max(1, math.ceil(post.size / MAX_POINTS))
    bins = np.floor_divide(rel, width)  # bin −1 holds the last `width` baseline periods
    n_u = panel.treated.size
    b_cells = bins[panel.time_idx]
    keys = np.unique(b_cells)
    if -1 not in keys:
        return None
    # zone means per bin (NaN where a zone has no cell in the bin)
    col = np.searchsorted(keys, b_cells)
    sums = np.zeros((n_u, keys.size))
    cnts = np.zeros((n_u, keys.size))
    np.add.at(sums, (panel.unit_idx, col), panel.y)
    np.add.at(cnts, (panel.unit_idx, col), 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / cnts
    ref = means[:, int(np.searchsorted(keys, -1))]
    treated = panel.treated
    seen = np.isfinite(ref)
    n_tr, n_co = int((treated & seen).sum()), int((~treated & seen).sum())
    if n_tr == 0 or n_co == 0:
        return None
    var, _ = baseline_unit_variances(panel.unit_idx, panel.time_idx, panel.y, post, n_u)
    use_t = min(n_tr, n_co) >= min_clusters and n_tr >= 2 and n_co >= 2
    mat = None if use_t else assignments(treated, MAX_ASSIGNMENTS, seed)[0]
    points = []
    starts = {int(k): panel.periods[int(np.argmax(bins == k))] for k in keys}
    for j, k in enumerate(keys):
        if k == -1:
            points.append(EventPoint(-1, starts[-1], 0.0, 0.0, 0.0, math.nan))
            continue
        d = means[:, j] - ref
        ok = np.isfinite(d)
        if not (ok & treated).any() or not (ok & ~treated).any():
            continue
        effect = float(d[ok & treated].mean() - d[ok & ~treated].mean())
        if use_t:
            diff, se, df = welch_p(d, treated)
            crit = t_ppf(1 - alpha / 2, df) if math.isfinite(df) else math.nan
            lo, hi = diff - crit * se, diff + crit * se
            p = 2 * t_sf(abs(diff) / se, df) if se > 0 else math.nan
        else:
            assert mat is not None
            a, c = standardized_statistic(mat, np.where(ok, d, np.nan), np.sqrt(var))
            r = randomization_test(a, c, alpha)
            lo, hi, p = r.ci_low, r.ci_high, r.p_value
        points.append(EventPoint(int(k), starts[int(k)], effect, lo, hi, p))
    how = ("Welch t on zone changes" if use_t else
           "randomization inference on zone changes standardized by baseline SD")
    return EventStudy(reference=-1, periods_per_point=width, points=tuple(points),
                      method=f"event study, reference = last baseline period; {how}")


__all__ = ["MAX_POINTS", "event_study"]
