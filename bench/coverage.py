"""Coverage and false positives of the DiD intervals with few treated zones (issue 16).

Zone × day panels (`tests/experiments/designs_sim.pilot_panel`: zone and day effects, AR(1)
zone shocks with ρ = 0.5, half the days baseline), in two settings: every zone equally
noisy, and treated zones' shocks twice the controls'. For each treated/control split, each
run draws one panel with a planted effect (coverage of the 95% interval) and one without
(false positives: the interval excludes 0 / p ≤ 0.05), and compares

* default — `did_panel` as the evaluation runs it (`inference="auto"`): randomization
  inference on zone differences standardized by each zone's baseline SD below ten treated
  or control zones, CR1 with t(min(G₁, G₀) − 1) above;
  `warn` is the share of runs carrying `treated_noisier_few`;
* CR1 — plain clustered errors by zone with t(G−1), whatever the number of zones;
* Welch — Welch's t on per-zone differences (pilot mean − baseline mean), treated vs
  control (undefined with one treated zone).

    .venv/bin/python bench/coverage.py                 # 2,000 runs a cell, about 2 minutes
    .venv/bin/python bench/coverage.py --runs 1000 --seed 7700   # a replication

2,000 runs by default: at 1,000 the Monte-Carlo SD of a 5% rate is 0.7 points, and an exact
5% test shows more than 6% in about one cell in twelve. The table and its replications are
in `experiments/inference.py`.

Seeds are fixed: the same arguments print the same table.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from experiments._tdist import t_ppf, t_sf  # noqa: E402
from experiments.did import did_panel  # noqa: E402
from experiments.heterogeneity import unit_differences, welch_p  # noqa: E402
from experiments.staggered import NEVER, did_staggered  # noqa: E402
from tests.experiments.designs_sim import pilot_panel, staggered_panel  # noqa: E402

CELLS = ((1, 10), (2, 10), (3, 15), (5, 20), (10, 20), (20, 20))
EFFECT = -0.8


def welch(panel, alpha: float = 0.05) -> tuple[float, float, float]:
    """(low, high, p) of Welch's t on per-zone differences."""
    d = unit_differences(panel.unit_idx, panel.time_idx, panel.y, panel.post,
                         panel.treated.size)
    diff, se, df = welch_p(d, panel.treated)
    if not math.isfinite(se) or se == 0:
        return math.nan, math.nan, math.nan
    crit = t_ppf(1 - alpha / 2, df)
    return diff - crit * se, diff + crit * se, 2 * t_sf(abs(diff) / se, df)


def one_cell(n_t: int, n_c: int, noise: float, runs: int, days: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    hits = {"default": [0, 0, 0], "cr1": [0, 0, 0], "welch": [0, 0, 0]}  # cover, fp, n
    warned = 0
    for _ in range(runs):
        for effect in (EFFECT, 0.0):
            panel = pilot_panel(rng, n_t, n_c, days, effect=effect, rho=0.5,
                                treated_noise=noise)
            res = did_panel(panel)
            cr1 = did_panel(panel, inference="cluster", min_clusters=1)
            g = n_t + n_c
            half = t_ppf(0.975, g - 1) * cr1.se  # plain: t(G − 1)
            out = {"default": (res.ci_low, res.ci_high),
                   "cr1": (cr1.effect - half, cr1.effect + half),
                   "welch": welch(panel)[:2]}
            if effect == 0.0:
                warned += "treated_noisier_few" in res.warnings
            for k, (lo, hi) in out.items():
                if not (math.isfinite(lo) or math.isinf(lo)):
                    continue
                if effect == EFFECT:
                    hits[k][0] += lo <= EFFECT <= hi
                    hits[k][2] += 1
                else:
                    hits[k][1] += not (lo <= 0.0 <= hi)
    return {"hits": hits, "warn": warned / runs}


STAGGERED_STARTS = [10] * 4 + [18] * 4 + [int(NEVER)] * 12
STAGGERED_SLOPE = -0.05
STAGGERED_PERMUTATIONS = 200


def staggered_cell(runs: int, seed: int) -> tuple[float, float]:
    """(coverage of the true ATT, false positives) of the staggered design's interval.

    28 days, 4 zones starting on day 10, 4 on day 18, 12 never; effects growing by −0.05 a
    day since each zone's own start (heterogeneous: the plain TWFE is biased there). The
    platform draws 1,000 permutations; 200 keep this within minutes (p resolution 1/201).
    """
    rng = np.random.default_rng(seed)
    cover = fp = 0
    for _ in range(runs):
        panel, start, truth = staggered_panel(rng, STAGGERED_STARTS, 28, slope=STAGGERED_SLOPE)
        r = did_staggered(panel, start, max_permutations=STAGGERED_PERMUTATIONS)
        cover += r.ci_low <= truth <= r.ci_high
        panel, start, _ = staggered_panel(rng, STAGGERED_STARTS, 28, slope=0.0)
        r = did_staggered(panel, start, max_permutations=STAGGERED_PERMUTATIONS)
        fp += not (r.ci_low <= 0.0 <= r.ci_high)
    return cover / runs, fp / runs


def fmt(h: list[int]) -> str:
    if h[2] == 0:
        return "   —      —  "
    return f"{100 * h[0] / h[2]:5.1f}% {100 * h[1] / h[2]:5.1f}%"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--cells", default=",".join(f"{t}/{c}" for t, c in CELLS))
    ap.add_argument("--seed", type=int, default=1600, help="base seed (a replication: change it)")
    ap.add_argument("--noise", default="1,2", help="treated noise multipliers to run")
    ap.add_argument("--staggered-runs", type=int, default=1000,
                    help="runs of the staggered-adoption design (0: skip)")
    args = ap.parse_args()
    cells = [tuple(int(x) for x in c.split("/")) for c in args.cells.split(",")]
    print(f"{args.runs} runs per cell (each: one panel with effect {EFFECT}, one without), "
          f"{args.days} days, AR(1) ρ = 0.5; coverage / false positives of 95% intervals")
    print(f"{'noise':>6} {'T/C':>6} | {'default':^13} {'warn':>5} | {'CR1 t(G-1)':^13} | "
          f"{'Welch diffs':^13} | secs")
    for noise in (float(x) for x in args.noise.split(",")):
        for i, (n_t, n_c) in enumerate(cells):
            t0 = time.perf_counter()
            r = one_cell(n_t, n_c, noise, args.runs, args.days, args.seed + 10 * i + int(noise))
            h = r["hits"]
            print(f"{'equal' if noise == 1 else 'T ×2':>6} {n_t:>2}/{n_c:<3} | "
                  f"{fmt(h['default'])} {100 * r['warn']:4.0f}% | {fmt(h['cr1'])} | "
                  f"{fmt(h['welch'])} | {time.perf_counter() - t0:.0f}", flush=True)
    if args.staggered_runs:
        t0 = time.perf_counter()
        cover, fp = staggered_cell(args.staggered_runs, args.seed + 500)
        print(f"staggered adoption (imputation, 8 treated zones in 2 cohorts / 12 never; "
              f"{args.staggered_runs} runs): coverage {100 * cover:.1f}%, false positives "
              f"{100 * fp:.1f}% (goal coverage ≥ 93%) | {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
