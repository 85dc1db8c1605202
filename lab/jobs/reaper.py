"""Taking over jobs whose worker was lost: every worker runs this check in a thread.

A running job whose lease has expired (see `lab.jobs.lease`) had its worker killed or cut
off. Each check puts such a job back to `queued` and on the queue, where any worker claims
it again as its next attempt, or, once `LAB_JOB_MAX_ATTEMPTS` attempts have started, marks it
failed with the reason and calls the clean-up its kind registered (`jobs.on_abandon`). Every
change is one conditional UPDATE on (status, attempts, lease expiry), so when every worker
runs the check at once each expired job is put back or failed exactly once.

A job can also lose its message without having been claimed: Redis hands a message to one
worker, which may die before its claim. So a job still `queued` long after its last message
(ten leases, at least a minute: queues are often that long, and a second message for one
job is harmless, only one claim succeeds) gets a new message, at most once per that period.

The check runs every half lease (at least every second), not as a huey periodic task:
those fire at most once a minute, and a take-over should not wait longer than the lease.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from lab.common import utcnow
from lab.db import reader, writer
from lab.jobs import lease, runtime
from lab.jobs import service as jobs
from lab.jobs.models import Job, JobStatus
from lab.settings import get_settings

logger = logging.getLogger("lab.jobs")
_BATCH = 100


@dataclass
class ReapResult:
    """The jobs put back on the queue and those given up in one check."""

    requeued: list[uuid.UUID] = field(default_factory=list)
    failed: list[uuid.UUID] = field(default_factory=list)
    redispatched: list[uuid.UUID] = field(default_factory=list)


def _gave_up(attempts: int) -> str:
    return (f"WorkerLost: the worker running this job stopped without finishing it (killed or "
            f"cut off) {attempts} time{'s' if attempts > 1 else ''}; given up after "
            f"{attempts} attempt{'s' if attempts > 1 else ''} (LAB_JOB_MAX_ATTEMPTS). Start "
            "it again once the cause (often a worker out of memory) is fixed.")


def reap(*, now: datetime | None = None) -> ReapResult:
    """Requeue or fail the running jobs whose lease expired before `now`."""
    now = now or utcnow()
    max_attempts = get_settings().job_max_attempts
    result = ReapResult()
    with Session(reader(runtime.get_engine())) as session:
        expired = session.exec(
            select(Job.id, Job.kind, Job.attempts, Job.params)
            .where(col(Job.status) == JobStatus.running, col(Job.lease_expires_at) < now)
            .order_by(col(Job.lease_expires_at)).limit(_BATCH)).all()
    for job_id, kind, attempts, params in expired:
        give_up = attempts >= max_attempts
        values: dict[str, object] = (
            {"status": JobStatus.failed, "finished_at": now, "error": _gave_up(attempts),
             "lease_expires_at": None}
            if give_up else
            {"status": JobStatus.queued, "worker_id": None, "lease_expires_at": None,
             "message": f"worker lost during attempt {attempts} of {max_attempts}; "
                        "queued again", "dispatched_at": now})
        with Session(writer(runtime.get_engine())) as session:
            changed = session.execute(
                update(Job).where(col(Job.id) == job_id, col(Job.status) == JobStatus.running,
                                  col(Job.attempts) == attempts,
                                  col(Job.lease_expires_at) < now).values(**values))
            session.commit()
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            continue  # renewed meanwhile, or another worker's check got there first
        if give_up:
            logger.error("job %s (%s): worker lost %d times, failed", job_id, kind, attempts)
            result.failed.append(job_id)
            hook = jobs.abandon_hook(kind)
            if hook is not None:
                try:
                    hook(dict(params or {}), _gave_up(attempts))
                except Exception:  # noqa: BLE001 - the job is failed either way; say so
                    logger.exception("job %s (%s): clean-up after giving up failed", job_id,
                                     kind)
        else:
            logger.warning("job %s (%s): worker lost during attempt %d, queued again", job_id,
                           kind, attempts)
            result.requeued.append(job_id)
            jobs.dispatch(job_id)
    result.redispatched = _redispatch_stale(now)
    return result


def stale_after() -> timedelta:
    """How long a job may stay queued after its last message before it gets another."""
    return timedelta(seconds=max(60, 10 * lease.lease_seconds()))


def _redispatch_stale(now: datetime) -> list[uuid.UUID]:
    before = now - stale_after()
    with Session(reader(runtime.get_engine())) as session:
        stale = session.exec(
            select(Job.id).where(col(Job.status) == JobStatus.queued,
                                 col(Job.dispatched_at) < before)
            .order_by(col(Job.dispatched_at)).limit(_BATCH)).all()
    sent = []
    for job_id in stale:
        with Session(writer(runtime.get_engine())) as session:
            changed = session.execute(
                update(Job).where(col(Job.id) == job_id, col(Job.status) == JobStatus.queued,
                                  col(Job.dispatched_at) < before).values(dispatched_at=now))
            session.commit()
        if changed.rowcount == 1:  # type: ignore[attr-defined]
            logger.warning("job %s: still queued %s after its last message, sent again",
                           job_id, stale_after())
            sent.append(job_id)
            jobs.dispatch(job_id)
    return sent


class Reaper:
    """A daemon thread running `reap` every half lease until stopped."""

    def __init__(self, interval: float | None = None) -> None:
        self.interval = interval or max(1.0, lease.lease_seconds() / 2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="job-reaper")

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                reap()
            except Exception:  # noqa: BLE001 - the database may be back at the next check
                logger.exception("the check for jobs of lost workers failed")

    def start(self) -> Reaper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


__all__ = ["ReapResult", "Reaper", "reap", "stale_after"]
