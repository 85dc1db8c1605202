"""Benchmark: upload and convert a 10-million-row CSV through the dataset service path.

The CSV — 1,000 sensors in 50 zones, one reading an hour for 10,000 hours, in time order as
a sensor platform exports it — is generated deterministically (no random numbers: values
come from the row index by formula) and cached under `bench/data/`.

The measured run is the platform's own code, in a child process of its own so that its
peak RSS (VmHWM) is the upload's alone: the multipart body is streamed from disk in 64 KiB
chunks into `lab.datasets.upload.receive` (as uvicorn would deliver it), then
`lab.datasets.versions.start_upload` checks it, stores the source in an embedded SeaweedFS
server, and runs the conversion job inline (huey immediate mode, as in tests): download,
sort by zone then time, Parquet with dictionary and statistics, describe, store. The
database is SQLite in a temporary directory. The S3 server's own memory is not counted.

The baseline, in another child, is the plain conversion with no checks, no sort and no
object store: `pl.read_csv(path).write_parquet(out)`.

    .venv/bin/python bench/dataset_upload.py [--rows 10000000] [--clean]
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

import polars as pl  # noqa: E402

SENSORS, ZONES = 1000, 50
PREFIX = "bench-"
CHUNK = 64 * 1024
BOUNDARY = "terrain-bench-boundary"


def data_path(rows: int) -> Path:
    return ROOT / "bench" / "data" / f"readings-{rows}-v1.csv"


def generate(rows: int, path: Path) -> None:
    """Write the CSV, streaming (constant memory), then move it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    i = pl.col("i")
    sensor = i % SENSORS
    plan = pl.LazyFrame({"i": pl.int_range(rows, eager=True, dtype=pl.Int64)}).select(
        time=(pl.datetime(2026, 1, 1, time_zone="UTC")
              + pl.duration(hours=i // SENSORS)).dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        zone=pl.format("Z{}", (sensor % ZONES).cast(pl.String).str.zfill(2)),
        sensor_id=pl.format("S{}", sensor.cast(pl.String).str.zfill(4)),
        # A daily cycle plus a quadratic-residue jitter: a million distinct values.
        value=(20 + 10 * ((i // SENSORS) % 24 * (2 * 3.141592653589793 / 24)).sin()
               + (i * i * 7919 % 1_000_003) / 100_000).round(5),
        battery=(100 - (i // SENSORS) % 100).cast(pl.Int32),
    )
    partial = path.with_suffix(".partial")
    plan.sink_csv(partial)
    partial.replace(path)


def _peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_baseline(path: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as tmp:
        start = time.perf_counter()
        pl.read_csv(path).write_parquet(Path(tmp) / "out.parquet")
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_rss_mib": _peak_rss_mib()}


def _request(path: Path) -> Any:
    """A Starlette request whose multipart body streams from `path` in CHUNK-sized pieces."""
    from starlette.requests import Request

    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{path.name}\"\r\nContent-Type: text/csv\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    length = len(head) + path.stat().st_size + len(tail)
    scope = {"type": "http", "method": "POST", "path": "/", "query_string": b"",
             "headers": [(b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
                         (b"content-length", str(length).encode())]}
    fh = open(path, "rb")  # noqa: SIM115 - closed once the tail is sent
    state = {"stage": "head"}

    async def receive() -> dict[str, Any]:
        if state["stage"] == "head":
            state["stage"] = "body"
            return {"type": "http.request", "body": head, "more_body": True}
        if state["stage"] == "body":
            chunk = fh.read(CHUNK)
            if chunk:
                return {"type": "http.request", "body": chunk, "more_body": True}
            fh.close()
            state["stage"] = "done"
        return {"type": "http.request", "body": tail, "more_body": False}

    return Request(scope, receive)


def child_service(path: Path, endpoint: str, access_key: str, secret_key: str) -> dict[str, Any]:
    from functools import partial

    import anyio

    with tempfile.TemporaryDirectory(prefix="bench-lab-") as tmp:
        home = Path(tmp)
        os.environ.update({"LAB_HOME": str(home), "STORAGE_BUCKET_PREFIX": PREFIX})
        from sqlmodel import Session

        from lab.auth import service as auth
        from lab.auth.models import Role, UserCreate
        from lab.datasets import service as datasets
        from lab.datasets import upload, versions
        from lab.datasets.models import DatasetCreate, Sensitivity
        from lab.db import make_engine, upgrade
        from lab.directory import service as directory
        from lab.directory.models import AuthorityCreate, AuthorityLevel
        from lab.jobs import runtime
        from lab.jobs.models import Job
        from lab.jobs.queue import huey
        from storage import make_client

        huey.immediate = True
        url = f"sqlite:///{home / 'lab.db'}"
        upgrade(url)
        engine = make_engine(url)
        client = make_client(endpoint=endpoint, access_key=access_key, secret_key=secret_key)
        runtime.set_engine(engine)
        runtime.set_storage(client)
        with Session(engine, expire_on_commit=False) as session:
            authority = directory.create_authority(session=session, actor=None, data=(
                AuthorityCreate(name="Métropole", level=AuthorityLevel.epci, code="200046977")))
            city = auth.create_user(session=session, actor=None, data=UserCreate(
                email="city@terrain.example", role=Role.city, password="bench-password-1",
                authority_id=authority.id))
            dataset = datasets.create_dataset(session=session, actor=city, data=DatasetCreate(
                name="Capteurs", domain="environment", sensitivity=Sensitivity.open,
                licence="Licence Ouverte 2.0", time_column="time", zone_column="zone"))
        start = time.perf_counter()
        received = anyio.run(partial(upload.receive, _request(path), directory=home / "uploads",
                                     max_bytes=8 * 1024**3))
        received_at = time.perf_counter()
        with Session(engine) as session:
            version = versions.start_upload(session=session, actor=city, dataset=dataset,
                                            upload=received, client=client,
                                            work_dir=home / "work")
            received.path.unlink()
            seconds = time.perf_counter() - start
            job = session.get(Job, version.job_id)
            if version.status != "ready" or job is None:
                raise SystemExit(f"the upload did not become ready: {version.error}")
            assert job.started_at and job.finished_at
            return {"seconds": seconds, "peak_rss_mib": _peak_rss_mib(),
                    "receive_seconds": received_at - start,
                    "job_seconds": (job.finished_at - job.started_at).total_seconds(),
                    "rows": version.row_count, "parquet_mib": (version.size_bytes or 0) / 2**20,
                    "source_mib": (version.source_size_bytes or 0) / 2**20}


def _run_child(*args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", *args], check=True,
                         capture_output=True, text=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--clean", action="store_true", help="regenerate the CSV")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path, *rest = args.child
        result = (child_baseline(Path(path)) if kind == "baseline"
                  else child_service(Path(path), *rest))
        print(json.dumps(result))
        return

    from storage import EmbeddedS3, ensure_buckets

    path = data_path(args.rows)
    if args.clean or not path.exists():
        start = time.perf_counter()
        generate(args.rows, path)
        print(f"generated {path.relative_to(ROOT)} in {time.perf_counter() - start:.1f} s")
    print(f"input: {args.rows:,} rows, {path.stat().st_size / 2**20:.0f} MiB of CSV")
    baseline = _run_child("baseline", str(path))
    with tempfile.TemporaryDirectory(prefix="bench-s3-") as tmp, EmbeddedS3(tmp) as server:
        ensure_buckets(server.client(), PREFIX)
        service = _run_child("service", str(path), server.endpoint, server.access_key,
                             server.secret_key)
    print(f"service path (upload + checks + store + convert): {service['seconds']:.1f} s, "
          f"peak RSS {service['peak_rss_mib']:.0f} MiB")
    print(f"  receiving the multipart stream: {service['receive_seconds']:.1f} s; "
          f"conversion job: {service['job_seconds']:.1f} s; "
          f"{service['rows']:,} rows, {service['source_mib']:.0f} MiB CSV -> "
          f"{service['parquet_mib']:.0f} MiB Parquet")
    print(f"baseline pl.read_csv().write_parquet(): {baseline['seconds']:.1f} s, "
          f"peak RSS {baseline['peak_rss_mib']:.0f} MiB")
    print(f"ratio to baseline: time x{service['seconds'] / baseline['seconds']:.2f}, "
          f"peak memory x{service['peak_rss_mib'] / baseline['peak_rss_mib']:.2f}")


if __name__ == "__main__":
    main()
