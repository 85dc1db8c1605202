"""Coverage and false positives of the synthetic control's placebo intervals (issue 16).

The zone × day panels of `bench/coverage.py` (`tests/experiments/designs_sim.pilot_panel`:
zone and day effects, AR(1) zone shocks with ρ = 0.5, half the days baseline), with one or
two treated zones, every zone equally noisy ("equal") or the treated zones' shocks twice
the controls' ("T ×2"). Each run draws one panel with a planted effect (coverage of the 95%
interval) and one without (false positives: p ≤ 0.05); `unbounded` is the share of planted
runs whose interval is unbounded (too few controls for the test to reach 5%), `empty` the
share with no constant effect accepted (counted as not covering).

    .venv/bin/python bench/synthetic_coverage.py --runs 500

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

from experiments.synthetic import synthetic_control  # noqa: E402
from tests.experiments.designs_sim import pilot_panel  # noqa: E402

CELLS = ((1, 10), (1, 20), (2, 10), (2, 20))
EFFECT = -0.8


def one_cell(n_t: int, n_c: int, noise: float, runs: int, days: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    cover = fp = unbounded = empty = 0
    for _ in range(runs):
        planted = synthetic_control(pilot_panel(rng, n_t, n_c, days, effect=EFFECT, rho=0.5,
                                                treated_noise=noise))
        cover += bool(planted.ci_low <= EFFECT <= planted.ci_high)
        unbounded += math.isinf(planted.ci_low) or math.isinf(planted.ci_high)
        empty += math.isnan(planted.ci_low)
        null = synthetic_control(pilot_panel(rng, n_t, n_c, days, effect=0.0, rho=0.5,
                                             treated_noise=noise))
        fp += bool(null.p_value <= 0.05)
    return {"cover": cover / runs, "fp": fp / runs, "unbounded": unbounded / runs,
            "empty": empty / runs}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=500)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--cells", default=",".join(f"{t}/{c}" for t, c in CELLS))
    ap.add_argument("--seed", type=int, default=1680, help="base seed (a replication: change it)")
    ap.add_argument("--noise", default="1,2", help="treated noise multipliers to run")
    args = ap.parse_args()
    cells = [tuple(int(x) for x in c.split("/")) for c in args.cells.split(",")]
    print(f"{args.runs} runs per cell (each: one panel with effect {EFFECT}, one without), "
          f"{args.days} days, AR(1) ρ = 0.5; synthetic control, 95% placebo intervals")
    print(f"{'noise':>6} {'T/C':>6} | {'cover':>6} {'FP':>6} {'unbounded':>9} {'empty':>6} | secs")
    for noise in (float(x) for x in args.noise.split(",")):
        for i, (n_t, n_c) in enumerate(cells):
            t0 = time.perf_counter()
            r = one_cell(n_t, n_c, noise, args.runs, args.days, args.seed + 10 * i + int(noise))
            print(f"{'equal' if noise == 1 else 'T ×2':>6} {n_t:>2}/{n_c:<3} | "
                  f"{100 * r['cover']:5.1f}% {100 * r['fp']:5.1f}% {100 * r['unbounded']:8.1f}% "
                  f"{100 * r['empty']:5.1f}% | {time.perf_counter() - t0:.0f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
