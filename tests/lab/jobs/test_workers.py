"""Two real `lab worker` processes share one Redis queue: a batch of dataset conversions and
evaluations runs to done, each exactly once in effect, and a conversion whose worker is
killed (SIGKILL) mid-way is taken over by the other worker and leaves no partial object or
row behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from lab.app import create_app
from lab.audit.models import AuditLog
from lab.datasets import objects
from lab.datasets.models import DatasetVersion, VersionStatus
from lab.db import make_engine, upgrade
from lab.evaluations.models import Evaluation, EvaluationStatus
from lab.jobs import runtime
from lab.jobs.models import Job, JobStatus
from lab.jobs.queue import huey
from lab.settings import LabSettings
from storage import bucket_name
from tests.lab.datasets.data import csv_bytes, readings
from tests.lab.evaluations.test_evaluation import _pilot
from tests.platform import poll

pytestmark = [
    pytest.mark.slow, pytest.mark.s3, pytest.mark.db,
    # On SQLite, a job's session that reads and then writes is refused at once when another
    # process wrote in between ("database is locked"): several worker processes are a
    # PostgreSQL deployment (the embedded SQLite setup runs one worker).
    pytest.mark.skipif(not os.environ.get("LAB_TEST_DATABASE_URL"),
                       reason="several worker processes need PostgreSQL: set "
                              "LAB_TEST_DATABASE_URL"),
]

REDIS_URL = os.environ.get("LAB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parents[3]
LEASE_SECONDS = 3
BIG_ROWS = 1_500_000  # about 3 s of conversion here: long enough to be killed mid-way
SMALL_ROWS = 20_000


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001 - any failure to reach it is a reason to skip
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({exc.__class__.__name__}); "
                    "set LAB_TEST_REDIS_URL to run the two-worker test")


def _row(engine: Engine, model: Any, key: Any) -> Any:
    with Session(engine) as session:
        found = session.get(model, key)
        if found is not None:
            session.expunge(found)
        return found


def _keys(client: Any, bucket: str, prefix: str) -> list[str]:
    return sorted(o.object_name.removeprefix(prefix)
                  for o in client.list_objects(bucket, prefix=prefix, recursive=True))


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen([sys.executable, "-m", "lab", "worker", "--threads", "2"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # huey: finish what runs, then exit
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def database(fresh_database_url) -> Iterator[tuple[str, Engine]]:  # type: ignore[no-untyped-def]
    """A migrated database of its own: the workers are other processes."""
    url: str = fresh_database_url()
    upgrade(url)
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


def test_two_workers_run_every_job_once_and_take_over_a_killed_one(
    database: tuple[str, Engine], s3_server, s3_client, s3_buckets,  # type: ignore[no-untyped-def]
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _redis_or_skip()
    from huey.storage import RedisStorage

    url, engine = database
    prefix = s3_buckets["datasets"].removesuffix("datasets")
    monkeypatch.setenv("STORAGE_BUCKET_PREFIX", prefix)
    monkeypatch.setattr(runtime, "_state", {})
    home = (tmp_path / "home").resolve()
    settings = LabSettings(home=home, env="test", secret_key="t" * 48, database_url=url)
    queue = f"terrain-test-{uuid.uuid4().hex[:10]}"  # this run's own keys in Redis
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAB_", "STORAGE_"))}
    env.update(LAB_HOME=str(home), LAB_ENV="test", LAB_SECRET_KEY="t" * 48,
               LAB_DATABASE_URL=url, LAB_REDIS_URL=REDIS_URL, LAB_QUEUE_NAME=queue,
               LAB_JOB_LEASE_SECONDS=str(LEASE_SECONDS), LAB_JOB_MAX_ATTEMPTS="3",
               STORAGE_ENDPOINT=s3_server.endpoint_url, STORAGE_ACCESS_KEY=s3_server.access_key,
               STORAGE_SECRET_KEY=s3_server.secret_key, STORAGE_REGION=s3_server.region,
               STORAGE_BUCKET_PREFIX=prefix, PYTHONUNBUFFERED="1")
    redis_queue = RedisStorage(queue, url=REDIS_URL)
    workers: list[subprocess.Popen[bytes]] = []
    started = time.monotonic()
    try:
        with Session(engine, expire_on_commit=False) as session, TestClient(
            create_app(settings, engine=engine, storage=s3_client)
        ) as client:
            # The pilot is built with jobs inline; from here on, they go to Redis.
            pid, headers = _pilot(session, client, s3_client, s3_buckets["datasets"])
            monkeypatch.setattr(huey, "_immediate", False)
            monkeypatch.setattr(huey, "storage", redis_queue)
            created = client.post("/api/v1/datasets", headers=headers["city"], json={
                "name": "Comptages", "domain": "mobility", "sensitivity": "open",
                "licence": "Licence Ouverte 2.0", "time_column": "time",
                "zone_column": "zone"})
            assert created.status_code == 201, created.text
            dataset_id = created.json()["id"]
            sizes = [BIG_ROWS, SMALL_ROWS, SMALL_ROWS + 1]
            versions = []
            for count in sizes:
                answer = client.post(f"/api/v1/datasets/{dataset_id}/versions",
                                     headers=headers["city"],
                                     files={"file": ("readings.csv",
                                                     csv_bytes(readings(count, zones=20)),
                                                     "text/csv")})
                assert answer.status_code == 202, answer.text
                versions.append(answer.json())
            evaluations = []
            for _ in range(2):
                answer = client.post(f"/api/v1/pilots/{pid}/evaluations",
                                     headers=headers["city"])
                assert answer.status_code == 202, answer.text
                evaluations.append(answer.json())
        job_ids = [uuid.UUID(v["job_id"]) for v in versions + evaluations]
        assert all(_row(engine, Job, j).status == JobStatus.queued for j in job_ids)

        logs = tmp_path / "logs"
        logs.mkdir()
        workers = [_start_worker(env, logs / f"worker-{i}.log") for i in range(2)]
        victim = job_ids[0]  # the big conversion, queued first

        def victim_mid_way() -> Job | None:
            job = _row(engine, Job, victim)
            return job if job.status == JobStatus.running and job.progress >= 0.2 else None

        running = poll(victim_mid_way, timeout=40, interval=0.05)
        assert running is not None, _row(engine, Job, victim)
        holder = int((running.worker_id or "").split(":")[1])
        killed = next(p for p in workers if p.pid == holder)
        killed.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        killed.wait()
        held = {j for j in job_ids if (job := _row(engine, Job, j)).status == JobStatus.running
                and int((job.worker_id or "").split(":")[1]) == holder}
        # Killed mid-way: the version is not ready, its job still "running" on a dead lease.
        version_id = uuid.UUID(versions[0]["id"])
        assert _row(engine, DatasetVersion, version_id).status == VersionStatus.processing

        survivor = next(p for p in workers if p is not killed)
        taken = poll(lambda: (j := _row(engine, Job, victim)).attempts >= 2 and j, timeout=20,
                     interval=0.1)
        assert taken, "the killed worker's job was never taken over"
        takeover_seconds = time.monotonic() - killed_at

        def all_ended() -> bool:
            return all(_row(engine, Job, j).status in (JobStatus.done, JobStatus.failed)
                       for j in job_ids)

        assert poll(all_ended, timeout=60, interval=0.25), [
            (_row(engine, Job, j).status, _row(engine, Job, j).message) for j in job_ids]
        assert survivor.poll() is None, "the surviving worker died"

        jobs = {j: _row(engine, Job, j) for j in job_ids}
        assert {j: jobs[j].status for j in job_ids} == {j: JobStatus.done for j in job_ids}, {
            j: jobs[j].error for j in job_ids}
        retried = jobs[victim]
        assert retried.attempts == 2
        assert int((retried.worker_id or "").split(":")[1]) == survivor.pid
        # The jobs the killed worker held (the victim, and maybe one more on its other
        # thread) were started twice, every other job once.
        assert victim in held
        assert {j: jobs[j].attempts for j in job_ids} == {
            j: 2 if j in held else 1 for j in job_ids}

        # Conversions: one row each, ready, exactly the three objects, the full data.
        bucket = objects.bucket()
        with Session(engine) as session:
            rows = session.exec(select(DatasetVersion).where(
                col(DatasetVersion.dataset_id) == uuid.UUID(dataset_id))).all()
            ready_audits = session.exec(
                select(AuditLog.object_id, func.count()).where(
                    col(AuditLog.action) == "dataset.version.ready")
                .group_by(col(AuditLog.object_id))).all()
        assert sorted(v.number for v in rows) == [1, 2, 3]
        assert {str(v.id) for v in rows} == {v["id"] for v in versions}
        assert all(v.status == VersionStatus.ready for v in rows)
        assert dict(ready_audits) == {str(v.id): 1 for v in rows}
        for version in rows:
            folder = objects.version_prefix(version.dataset_id, version.id)
            assert _keys(s3_client, bucket, folder) == ["data.parquet", "rollup.parquet",
                                                        "source.csv"]
            assert version.object_key == folder + "data.parquet"
            stat = s3_client.stat_object(bucket, version.object_key)
            assert stat.size == version.size_bytes
            data = objects.RangedObject(s3_client, bucket, version.object_key)
            assert pq.ParquetFile(data).metadata.num_rows == version.row_count
        assert {v.row_count for v in rows} == set(sizes)
        assert list((home / "work").glob("dataset-*")) == []  # the killed attempt's files too

        # Evaluations: done once each, with exactly their two reports.
        reports = bucket_name("reports", prefix)
        for answer in evaluations:
            evaluation = _row(engine, Evaluation, uuid.UUID(answer["id"]))
            assert evaluation.status == EvaluationStatus.done, evaluation.error
            assert _keys(s3_client, reports, f"{evaluation.pilot_id}/{evaluation.id}/") == [
                "report.html", "report.json"]
        with Session(engine) as session:
            evaluated = session.exec(select(func.count()).select_from(AuditLog).where(
                col(AuditLog.action) == "pilot.evaluated")).one()
        assert evaluated == 1
        elapsed = time.monotonic() - started
        print(f"{len(job_ids)} jobs, {len(held)} held by the killed worker; take-over after "  # noqa: T201
              f"the kill: {takeover_seconds:.1f} s (lease {LEASE_SECONDS} s); whole test "
              f"{elapsed:.1f} s")
    finally:
        _stop(workers)
        redis_queue.flush_all()
        for key in redis_queue.conn.scan_iter(f"huey.*{queue}*"):
            redis_queue.conn.delete(key)
