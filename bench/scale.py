"""Benchmark: city-scale data (issue 17). Generates its own data, cached under `bench/data/`.

Three parts, each measured in child processes (peak RSS is the child's VmHWM):

1. **conversion** of a CSV of `--rows` readings (1,000 sensors in 50 zones, in time order as
   a platform exports them; `bench/dataset_upload.py`'s generator): the catalog's
   conversion (`lab.datasets.convert`: check, out-of-core sort, Parquet, rollup, describe)
   against the plain `scan_csv → sink_parquet` baseline, and with `--old` the previous
   in-memory `sort().sink_parquet()` (the alternative the out-of-core sort replaced).
   With `--via-s3`, also the job's conversion from and to the object store
   (`lab.datasets.streamed`, an embedded `weed mini`, whose own memory is not counted)
   against the local-file conversion, for the CSV and for the same rows as a Parquet
   export. On a quiet machine (2 CPUs), 100 M rows (4 GiB CSV): plain 12.4 s / 431 MiB,
   catalog 23.0 s / 1,071 MiB (1.86×; 1.80–1.86 over four runs); local CSV 23.8 s /
   1,081 MiB, CSV from and to S3 (downloaded, output streamed) 46.7 s / 1,227 MiB; local
   Parquet (771 MiB) 18.3 s / 1,067 MiB, Parquet read in place and output streamed 31.2 s /
   1,224 MiB (the S3 server shares the two CPUs). 10 M rows: plain 1.5 s / 406 MiB,
   catalog 3.0 s / 954 MiB (1.87–2.15 over five runs); CSV via S3 5.2 s / 1,076 MiB,
   Parquet in place 3.8 s / 1,143 MiB. The object store costs 150–170 MiB (parts in
   flight, ranged reads) and a streamed SHA-256 pass over a Parquet source; a CSV pays
   its download too (4 GiB: about 15 s).
2. **evaluation** of one KPI (zone × day means of `no2`, 20 treated and 20 control zones,
   then the estimate) on `--readings` minute readings in the catalog's layout
   (`bench/evaluate.py`'s generator, Parquet): the platform from the version's zone × hour
   rollup (the buckets of `KpiData.frame`, then the evaluation's own `estimate_did_panel`
   call, quality checks and event study included) against DuckDB scanning the raw readings
   for the same zone × day means, then `bench/evaluate.estimate_cells` (numpy and
   `scipy.stats`, about 0.4 s of its time is that import, as in `bench/evaluate.py`). The
   cells and the TWFE estimates are compared. The rollup is written as conversion writes it
   (`lab.datasets.rollups`), zone by zone. At 500 M readings (3.2 GiB of Parquet, rollup
   1.5 MiB): 0.32 s against 5.08 s, 15.7× whole process (96× after imports); the first
   version of this child took 0.87 s, 0.5 s of it importing `scipy.stats` for the shared
   estimator.
3. **`lab analyze did`** on a user's own file: `--did-readings` readings in time order (not
   the catalog's), snappy, row groups of a million rows, against DuckDB computing the same
   zone × day means and estimate (both whole process, interleaved `--did-repeat` times; the
   medians are compared, since other work on this machine moves single runs by ±20%).
   The platform's fast pass (`experiments.panel._bucket_means_by_runs`) relies on the
   catalog's zone-then-time order; this is the general path. Measured at 50 M readings, 2
   CPUs, same run (load 2–5 from other work):
   * before: 3.82 s against DuckDB's 1.40 s (2.74×; 1.82× in an earlier, quieter run).
     The time went to a Polars `group_by` per 500 k-row batch with Python around it (the
     fast pass's fallback for short runs: 2.4 s) and to imports (0.9 s, of which
     `scipy.stats` 0.6 s, pulled in by every `lab analyze` command at start-up);
   * a probe of the first rows (unit column only) now sends a file not in unit order to
     one streaming `group_by(unit, integer day)` over the whole query (0.7 s alone;
     `dt.truncate` keys and a hashed unit were no faster). Breaking out of
     `collect_batches` instead was tried and dropped: Polars finishes an abandoned stream,
     and it competed with the `group_by` (1.3 s). Ratio 1.41 (2.95 s against 2.10 s);
   * `lab analyze did` imports no `scipy` (the quality checks' Mann–Whitney p and t
     quantile written out, equal to scipy to 1e-12; the other commands load their designs
     lazily): ratio 1.31 → about 1.0;
   * the `group_by` keeps nulls in the stream (sum and count of non-null outcomes, null
     cells dropped after) instead of filtering every row first: about 20% of the query.
     Median ratio 0.90 over 5 interleaved runs (1.94 s against 2.15 s) in one run, 0.78
     (1.80 s against 2.29 s; runs 0.70–0.90) in the next; 0.79 at the default 20 M.
   What remains is start-up: `lab.cli` imports `lab.settings` (pydantic, ~0.15 s) for
   every command; DuckDB's child pays `scipy.stats` for its estimator instead.

    .venv/bin/python bench/scale.py                      # 10 M / 50 M / 20 M: a few minutes
    .venv/bin/python bench/scale.py --full               # 100 M / 500 M / 50 M
    .venv/bin/python bench/scale.py --parts conversion --rows 100000000
    .venv/bin/python bench/scale.py --parts conversion --via-s3   # 10 M: about 2 minutes
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / "data"
TARGET_PEAK_MIB = 1536
TARGET_TIME_RATIO = 2.0
TARGET_ROLLUP_SPEEDUP = 10.0
AGREE = 1e-9


def _vm_hwm_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ---------------------------------------------------------------------------------------
# Children: each prints one JSON line


def child_plain(csv: str) -> dict[str, Any]:
    import polars as pl

    with tempfile.TemporaryDirectory(dir=DATA, prefix="plain-") as tmp:
        pl.scan_csv(csv).sink_parquet(Path(tmp) / "out.parquet")
    return {}


def child_old(csv: str) -> dict[str, Any]:
    from lab.datasets import convert

    columns = {"time_column": "time", "zone_column": "zone"}
    path = Path(csv)
    with tempfile.TemporaryDirectory(dir=DATA, prefix="old-") as tmp:
        plan = convert.scan(path, convert.check(path, **columns), **columns)
        plan.sort(["zone", "time"], maintain_order=True).sink_parquet(
            Path(tmp) / "out.parquet", compression="lz4", statistics=True,
            row_group_size=convert.ROW_GROUP_ROWS)
    return {}


def child_convert(csv: str) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from lab.datasets import convert

    columns = {"time_column": "time", "zone_column": "zone"}
    path = Path(csv)
    with tempfile.TemporaryDirectory(dir=DATA, prefix="convert-") as tmp:
        out, rollup = Path(tmp) / "data.parquet", Path(tmp) / "rollup.parquet"
        described = convert.convert(path, convert.check(path, **columns), out, rollup=rollup,
                                    **columns)
        meta = pq.read_metadata(out)
        return {"rows": described.row_count, "row_groups": meta.num_row_groups,
                "rollup_rows": pq.read_metadata(rollup).num_rows,
                "size_mib": out.stat().st_size / 2**20}


def child_convert_s3(spec: str) -> dict[str, Any]:
    """The job's conversion from and to the object store (`lab.datasets.streamed`)."""
    import uuid

    from lab.datasets import convert, streamed
    from storage import make_client

    where = json.loads(spec)
    client = make_client(endpoint=where["endpoint"], access_key=where["access_key"],
                         secret_key=where["secret_key"])
    with tempfile.TemporaryDirectory(dir=DATA, prefix="convert-s3-") as tmp:
        stored, described = streamed.convert_stored(
            client, bucket=where["bucket"], dataset_id=uuid.UUID(where["dataset"]),
            version_id=uuid.UUID(where["version"]), source=convert.Source(where["format"]),
            source_size=where["size"], source_sha256=where["sha256"],
            source_etag=where["etag"], work_dir=Path(tmp), time_column="time",
            zone_column="zone")
    return {"rows": described.row_count, "size_mib": stored.size / 2**20}


def child_rollup_eval(rollup: str) -> dict[str, Any]:
    import polars as pl

    from bench.evaluate import (
        BASELINE_START,
        DAY_US,
        PILOT_START,
        START,
        WINDOW_END,
        _us,
        design,
    )
    from experiments.did import estimate_did_panel
    from lab.datasets.rollups import buckets  # what `lab.evaluations.inputs.KpiData` runs

    start = time.perf_counter()
    _, treated, control = design()
    lf = (pl.scan_parquet(rollup)
          .filter(pl.col("zone").is_in(treated + control),
                  pl.col("hour").is_between(BASELINE_START, WINDOW_END, closed="left"))
          .select("zone", pl.col("hour").alias("t"), pl.col("no2.sum").alias("s"),
                  pl.col("no2.count").alias("c")))
    cells = buckets(lf, "mean", "day").drop_nulls("y").collect()
    # the evaluation's own call (`lab.evaluations.runner._estimate`, design "did"), quality
    # checks and event study included
    result = estimate_did_panel(cells.lazy(), unit="zone", time="t", outcome="y",
                                treated_units=treated, control_units=control,
                                pilot_start=PILOT_START, time_grain="day", seed=0,
                                with_event_study=True)
    day = cells["t"].dt.epoch("us").to_numpy() // DAY_US - _us(START) // DAY_US
    return {"effect": result.effect, "ci_low": result.ci_low, "ci_high": result.ci_high,
            "work": time.perf_counter() - start,
            "cells": _cells(cells["zone"].to_list(), day.tolist(), cells["y"].to_list())}


def child_duckdb_eval(path: str) -> dict[str, Any]:
    import duckdb
    import numpy as np

    from bench.evaluate import DAY_US, START, _us, design, duckdb_sql, estimate_cells

    start = time.perf_counter()
    _, treated, control = design()
    with duckdb.connect() as con:
        cells = con.execute(duckdb_sql(Path(path), treated + control)).fetchnumpy()
    day = cells["day"].astype(np.int64) - _us(START) // DAY_US
    out = estimate_cells(np.asarray(cells["zone"], dtype=object), day,
                         np.asarray(cells["y"], dtype=np.float64),
                         np.asarray(cells["n"], dtype=np.int64), treated, control)
    out["work"] = time.perf_counter() - start
    out["cells"] = _cells(list(cells["zone"]), day.tolist(), list(cells["y"]))
    return out


def child_duckdb_did(path: str) -> dict[str, Any]:
    import duckdb
    import numpy as np

    from bench.evaluate import DAY_US, KPI, START, _us, design, estimate_cells

    _, treated, control = design()
    zones = ", ".join(f"'{z}'" for z in treated + control)
    with duckdb.connect() as con:
        cells = con.execute(f"""
            SELECT zone, epoch_us("time") // {DAY_US} AS day, avg({KPI}) AS y,
                   count({KPI}) AS n
            FROM read_parquet('{path}') WHERE zone IN ({zones})
            GROUP BY ALL HAVING count({KPI}) > 0""").fetchnumpy()
    day = cells["day"].astype(np.int64) - _us(START) // DAY_US
    return estimate_cells(np.asarray(cells["zone"], dtype=object), day,
                          np.asarray(cells["y"], dtype=np.float64),
                          np.asarray(cells["n"], dtype=np.int64), treated, control)


def _cells(zones: list[Any], days: list[int], ys: list[float]) -> dict[str, float]:
    return {f"{z}|{d}": float(y) for z, d, y in zip(zones, days, ys, strict=True)}


CHILDREN = {"plain": child_plain, "old": child_old, "convert": child_convert,
            "convert_s3": child_convert_s3,
            "rollup_eval": child_rollup_eval, "duckdb_eval": child_duckdb_eval,
            "duckdb_did": child_duckdb_did}


def run_child(name: str, arg: str) -> dict[str, Any]:
    """Run one child; its wall time includes interpreter start and imports."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", name, arg], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(f"{name} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["seconds"] = seconds
    return result


def run_lab_did(path: Path) -> dict[str, Any]:
    """`lab analyze did` as a user runs it, whole process; peak RSS from /usr/bin/time."""
    from bench.evaluate import PILOT_START, design

    _, treated, control = design()
    cmd = [str(Path(sys.executable).parent / "lab"), "analyze", "did", str(path),
           "--outcome", "no2",
           "--unit", "zone", "--time", "time", "--time-grain", "day",
           "--treated-units", ",".join(treated), "--control-units", ",".join(control),
           "--pilot-start", PILOT_START.isoformat()]
    # the checkout's packages first: in a git worktree the editable install points elsewhere
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], cwd=ROOT, capture_output=True,
                          text=True, check=False, env=env)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(f"lab analyze did failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout)
    result["seconds"] = seconds
    result["peak_mib"] = int(proc.stderr.strip().splitlines()[-1]) / 1024
    return result


# ---------------------------------------------------------------------------------------
# Data


def conversion_csv(rows: int) -> Path:
    from bench import dataset_upload

    path = DATA / f"readings-{rows}-v1.csv"
    if not path.exists():
        print(f"generating {path.name} …", flush=True)
        dataset_upload.generate(rows, path)
    return path


def catalog_parquet(readings: int) -> Path:
    from bench import evaluate

    path = evaluate.data_path(readings)
    if not evaluate.data_is_current(path, readings):
        print(f"generating {path.name} …", flush=True)
        evaluate.generate(path, readings)
    return path


def rollup_of(path: Path) -> Path:
    """The rollup conversion writes for the catalog file, built zone by zone."""
    import polars as pl
    import pyarrow.parquet as pq

    from lab.datasets.rollups import RollupWriter

    out = path.with_suffix(".rollup.parquet")
    if out.exists() and out.stat().st_mtime >= path.stat().st_mtime:
        return out
    print(f"writing the rollup of {path.name} …", flush=True)
    zones = pl.scan_parquet(path).select(pl.col("zone").unique()).collect()["zone"].sort()
    tmp = out.with_suffix(".tmp")
    writer = RollupWriter(tmp, zone="zone", time="time")
    for zone in zones:
        writer.add(pl.scan_parquet(path).filter(pl.col("zone") == zone).collect())
    writer.close()
    os.replace(tmp, out)
    assert pq.read_metadata(out).num_rows > 0
    return out


def user_parquet(readings: int) -> Path:
    """The catalog readings in time order, snappy, row groups of a million rows."""
    import polars as pl

    source = catalog_parquet(readings)
    out = DATA / f"user-{readings}-time-order-snappy.parquet"
    if out.exists() and out.stat().st_mtime >= source.stat().st_mtime:
        return out
    print(f"writing {out.name} …", flush=True)
    tmp = out.with_suffix(".tmp")
    (pl.scan_parquet(source).sort("time", "sensor")
     .sink_parquet(tmp, compression="snappy", row_group_size=1_000_000))
    os.replace(tmp, out)
    return out


# ---------------------------------------------------------------------------------------
# Report


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def conversion_parquet(rows: int) -> Path:
    """The conversion CSV as a city's Parquet export (snappy, in the CSV's time order)."""
    import polars as pl

    csv = conversion_csv(rows)
    out = csv.with_suffix(".parquet")
    if not out.exists() or out.stat().st_mtime < csv.stat().st_mtime:
        tmp = out.with_suffix(".tmp")
        pl.scan_csv(csv).sink_parquet(tmp, compression="snappy")
        os.replace(tmp, out)
    return out


def via_s3(rows: int) -> list[str]:
    """The job's conversion from and to the embedded S3 server, against local files."""
    import uuid

    from lab.datasets import objects
    from storage import EmbeddedS3, put_file

    lines = [f"conversion of {rows:,} rows from and to the object store (weed mini; its own "
             "memory not counted) against local files:"]
    with tempfile.TemporaryDirectory(dir=DATA, prefix="s3-") as home, EmbeddedS3(home) as s3:
        client = s3.client()
        client.make_bucket("bench-datasets")
        for fmt, path in (("csv", conversion_csv(rows)), ("parquet", conversion_parquet(rows))):
            dataset, version = uuid.uuid4(), uuid.uuid4()
            key = objects.source_key(dataset, version, fmt)
            source = put_file(client, "bench-datasets", key, path)
            spec = {"endpoint": s3.endpoint, "access_key": s3.access_key,
                    "secret_key": s3.secret_key, "bucket": "bench-datasets",
                    "dataset": str(dataset), "version": str(version), "format": fmt,
                    "size": source.size, "sha256": source.sha256, "etag": source.etag}
            local = run_child("convert", str(path))
            remote = run_child("convert_s3", json.dumps(spec))
            assert local["rows"] == remote["rows"] == rows
            size = f"{path.stat().st_size / 2**20:,.0f} MiB {fmt}"
            lines += [f"  {size:>16}  local files    {local['seconds']:7.1f} s  "
                      f"{local['peak_mib']:7.0f} MiB",
                      f"  {size:>16}  object store   {remote['seconds']:7.1f} s  "
                      f"{remote['peak_mib']:7.0f} MiB  ({remote['size_mib']:.0f} MiB stored)"]
            client.remove_object("bench-datasets", key)
    return lines


def conversion(rows: int, old: bool) -> list[str]:
    csv = conversion_csv(rows)
    plain = run_child("plain", str(csv))
    ours = run_child("convert", str(csv))
    lines = [f"conversion of {rows:,} rows ({csv.stat().st_size / 2**20:,.0f} MiB CSV):",
             f"  plain scan_csv → sink_parquet  {plain['seconds']:7.1f} s  "
             f"{plain['peak_mib']:7.0f} MiB",
             f"  catalog (sort, rollup, describe){ours['seconds']:7.1f} s  "
             f"{ours['peak_mib']:7.0f} MiB  ({ours['row_groups']} row groups, "
             f"{ours['rollup_rows']:,} rollup rows)"]
    if old:
        prev = run_child("old", str(csv))
        lines.append(f"  previous in-memory sort        {prev['seconds']:7.1f} s  "
                     f"{prev['peak_mib']:7.0f} MiB")
    ratio = ours["seconds"] / plain["seconds"]
    lines.append(f"  time ratio {ratio:.2f} (goal ≤ {TARGET_TIME_RATIO}), peak "
                 f"{ours['peak_mib']:.0f} MiB (goal ≤ {TARGET_PEAK_MIB}): "
                 f"{'met' if ratio <= TARGET_TIME_RATIO else 'NOT met'} / "
                 f"{'met' if ours['peak_mib'] <= TARGET_PEAK_MIB else 'NOT met'}")
    assert ours["rows"] == rows
    return lines


def evaluation(readings: int) -> list[str]:
    path = catalog_parquet(readings)
    rollup = rollup_of(path)
    ours = run_child("rollup_eval", str(rollup))
    duck = run_child("duckdb_eval", str(path))
    keys = set(ours["cells"]) | set(duck["cells"])
    worst = max(_rel(ours["cells"].get(k, float("nan")), duck["cells"].get(k, float("nan")))
                for k in keys)
    effect = _rel(ours["effect"], duck["effect"])
    agree = "met" if max(worst, effect) <= AGREE else "NOT met"
    speedup = duck["seconds"] / ours["seconds"]
    return [f"evaluation of one KPI on {readings:,} readings "
            f"({path.stat().st_size / 2**20:,.0f} MiB Parquet; rollup "
            f"{rollup.stat().st_size / 2**20:,.1f} MiB):",
            f"  terrain from the rollup  {ours['seconds']:7.2f} s  {ours['peak_mib']:6.0f} MiB"
            f"  effect {ours['effect']:.6f}",
            f"  DuckDB on the readings   {duck['seconds']:7.2f} s  {duck['peak_mib']:6.0f} MiB"
            f"  effect {duck['effect']:.6f}",
            f"  {len(keys)} zone × day cells, max relative difference {worst:.1e}; effect "
            f"{effect:.1e} (goal ≤ {AGREE:g}: {agree})",
            f"  speed-up {speedup:.1f}× whole process (goal ≥ {TARGET_ROLLUP_SPEEDUP:g}×: "
            f"{'met' if speedup >= TARGET_ROLLUP_SPEEDUP else 'NOT met'}); after imports "
            f"{ours['work']:.2f} s against {duck['work']:.2f} s "
            f"({duck['work'] / ours['work']:.0f}×)"]


def analyze(readings: int, repeat: int) -> list[str]:
    import statistics

    path = user_parquet(readings)
    runs = [(run_lab_did(path), run_child("duckdb_did", str(path)))
            for _ in range(max(1, repeat))]
    ours, duck = runs[-1]
    lab_s = statistics.median(o["seconds"] for o, _ in runs)
    duck_s = statistics.median(d["seconds"] for _, d in runs)
    ratio = lab_s / duck_s
    each = ", ".join(f"{o['seconds'] / d['seconds']:.2f}" for o, d in runs)
    effect = max(_rel(o["effect"], d["effect"]) for o, d in runs)
    return [f"lab analyze did on a user's file ({readings:,} readings in time order, snappy, "
            f"1 M-row groups; median of {len(runs)} interleaved runs):",
            f"  lab analyze did  {lab_s:7.2f} s  {ours['peak_mib']:6.0f} MiB  "
            f"effect {ours['effect']:.6f}",
            f"  DuckDB           {duck_s:7.2f} s  {duck['peak_mib']:6.0f} MiB  "
            f"effect {duck['effect']:.6f}",
            f"  ratio {ratio:.2f} (goal ≤ 1: {'met' if ratio <= 1 else 'NOT met'}; each run "
            f"{each}); effects differ by {effect:.1e} relative at most"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--full", action="store_true",
                        help="the issue's sizes: 100 M rows, 500 M and 50 M readings")
    parser.add_argument("--rows", type=int, help="conversion rows (default 10 M)")
    parser.add_argument("--readings", type=int, help="evaluation readings (default 50 M)")
    parser.add_argument("--did-readings", type=int, help="analyze did readings (default 20 M)")
    parser.add_argument("--did-repeat", type=int, default=3,
                        help="interleaved runs of analyze did and DuckDB (medians compared)")
    parser.add_argument("--old", action="store_true", help="also the previous in-memory sort")
    parser.add_argument("--via-s3", action="store_true",
                        help="conversion: also from and to the embedded S3 server")
    parser.add_argument("--parts", default="conversion,evaluation,analyze")
    args = parser.parse_args(argv)
    if args.child:
        name, arg = args.child
        result = CHILDREN[name](arg)
        result["peak_mib"] = _vm_hwm_mib()
        print(json.dumps(result))
        return 0
    DATA.mkdir(parents=True, exist_ok=True)
    rows = args.rows or (100_000_000 if args.full else 10_000_000)
    readings = args.readings or (500_000_000 if args.full else 50_000_000)
    did_readings = args.did_readings or (50_000_000 if args.full else 20_000_000)
    parts = args.parts.split(",")
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}", flush=True)
    for part, run in (("conversion", lambda: conversion(rows, args.old)
                       + (via_s3(rows) if args.via_s3 else [])),
                      ("evaluation", lambda: evaluation(readings)),
                      ("analyze", lambda: analyze(did_readings, args.did_repeat))):
        if part in parts:
            print("\n".join(run()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
