"""Leases on running jobs: claimed with the worker's identity, renewed while the job runs,
taken over when they expire, given up after the last attempt, and fenced against a late
attempt."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from lab.common import utcnow
from lab.jobs import lease, reaper, runtime
from lab.jobs import service as jobs
from lab.jobs.models import Job, JobStatus
from lab.settings import get_settings

SEEN: dict[str, Any] = {}


@pytest.fixture(autouse=True)
def _short_lease(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("LAB_JOB_LEASE_SECONDS", "3")
    monkeypatch.setenv("LAB_JOB_MAX_ATTEMPTS", "2")
    get_settings.cache_clear()
    SEEN.clear()
    yield
    get_settings.cache_clear()


def _row(engine: Engine, job_id: uuid.UUID) -> Job:
    with Session(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


@jobs.job_kind("test-lease-records")
def _records(ctx: jobs.JobContext) -> dict[str, Any]:
    SEEN["attempt"] = ctx.attempt
    SEEN["row"] = _row(runtime.get_engine(), ctx.job_id)
    return {"attempt": ctx.attempt}


@jobs.job_kind("test-lease-waits-for-renewal")
def _waits(ctx: jobs.JobContext) -> dict[str, Any]:
    first = _row(runtime.get_engine(), ctx.job_id).lease_expires_at
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the heartbeat renews every lease/3 = 1 s
        renewed = _row(runtime.get_engine(), ctx.job_id).lease_expires_at
        if renewed is not None and first is not None and renewed > first:
            return {"first": first.isoformat(), "renewed": renewed.isoformat()}
        time.sleep(0.1)
    raise AssertionError("the lease was never renewed")


@jobs.job_kind("test-lease-taken-over")
def _taken_over(ctx: jobs.JobContext) -> dict[str, Any]:
    # What the reaper and another worker's claim do to a job whose lease expired.
    with Session(runtime.get_engine()) as session:
        session.execute(update(Job).where(col(Job.id) == ctx.job_id)
                        .values(attempts=col(Job.attempts) + 1, worker_id="elsewhere"))
        session.commit()
    try:
        ctx.progress(0.5, "still going")
    except Exception:  # the job's own clean-up must not run for a lost lease
        SEEN["cleaned_up"] = True
        raise
    SEEN["went_on"] = True
    return {}


ABANDONED: list[tuple[dict[str, Any], str]] = []


@jobs.on_abandon("test-lease-records")
def _abandon(params: dict[str, Any], reason: str) -> None:
    ABANDONED.append((params, reason))


def _running(engine: Engine, *, attempts: int, expires_in: float) -> uuid.UUID:
    """A job as a worker killed mid-way leaves it: running, its lease as given."""
    with Session(engine) as session:
        job = Job(kind="test-lease-records", status=JobStatus.running, attempts=attempts,
                  params={"dataset": "x"}, worker_id="host:1:1", started_at=utcnow(),
                  lease_expires_at=utcnow() + timedelta(seconds=expires_in))
        session.add(job)
        session.commit()
        return job.id


def test_claim_records_the_worker_and_a_lease_and_ends_it(live_engine: Engine) -> None:
    with Session(live_engine) as session:
        job = jobs.enqueue(session=session, actor=None, kind="test-lease-records")
    during: Job = SEEN["row"]
    assert SEEN["attempt"] == 1 and during.attempts == 1
    assert during.worker_id == lease.worker_id()
    assert during.lease_expires_at is not None
    assert timedelta(seconds=2) < during.lease_expires_at - utcnow() <= timedelta(seconds=3)
    after = _row(live_engine, job.id)
    assert after.status == JobStatus.done and after.result == {"attempt": 1}
    assert after.lease_expires_at is None and after.attempts == 1


def test_heartbeat_renews_the_lease_of_a_long_job(live_engine: Engine) -> None:
    with Session(live_engine) as session:
        job = jobs.enqueue(session=session, actor=None, kind="test-lease-waits-for-renewal")
    after = _row(live_engine, job.id)
    assert after.status == JobStatus.done, after.error


def test_expired_lease_is_queued_again_and_run_as_the_next_attempt(
        live_engine: Engine) -> None:
    job_id = _running(live_engine, attempts=1, expires_in=-1)
    result = reaper.reap()
    assert result.requeued == [job_id] and result.failed == []
    after = _row(live_engine, job_id)  # jobs run inline in tests: already retried
    assert after.status == JobStatus.done and after.attempts == 2
    assert SEEN["attempt"] == 2
    assert reaper.reap().requeued == []  # nothing left to take over


def test_live_lease_is_left_alone(live_engine: Engine) -> None:
    job_id = _running(live_engine, attempts=1, expires_in=30)
    assert reaper.reap().requeued == []
    assert _row(live_engine, job_id).status == JobStatus.running


def test_last_attempt_lost_fails_the_job_with_the_reason_and_cleans_up(
        live_engine: Engine) -> None:
    ABANDONED.clear()
    job_id = _running(live_engine, attempts=2, expires_in=-1)  # LAB_JOB_MAX_ATTEMPTS=2
    result = reaper.reap()
    assert result.failed == [job_id] and result.requeued == []
    after = _row(live_engine, job_id)
    assert after.status == JobStatus.failed and after.finished_at is not None
    assert after.error is not None and after.error.startswith("WorkerLost:")
    assert "2 times" in after.error and "LAB_JOB_MAX_ATTEMPTS" in after.error
    assert len(ABANDONED) == 1 and ABANDONED[0][0] == {"dataset": "x"}
    assert reaper.reap().failed == []  # failed once only


def test_late_attempt_stops_without_clean_up_and_without_ending_the_job(
        live_engine: Engine) -> None:
    with Session(live_engine) as session:
        job = jobs.enqueue(session=session, actor=None, kind="test-lease-taken-over")
    assert "cleaned_up" not in SEEN and "went_on" not in SEEN
    after = _row(live_engine, job.id)
    # The late attempt recorded neither its progress nor an outcome: the job is the
    # current attempt's to finish.
    assert after.status == JobStatus.running and after.attempts == 2
    assert after.worker_id == "elsewhere" and after.progress == 0.0


def _queued(engine: Engine, *, dispatched_ago: timedelta) -> uuid.UUID:
    with Session(engine) as session:
        job = Job(kind="test-lease-records", dispatched_at=utcnow() - dispatched_ago)
        session.add(job)
        session.commit()
        return job.id


def test_job_queued_long_after_its_message_is_sent_again_once(live_engine: Engine) -> None:
    # A worker killed between taking the message and claiming the job took the message along.
    lost = _queued(live_engine, dispatched_ago=reaper.stale_after() + timedelta(seconds=1))
    waiting = _queued(live_engine, dispatched_ago=reaper.stale_after() / 2)
    result = reaper.reap()
    assert result.redispatched == [lost] and result.requeued == []
    assert _row(live_engine, lost).status == JobStatus.done  # inline: run at once
    assert _row(live_engine, lost).attempts == 1
    assert _row(live_engine, waiting).status == JobStatus.queued
    assert reaper.reap().redispatched == []
