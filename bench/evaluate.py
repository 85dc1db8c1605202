"""Benchmark: one KPI's full DiD evaluation on 50 million readings, three ways.

`make bench` runs it; `--rows 5000000` tries a smaller size quickly.

The data: 1,000 sensors in 50 zones (20 treated, 20 control, 10 left out) reading every
minute for 50,000 minutes (2024-03-01 → 2024-04-04, UTC), with zone, day, zone×day, sensor,
time-of-day and reading noise, and a planted −8% effect on the KPI (`no2`) in treated zones
from the pilot start (2024-03-18). It is written once (deterministic seed) to bench/data/
in the layout the catalog writes (lab/datasets/convert.py): one Parquet file sorted by zone
then time, zone as a dictionary-encoded string column, time `Datetime("us", "UTC")`, LZ4,
row groups of 128Ki rows with min/max statistics, plus columns the KPI doesn't need.

The work timed, identical in all three: read the file, keep the 40 pilot zones and the
baseline + pilot window (2024-03-04 → 2024-04-01), aggregate to zone × day means, estimate
the panel DiD (TWFE, unit and day fixed effects) with a cluster-robust interval (CR1 by zone,
t(G−1)), and for each treated zone a Welch test of its daily gap to the control-zone mean,
pilot period vs baseline. Three ways:

* terrain — `experiments.build_panel` (lazy scan, filters pushed into the Parquet reader;
  the streamed batches, sorted by zone then time as the catalog stores them, reduced by runs:
  day edges by binary search, sums by `reduceat`, no hashing) then `did_panel` and `welch`
  on the small panel;
* pandas — `read_parquet` of the needed columns, boolean filter, `groupby`, then the same
  estimates in numpy/scipy (dummy-variable OLS, CR1 sandwich, `scipy.stats.ttest_ind`);
* duckdb — the same query in SQL (`read_parquet`, `WHERE`, `GROUP BY zone, day`), then the
  same numpy/scipy estimation as pandas on its small result.

pandas and DuckDB use scipy for the t distribution; Terrain's DiD path computes its t tails
in `experiments._tdist` (checked against scipy in tests/experiments/test_tdist.py) and does
not import scipy. None uses statsmodels in the timed run, and none runs Terrain's quality
checks.

Each is a fresh `python` process (imports + read + compute + printing its result) started
once untimed to warm the page cache (and the bytecode cache), then timed `--repeat` times,
in rotating order; the best wall time counts, and its CPU time (user + sys, from `os.wait4`)
is shown too because the machine is shared. Peak memory is the child's own VmHWM
(`ru_maxrss` of a forked child also counts the parent's pages). The run checks that the
three agree on every estimate, that the numpy estimator equals statsmodels on the same
cells and that the planted −8% lies in the interval, then prints the figures against the
targets: terrain ≥ 8× faster than pandas, no slower than DuckDB, peak memory < 700 MB. It
exits 1 when a check fails (and, with `--strict`, when a target is missed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

N_SENSORS, N_ZONES, N_TREATED, N_CONTROL = 1000, 50, 20, 20
SEED = 20240318
PLANTED = -0.08
KPI = "no2"
ROW_GROUP_ROWS = 128 * 1024  # the catalog's (lab.datasets.convert.ROW_GROUP_ROWS)
COMPRESSION = "lz4"  # the catalog's (lab.datasets.convert.COMPRESSION)
SPAN_MINUTES = 50_000  # 1,000 sensors × 50,000 minutes = 50 million readings
GENERATOR_VERSION = 2  # 2: LZ4, as the catalog now writes
UTC = dt.UTC
START = dt.datetime(2024, 3, 1, tzinfo=UTC)
BASELINE_START = dt.datetime(2024, 3, 4, tzinfo=UTC)
PILOT_START = dt.datetime(2024, 3, 18, tzinfo=UTC)
WINDOW_END = dt.datetime(2024, 4, 1, tzinfo=UTC)
METHODS = ("terrain", "pandas", "duckdb")
DAY_US = 86_400_000_000
ESTIMATES = ("effect", "se", "ci_low", "ci_high", "p_value", "relative_effect",
             "relative_ci_low", "relative_ci_high")
ZONE_ESTIMATES = ("effect", "ci_low", "ci_high", "p_value")
AGREE = 1e-6  # relative: the engines sum in different orders

TARGET_PANDAS_RATIO = 8.0
TARGET_DUCKDB_RATIO = 1.0
TARGET_PEAK_MB = 700.0


def design() -> tuple[list[str], list[str], list[str]]:
    """Zone names, and the treated and control zones (a seeded draw; the rest left out)."""
    import numpy as np

    names = [f"z{i + 1:02d}" for i in range(N_ZONES)]
    order = np.random.default_rng([SEED, 0]).permutation(N_ZONES)
    treated = sorted(names[i] for i in order[:N_TREATED])
    control = sorted(names[i] for i in order[N_TREATED:N_TREATED + N_CONTROL])
    return names, treated, control


def _us(t: dt.datetime) -> int:
    return int(t.timestamp()) * 1_000_000


# ---------------------------------------------------------------------------------------
# Data


def data_path(rows: int) -> Path:
    """Where the data set of `rows` readings lives."""
    return DATA / f"readings-{rows}-seed{SEED}-v{GENERATOR_VERSION}.parquet"


def _stamp(rows: int) -> dict[str, int]:
    return {"rows": rows, "seed": SEED, "version": GENERATOR_VERSION}


def data_is_current(path: Path, rows: int) -> bool:
    """Whether `path` holds the data set this script would generate for `rows`."""
    import pyarrow.parquet as pq

    if not path.is_file():
        return False
    try:
        meta = pq.read_metadata(path)
    except Exception:  # a truncated or foreign file is regenerated
        return False
    stamp = (meta.metadata or {}).get(b"terrain.bench")
    return meta.num_rows == rows and stamp is not None and json.loads(stamp) == _stamp(rows)


def generate(path: Path, rows: int) -> None:
    """Write the readings zone by zone (bounded memory), sorted by zone then time."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    per_zone = N_SENSORS // N_ZONES
    n = rows // N_SENSORS  # readings per sensor; 50,000 (one a minute) at the default size
    step_us = SPAN_MINUTES * 60_000_000 // n
    names, treated, _ = design()
    common = np.random.default_rng([SEED, 1])
    n_days = SPAN_MINUTES // 1440 + 2
    day_effect = common.normal(0, 1.5, n_days)
    zone_effect = common.normal(0, 5, N_ZONES)
    t_us = _us(START) + np.arange(n, dtype=np.int64) * step_us
    day = (t_us - _us(START)) // DAY_US
    time_of_day = (t_us % DAY_US) / DAY_US
    diurnal = 6 * np.sin(2 * np.pi * (time_of_day - 0.3))
    in_pilot = t_us >= _us(PILOT_START)
    schema = pa.schema(
        [("zone", pa.string()), ("sensor", pa.string()), ("time", pa.timestamp("us", "UTC")),
         (KPI, pa.float64()), ("pm25", pa.float64())],
        metadata={"terrain.bench": json.dumps(_stamp(rows))})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pending: list[pa.Table] = []
    with pq.ParquetWriter(tmp, schema, compression=COMPRESSION, use_dictionary=["zone", "sensor"],
                          write_statistics=True,
                          dictionary_pagesize_limit=256 * 1024 * 1024) as writer:
        for z, name in enumerate(names):
            rng = np.random.default_rng([SEED, 2, z])
            zone_day = rng.normal(0, 0.8, n_days)
            level = 40 + zone_effect[z] + day_effect[day] + zone_day[day] + diurnal
            sensor_effect = rng.normal(0, 2, per_zone)
            kpi = level[:, None] + sensor_effect[None, :] + rng.normal(0, 4, (n, per_zone))
            if name in treated:
                kpi[in_pilot] *= 1 + PLANTED
            pm25 = 12 + 0.2 * level[:, None] + rng.gamma(2.0, 2.0, (n, per_zone))
            missing = rng.random(n * per_zone) < 0.001  # sensor dropouts
            sensors = pa.array([f"s{z * per_zone + k + 1:04d}" for k in range(per_zone)])
            pending.append(pa.table({
                "zone": pa.array(np.full(n * per_zone, name)),
                "sensor": pa.DictionaryArray.from_arrays(
                    np.tile(np.arange(per_zone, dtype=np.int32), n), sensors).cast(pa.string()),
                "time": pa.array(np.repeat(t_us, per_zone), pa.timestamp("us", "UTC")),
                KPI: pa.array(np.round(kpi, 1).ravel(), mask=missing),
                "pm25": pa.array(np.round(pm25, 1).ravel()),
            }, schema=schema))
            # Row groups run across zone boundaries, as when the catalog sinks a sorted frame.
            buffered = pa.concat_tables(pending)
            last = z == len(names) - 1
            cut = buffered.num_rows if last else (
                buffered.num_rows // ROW_GROUP_ROWS * ROW_GROUP_ROWS)
            if cut:
                writer.write_table(buffered.slice(0, cut), row_group_size=ROW_GROUP_ROWS)
            pending = [buffered.slice(cut)]
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------
# The three evaluations (each runs in its own process; imports are inside on purpose)


def evaluate_terrain(path: Path) -> dict[str, Any]:
    """Terrain: lazy scan with pushed-down filters, `build_panel`, `did_panel`, `welch`."""
    t0 = time.perf_counter()
    import numpy as np
    import polars as pl

    from experiments.ab import welch
    from experiments.did import did_panel
    from experiments.panel import build_panel
    from experiments.summaries import Moments

    t1 = time.perf_counter()
    _, treated, control = design()
    lf = pl.scan_parquet(path).filter(
        pl.col("time").is_between(BASELINE_START, WINDOW_END, closed="left"))
    panel = build_panel(lf, unit="zone", time="time", outcome=KPI, treated_units=treated,
                        control_units=control, pilot_start=PILOT_START, time_grain="day")
    t2 = time.perf_counter()
    res = did_panel(panel)
    n_u, n_t = len(panel.units), len(panel.periods)
    grid = np.full((n_u, n_t), np.nan)
    grid[panel.unit_idx, panel.time_idx] = panel.y
    gaps = grid[panel.treated] - np.nanmean(grid[~panel.treated], axis=0)
    zones: dict[str, dict[str, float]] = {}
    for name, gap in zip(np.asarray(panel.units)[panel.treated], gaps, strict=True):
        pre, post = gap[~panel.post], gap[panel.post]
        z = welch(Moments.of(pre[np.isfinite(pre)]), Moments.of(post[np.isfinite(post)]))
        zones[str(name)] = {"effect": z.effect, "ci_low": z.ci_low, "ci_high": z.ci_high,
                            "p_value": z.p_value}
    t3 = time.perf_counter()
    return {
        "effect": res.effect, "se": res.se, "ci_low": res.ci_low, "ci_high": res.ci_high,
        "p_value": res.p_value, "relative_effect": res.relative_effect,
        "relative_ci_low": res.relative_ci_low, "relative_ci_high": res.relative_ci_high,
        "n_cells": panel.n_cells, "n_readings": panel.n_readings, "n_units": res.n_units,
        "n_periods": res.n_periods, "method": res.method, "zones": zones,
        "phases": {"import": t1 - t0, "query": t2 - t1, "estimate": t3 - t2},
    }


def evaluate_pandas(path: Path) -> dict[str, Any]:
    """pandas: read the needed columns, filter, groupby zone × day, estimate with numpy/scipy."""
    t0 = time.perf_counter()
    import numpy as np
    import pandas as pd

    t1 = time.perf_counter()
    _, treated, control = design()
    df = pd.read_parquet(path, columns=["zone", "time", KPI])
    keep = (df["zone"].isin(treated + control) & (df["time"] >= pd.Timestamp(BASELINE_START))
            & (df["time"] < pd.Timestamp(WINDOW_END)))
    df = df[keep]
    cells = (df.groupby([df["zone"], df["time"].dt.floor("D").rename("day")])[KPI]
             .agg(["mean", "count"]).reset_index())
    cells = cells[cells["count"] > 0]
    day = (cells["day"] - pd.Timestamp(START)) // pd.Timedelta(days=1)
    t2 = time.perf_counter()
    out = estimate_cells(cells["zone"].to_numpy(dtype=object), day.to_numpy(dtype=np.int64),
                         cells["mean"].to_numpy(dtype=np.float64),
                         cells["count"].to_numpy(dtype=np.int64), treated, control)
    t3 = time.perf_counter()
    out["phases"] = {"import": t1 - t0, "query": t2 - t1, "estimate": t3 - t2}
    return out


def duckdb_sql(path: Path, zones: list[str]) -> str:
    """The zone × day query in DuckDB SQL."""
    zone_list = ", ".join(f"'{z}'" for z in zones)
    return f"""
        SELECT zone, epoch_us("time") // {DAY_US} AS day, avg({KPI}) AS y, count({KPI}) AS n
        FROM read_parquet('{path}')
        WHERE zone IN ({zone_list})
          AND "time" >= TIMESTAMPTZ '{BASELINE_START.isoformat()}'
          AND "time" < TIMESTAMPTZ '{WINDOW_END.isoformat()}'
        GROUP BY ALL
        HAVING count({KPI}) > 0
    """


def evaluate_duckdb(path: Path) -> dict[str, Any]:
    """DuckDB: the query in SQL, then the same numpy/scipy estimation on its small result."""
    t0 = time.perf_counter()
    import duckdb
    import numpy as np

    t1 = time.perf_counter()
    _, treated, control = design()
    with duckdb.connect() as con:
        cells = con.execute(duckdb_sql(path, treated + control)).fetchnumpy()
    day = cells["day"].astype(np.int64) - _us(START) // DAY_US
    t2 = time.perf_counter()
    out = estimate_cells(np.asarray(cells["zone"], dtype=object), day,
                         np.asarray(cells["y"], dtype=np.float64),
                         np.asarray(cells["n"], dtype=np.int64), treated, control)
    t3 = time.perf_counter()
    out["phases"] = {"import": t1 - t0, "query": t2 - t1, "estimate": t3 - t2}
    return out


def estimate_cells(zone: Any, day: Any, y: Any, n: Any, treated: list[str],
                   control: list[str]) -> dict[str, Any]:
    """The estimates on zone × day means, written directly in numpy/scipy.

    TWFE by OLS on treated×pilot plus zone and day dummies; CR1 standard error by zone
    (as statsmodels' cov_type="cluster") with t(G−1); relative effect and its interval
    against the treated counterfactual pilot mean. Per treated zone: Welch's t-test of its
    daily gap to the control-zone mean, pilot days vs baseline days.
    """
    import numpy as np
    from scipy import stats

    units, ui = np.unique(zone, return_inverse=True)
    days, ti = np.unique(day, return_inverse=True)
    is_treated = np.isin(units, treated)
    post = days >= (_us(PILOT_START) - _us(START)) // DAY_US
    d = (is_treated[ui] & post[ti]).astype(float)
    # every zone and day has cells, so the dummies (no intercept, first day dropped) have
    # full rank and the normal equations are solvable
    x = np.column_stack([d, np.eye(units.size)[ui], np.eye(days.size)[ti][:, 1:]])
    bread = np.linalg.inv(x.T @ x)
    beta = bread @ (x.T @ y)
    resid = y - x @ beta
    effect = float(beta[0])
    scores = np.zeros((units.size, x.shape[1]))
    np.add.at(scores, ui, x * resid[:, None])  # one cluster per zone
    g, n_obs, k = units.size, y.size, x.shape[1]
    cov = g / (g - 1) * (n_obs - 1) / (n_obs - k) * bread @ scores.T @ scores @ bread
    se = math.sqrt(cov[0, 0])
    crit = float(stats.t.ppf(0.975, g - 1))
    p = float(2 * stats.t.sf(abs(effect) / se, g - 1))
    counterfactual = float(y[d == 1].mean()) - effect
    lo, hi = effect - crit * se, effect + crit * se

    grid = np.full((units.size, days.size), np.nan)
    grid[ui, ti] = y
    gap = grid[is_treated] - grid[np.isin(units, control)].mean(axis=0)
    before, during = gap[:, ~post], gap[:, post]
    t = stats.ttest_ind(during, before, axis=1, equal_var=False)
    ci = t.confidence_interval(0.95)
    zones = {str(name): {"effect": float(e), "ci_low": float(c_lo), "ci_high": float(c_hi),
                         "p_value": float(pv)}
             for name, e, c_lo, c_hi, pv in zip(
                 units[is_treated], during.mean(axis=1) - before.mean(axis=1), ci.low, ci.high,
                 t.pvalue, strict=True)}
    return {
        "effect": effect, "se": se, "ci_low": lo, "ci_high": hi, "p_value": p,
        "relative_effect": effect / counterfactual, "relative_ci_low": lo / counterfactual,
        "relative_ci_high": hi / counterfactual, "n_cells": int(y.size),
        "n_readings": int(n.sum()), "n_units": int(units.size), "n_periods": int(days.size),
        "method": "numpy OLS with zone and day dummies; CR1 by zone, t(G-1)", "zones": zones,
    }


EVALUATE = {"terrain": evaluate_terrain, "pandas": evaluate_pandas, "duckdb": evaluate_duckdb}


# ---------------------------------------------------------------------------------------
# The harness


def run_child(method: str, path: Path) -> tuple[float, float, float, dict[str, Any]]:
    """Run one evaluation in a fresh process; return (wall s, CPU s, peak RSS MB, result)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", method, "--data", str(path)]
    # A warm cache includes Python's bytecode cache, as in any installed package: a machine
    # that sets PYTHONDONTWRITEBYTECODE would otherwise recompile the project's own modules
    # (not the libraries', compiled when installed) in every run.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=HERE.parent, env=env)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    if proc.returncode != 0:
        raise SystemExit(f"{method} failed with exit code {proc.returncode}")
    result = json.loads(out)
    # ru_maxrss of a child counts the parent's pages it started with (fork), so prefer the
    # high-water mark of its own address space, which the child reports just before exiting
    peak = result.get("vm_hwm_mb") or usage.ru_maxrss / 1024
    return wall, usage.ru_utime + usage.ru_stime, peak, result


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def compare(results: dict[str, dict[str, Any]]) -> list[str]:
    """Return where the other methods' results differ from terrain's (empty when they agree)."""
    problems: list[str] = []
    ref = results["terrain"]
    for method, other in results.items():
        if method == "terrain":
            continue
        for key in ("n_cells", "n_readings", "n_units", "n_periods"):
            if other[key] != ref[key]:
                problems.append(f"{method}: {key} {other[key]} != terrain's {ref[key]}")
        for key in ESTIMATES:
            if _rel(other[key], ref[key]) > AGREE:
                problems.append(f"{method}: {key} {other[key]!r} vs terrain's {ref[key]!r}")
        if set(other["zones"]) != set(ref["zones"]):
            problems.append(f"{method}: the per-zone tests cover other zones")
            continue
        worst = max(_rel(other["zones"][z][k], ref["zones"][z][k])
                    for z in ref["zones"] for k in ZONE_ESTIMATES)
        if worst > AGREE:
            problems.append(f"{method}: per-zone tests differ (max relative {worst:.1e})")
    return problems


def max_difference(results: dict[str, dict[str, Any]]) -> float:
    """Largest relative difference from terrain over every estimate and per-zone figure."""
    ref = results["terrain"]
    diffs = [0.0]
    for method, other in results.items():
        if method != "terrain" and set(other["zones"]) == set(ref["zones"]):
            diffs += [_rel(other[k], ref[k]) for k in ESTIMATES]
            diffs += [_rel(other["zones"][z][k], ref["zones"][z][k])
                      for z in ref["zones"] for k in ZONE_ESTIMATES]
    return max(diffs)


def statsmodels_check(path: Path, result: dict[str, Any]) -> str | None:
    """Check the numpy estimator: statsmodels' TWFE effect and CR1 SE on the same cells."""
    import duckdb
    import statsmodels.formula.api as smf

    _, treated, control = design()
    with duckdb.connect() as con:
        cells = con.execute(duckdb_sql(path, treated + control)).df()
    pilot_day = _us(PILOT_START) // DAY_US
    cells["treated_post"] = (cells["zone"].isin(treated) & (cells["day"] >= pilot_day)
                             ).astype(float)
    fit = smf.ols("y ~ treated_post + C(zone) + C(day)", cells).fit(
        cov_type="cluster", cov_kwds={"groups": cells["zone"].astype("category").cat.codes})
    e, s = float(fit.params["treated_post"]), float(fit.bse["treated_post"])
    if _rel(e, result["effect"]) > 1e-9 or _rel(s, result["se"]) > 1e-8:
        return (f"statsmodels gives effect {e!r}, se {s!r}; the numpy estimator "
                f"{result['effect']!r}, {result['se']!r}")
    return None


def _vm_hwm_mb() -> float | None:
    """This process's peak resident set (VmHWM), in MB; None where /proc is missing."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _load() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def main(argv: list[str] | None = None) -> int:
    """Generate the data if needed, time the three evaluations, check and print the figures."""
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--rows", type=int, default=50_000_000,
                   help="number of readings, a multiple of 1,000 (default 50,000,000)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs of each method (default 3)")
    p.add_argument("--methods", default=",".join(METHODS),
                   help="comma-separated subset of terrain,pandas,duckdb (terrain is required)")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed too")
    p.add_argument("--child", choices=METHODS, help=argparse.SUPPRESS)
    p.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child:
        result = EVALUATE[a.child](a.data)
        result["vm_hwm_mb"] = _vm_hwm_mb()
        print(json.dumps(result))
        return 0
    if a.rows % N_SENSORS or a.rows < 100 * N_SENSORS:
        p.error("--rows must be a multiple of 1,000 and at least 100,000")
    methods = [m for m in METHODS if m in a.methods.split(",")]
    if "terrain" not in methods or a.repeat < 1:
        p.error("--methods must include terrain and --repeat be at least 1")

    path = data_path(a.rows)
    shown = path.relative_to(HERE.parent)
    if data_is_current(path, a.rows):
        print(f"reusing {shown}")
    else:
        print(f"generating {a.rows:,} readings into {shown} …", flush=True)
        t = time.perf_counter()
        generate(path, a.rows)
        print(f"  done in {time.perf_counter() - t:.1f} s")

    results: dict[str, dict[str, Any]] = {}
    runs: dict[str, list[tuple[float, float, float, dict[str, float]]]] = {m: [] for m in methods}
    for m in methods:  # untimed: warms the page cache and each library's files
        print(f"warm-up run: {m}", flush=True)
        results[m] = run_child(m, path)[3]
    for r in range(a.repeat):
        for m in methods[r % len(methods):] + methods[:r % len(methods)]:
            wall, cpu, peak, res = run_child(m, path)
            runs[m].append((wall, cpu, peak, res["phases"]))
            print(f"  run {r + 1}/{a.repeat} {m:8s} {wall:6.2f} s wall {cpu:6.2f} s CPU "
                  f"{peak:6.0f} MB", flush=True)

    problems = compare(results)
    sm = statsmodels_check(path, results["duckdb"]) if "duckdb" in methods else None
    problems += [sm] if sm else []
    ref = results["terrain"]
    covered = ref["relative_ci_low"] <= PLANTED <= ref["relative_ci_high"]
    if not covered:
        problems.append(f"the planted {PLANTED:+.0%} lies outside terrain's interval")
    best = {m: min(runs[m], key=lambda run: run[0]) for m in methods}
    fastest = {m: best[m][0] for m in methods}
    peak_mb = {m: max(run[2] for run in runs[m]) for m in methods}

    rule = "=" * 92
    print(f"\n{rule}")
    print(f"DiD evaluation of one KPI: {a.rows:,} readings, {path.stat().st_size / 1e6:.0f} MB "
          f"Parquet, {os.cpu_count()} CPUs, load average {_load()}")
    print(f"  {'':8s} {'best wall':>10s} {'median':>8s} {'CPU':>8s} {'peak RSS':>9s}   "
          "phases of the best run, in-process (s)")
    for m in methods:
        walls = sorted(run[0] for run in runs[m])
        phases = "  ".join(f"{k} {v:.2f}" for k, v in best[m][3].items())
        print(f"  {m:8s} {fastest[m]:8.2f} s {walls[len(walls) // 2]:6.2f} s {best[m][1]:6.2f} s "
              f"{peak_mb[m]:6.0f} MB   {phases}")
    print(f"  effect {ref['effect']:+.4f} ({ref['relative_effect']:+.2%}), 95% CI "
          f"[{ref['relative_ci_low']:+.2%}, {ref['relative_ci_high']:+.2%}], "
          f"p = {ref['p_value']:.1e}; planted {PLANTED:+.0%}: {'inside' if covered else 'OUTSIDE'}")
    print(f"  {ref['n_readings']:,} readings → {ref['n_cells']:,} cells ({ref['n_units']} zones × "
          f"{ref['n_periods']} days), {len(ref['zones'])} per-zone Welch tests")
    if len(methods) > 1:
        print(f"  the methods agree to {max_difference(results):.0e} (relative, every estimate and "
              "per-zone figure)" + ("; statsmodels agrees" if "duckdb" in methods and not sm
                                    else ""))
    missed = []
    for m, target in (("pandas", TARGET_PANDAS_RATIO), ("duckdb", TARGET_DUCKDB_RATIO)):
        if m in methods:
            ratio = fastest[m] / fastest["terrain"]
            cpu_ratio = best[m][1] / best["terrain"][1]
            ok = ratio >= target
            missed += [] if ok else [m]
            print(f"  {m + ' / terrain':17s} {ratio:5.2f}× wall ({cpu_ratio:.2f}× CPU)   target ≥ "
                  f"{target:g}×  {'met' if ok else 'MISSED'}")
    ok = peak_mb["terrain"] < TARGET_PEAK_MB
    missed += [] if ok else ["memory"]
    print(f"  terrain peak RSS  {peak_mb['terrain']:5.0f} MB   target < {TARGET_PEAK_MB:g} MB  "
          f"{'met' if ok else 'MISSED'}")
    for problem in problems:
        print(f"  CHECK FAILED: {problem}")
    print(rule)
    if problems:
        return 1
    return 1 if missed and a.strict else 0


if __name__ == "__main__":
    sys.exit(main())
