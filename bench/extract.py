"""Benchmark: materialize a sandbox grant from a 50-million-row sensor dataset.

The dataset — 1,000 sensors in 50 zones, one reading a minute for 50,000 minutes; columns
time, zone, sensor_id, value, battery — is generated deterministically, in chunks, in the
catalog's stored layout (sorted by zone then time, zone a string column dictionary-encoded,
128 Ki-row row groups with min/max statistics), cached under `bench/data/`, and uploaded
to an embedded SeaweedFS server in a temporary directory. Readings have a sensor's 0.1
resolution; `--values noise` keeps all 64 bits of noise instead (an incompressible worst
case, four times the bytes to store).

The grant covers 20 zones and the middle half of the time window (20% of the rows) and
4 of the 5 columns. Its extract is built by `lab.sandbox.extracts.materialize`, the code
the extract job runs, in a child process of its own, so the peak RSS reported (VmHWM) is
the extract's alone. A naive baseline — download the whole object, read it all, filter,
write, upload — runs in another child for comparison.

    .venv/bin/python bench/extract.py [--rows 50000000] [--values sensor|noise] [--clean]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lab.sandbox.scope import ExtractScope  # noqa: E402
from storage import EmbeddedS3, ensure_buckets, put_bytes, put_file  # noqa: E402

SENSORS, ZONES = 1000, 50
START = datetime(2026, 1, 1, tzinfo=UTC)
ROW_GROUP_ROWS = 128 * 1024
PREFIX = "bench-"
COLUMNS = ("time", "zone", "sensor_id", "value", "battery")
GRANTED = ("time", "zone", "sensor_id", "value")


def zone_code(i: int) -> str:
    return f"Z{i:02d}"


def _zone_table(zone: int, minutes: int, values: str) -> pa.Table:
    per_zone = SENSORS // ZONES
    rng = np.random.default_rng(1000 + zone)
    n = minutes * per_zone
    offsets = np.repeat(np.arange(minutes, dtype=np.int64), per_zone) * 60_000_000
    base = int(START.timestamp() * 1_000_000)
    sensors = np.tile(np.arange(zone * per_zone, (zone + 1) * per_zone), minutes)
    daily = np.sin(np.repeat(np.arange(minutes), per_zone) * (2 * np.pi / 1440))
    names = np.array([f"S{i:04d}" for i in range(zone * per_zone, (zone + 1) * per_zone)])
    return pa.table({
        "time": pa.array(base + offsets, type=pa.timestamp("us", tz="UTC")),
        # Plain strings, dictionary-encoded by the Parquet writer, as the catalog stores them.
        "zone": pa.array(np.full(n, zone_code(zone))),
        "sensor_id": pa.array(names[sensors - zone * per_zone]),
        "value": pa.array(_reading(20 + 5 * daily + rng.normal(0, 1, n), values)),
        "battery": pa.array(rng.integers(0, 100, n, dtype=np.int8)),
    })


def _reading(raw: np.ndarray, values: str) -> np.ndarray:
    # A sensor reports with a fixed resolution (0.1 unit here); "noise" keeps every bit of
    # a float64, the worst case for compression.
    return raw if values == "noise" else np.round(raw, 1)


def generate(path: Path, rows: int, values: str) -> None:
    """Write the dataset zone by zone; row groups run across zones as the catalog's do."""
    minutes = rows // SENSORS
    tmp = path.with_suffix(".tmp")
    writer = None
    carry: pa.Table | None = None
    for zone in range(ZONES):
        table = _zone_table(zone, minutes, values)
        if carry is not None:
            table = pa.concat_tables([carry, table.cast(carry.schema)])
        full = (table.num_rows // ROW_GROUP_ROWS) * ROW_GROUP_ROWS
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema, compression="zstd",
                                      use_dictionary=["zone", "sensor_id"],
                                      write_statistics=True)
        if full:
            writer.write_table(table.slice(0, full), row_group_size=ROW_GROUP_ROWS)
        carry = table.slice(full)
    assert writer is not None and carry is not None
    if carry.num_rows:
        writer.write_table(carry, row_group_size=ROW_GROUP_ROWS)
    writer.close()
    os.replace(tmp, path)


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _scope(minutes: int) -> ExtractScope:
    zones = tuple(zone_code(i) for i in range(0, ZONES, 5)) + tuple(
        zone_code(i) for i in range(2, ZONES, 5))
    quarter = timedelta(minutes=minutes // 4)
    return ExtractScope(columns=GRANTED, zones=tuple(sorted(zones)), start=START + quarter,
                        end=START + 3 * quarter, time_column="time", zone_column="zone")


def _child_client():  # type: ignore[no-untyped-def]
    from storage import make_client

    return make_client(endpoint=os.environ["BENCH_ENDPOINT"],
                       access_key=os.environ["BENCH_ACCESS_KEY"],
                       secret_key=os.environ["BENCH_SECRET_KEY"])


def run_extract(minutes: int, workdir: Path) -> dict[str, object]:
    """In a child: materialize the grant with the platform's extract code."""
    from lab.sandbox.extracts import materialize

    client = _child_client()
    started = time.perf_counter()
    result = materialize(client, source_bucket=f"{PREFIX}datasets", source_key="d/v/data.parquet",
                         scope=_scope(minutes), dest_bucket=f"{PREFIX}sandbox",
                         data_key="g/d.parquet", manifest_key="g/manifest.json",
                         manifest={"bench": True}, workdir=workdir)
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "rows": result.rows, "size_bytes": result.size_bytes,
            "peak_rss_mb": _peak_rss_mb()}


def run_baseline(minutes: int, workdir: Path) -> dict[str, object]:
    """In a child: download everything, read it all, filter in memory, write, upload."""
    import io

    import polars as pl

    from lab.sandbox.extracts import extract_plan

    client = _child_client()
    started = time.perf_counter()
    response = client.get_object(f"{PREFIX}datasets", "d/v/data.parquet")
    try:
        data = response.read()
    finally:
        response.close()
        response.release_conn()
    frame = pl.read_parquet(io.BytesIO(data))
    del data
    out = extract_plan(frame.lazy(), _scope(minutes)).collect()
    path = workdir / "baseline.parquet"
    out.write_parquet(path, compression="zstd")
    put_file(client, f"{PREFIX}sandbox", "b/d.parquet", path)
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "rows": out.height, "peak_rss_mb": _peak_rss_mb()}


PHASES = {"extract": run_extract, "baseline": run_baseline}


def _in_child(phase: str, minutes: int, server: EmbeddedS3, workdir: Path) -> dict[str, float]:
    env = dict(os.environ, BENCH_ENDPOINT=server.endpoint, BENCH_ACCESS_KEY=server.access_key,
               BENCH_SECRET_KEY=server.secret_key)
    out = subprocess.run([sys.executable, __file__, "--phase", phase, "--minutes", str(minutes),
                          "--workdir", str(workdir)], env=env, capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise SystemExit(f"{phase} failed:\n{out.stderr}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench" / "data")
    parser.add_argument("--values", choices=("sensor", "noise"), default="sensor",
                        help="readings at 0.1 resolution (sensor) or full float64 noise")
    parser.add_argument("--clean", action="store_true", help="delete the cached dataset after")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--minutes", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](args.minutes, args.workdir)))
        return

    minutes = args.rows // SENSORS
    rows = minutes * SENSORS
    args.data_dir.mkdir(parents=True, exist_ok=True)
    path = args.data_dir / f"sensors-{rows}-{args.values}.parquet"
    if not path.exists():
        started = time.perf_counter()
        generate(path, rows, args.values)
        print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s -> {path}")
    meta = pq.read_metadata(path)
    print(f"dataset: {meta.num_rows:,} rows, {meta.num_row_groups} row groups, "
          f"{path.stat().st_size / 1e6:.0f} MB")
    with tempfile.TemporaryDirectory(prefix="terrain-bench-") as tmp, \
            EmbeddedS3(Path(tmp) / "s3") as server:
        client = server.client()
        ensure_buckets(client, PREFIX)
        started = time.perf_counter()
        put_file(client, f"{PREFIX}datasets", "d/v/data.parquet", path)
        print(f"uploaded to the embedded S3 in {time.perf_counter() - started:.1f} s")
        # SeaweedFS allocates a volume on a bucket's first write; a platform's sandbox
        # bucket has long had one, so the bench does not time that.
        put_bytes(client, f"{PREFIX}sandbox", "warm-up", b"x")
        workdir = Path(tmp)
        extract = _in_child("extract", minutes, server, workdir)
        seconds = extract["seconds"]
        print(f"extract: {int(extract['rows']):,} of {rows:,} rows, "
              f"{extract['size_bytes'] / 1e6:.1f} MB, in {seconds:.2f} s")
        print(f"  {rows / seconds / 1e6:.1f} M source rows/s (target >= 40), "
              f"peak RSS {extract['peak_rss_mb']:.0f} MB (target < 1024)")
        if not args.skip_baseline:
            baseline = _in_child("baseline", minutes, server, workdir)
            assert baseline["rows"] == extract["rows"], "the baseline disagrees on the rows"
            base = baseline["seconds"]
            print(f"naive baseline (download all, read all, filter, write): {base:.2f} s, "
                  f"{rows / base / 1e6:.1f} M rows/s, peak RSS "
                  f"{baseline['peak_rss_mb']:.0f} MB; the extract is {base / seconds:.1f}x "
                  "faster")
    if args.clean:
        path.unlink()


if __name__ == "__main__":
    main()
