"""Enqueue jobs, run them with visible progress, and read their state."""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from lab.auth.models import Role, User
from lab.common import Page, PageParams, paginate, utcnow
from lab.db import reader, writer
from lab.exceptions import InvalidInput, NotFound
from lab.jobs import lease, runtime
from lab.jobs.lease import LeaseLost
from lab.jobs.models import Job, JobStatus
from lab.jobs.queue import huey

logger = logging.getLogger("lab.jobs")


@dataclass
class JobContext:
    """Handed to a job function: report progress, reach the object store.

    `attempt` is the claim this run holds (1 for the first start, more when a worker was lost
    and the job was taken over); None when a job function is called outside `run`.
    """

    job_id: uuid.UUID
    params: dict[str, Any]
    attempt: int | None = None
    _heartbeat: lease.Heartbeat | None = field(default=None, repr=False)

    def progress(self, fraction: float, message: str | None = None) -> None:
        """Record progress in [0, 1] with an optional message (committed at once); renews
        the lease, and raises `LeaseLost` when another attempt has taken the job over."""
        values: dict[str, Any] = {"progress": max(0.0, min(1.0, fraction))}
        if message:
            values["message"] = message[:500]
        if self.attempt is None:
            with Session(writer(runtime.get_engine())) as session:
                session.execute(update(Job).where(col(Job.id) == self.job_id).values(**values))
                session.commit()
            return
        if (self._heartbeat is not None and self._heartbeat.lost) or not lease.renew(
                self.job_id, self.attempt, **values):
            raise LeaseLost(f"job {self.job_id}: attempt {self.attempt} was taken over")

    def ensure_lease(self) -> None:
        """Raise `LeaseLost` unless this attempt still holds the job. Job functions call it
        before deleting what they wrote on a failure: after a take-over, those objects and
        rows are the new attempt's."""
        if self.attempt is not None and not lease.renew(self.job_id, self.attempt):
            raise LeaseLost(f"job {self.job_id}: attempt {self.attempt} was taken over")

    @property
    def storage(self) -> Any:
        return runtime.get_storage()


JobFunction = Callable[[JobContext], dict[str, Any]]
_REGISTRY: dict[str, JobFunction] = {}


def job_kind(kind: str) -> Callable[[JobFunction], JobFunction]:
    """Register a function as the runner of one kind of job."""

    def _register(fn: JobFunction) -> JobFunction:
        _REGISTRY[kind] = fn
        return fn

    return _register


AbandonHook = Callable[[dict[str, Any], str], None]
_ABANDON: dict[str, AbandonHook] = {}


def on_abandon(kind: str) -> Callable[[AbandonHook], AbandonHook]:
    """Register what to undo when a job of this kind is given up after its workers were lost
    `LAB_JOB_MAX_ATTEMPTS` times: called with the job's params and the reason, it removes
    what the attempts may have written and records the failure where its owner looks."""

    def _register(fn: AbandonHook) -> AbandonHook:
        _ABANDON[kind] = fn
        return fn

    return _register


def abandon_hook(kind: str) -> AbandonHook | None:
    """The clean-up registered for a kind of job, if any."""
    return _ABANDON.get(kind)


def enqueue(*, session: Session, actor: User | None, kind: str,
            params: dict[str, Any] | None = None) -> Job:
    """Record a queued job and hand it to the queue."""
    if kind not in _REGISTRY:
        raise InvalidInput(f"Unknown job kind {kind!r}.", field="kind")
    job = Job(kind=kind, params=params or {}, created_by=actor.id if actor else None,
              dispatched_at=utcnow())
    session.add(job)
    session.commit()
    # No read between the commit and the hand-off: a job run inline (tests) writes through its
    # own connection, and this session must start a fresh transaction to see it.
    dispatch(job.id)
    session.refresh(job)
    # And no read left open for the caller: on SQLite a transaction whose snapshot predates
    # the job's writes cannot write any more, so the caller starts afresh. The job is handed
    # back detached, as read now (a commit would expire it in sessions that expire on commit).
    session.expunge(job)
    session.commit()
    return job


@huey.task()
def _execute(job_id: str) -> None:
    run(uuid.UUID(job_id))


def dispatch(job_id: uuid.UUID) -> None:
    """Hand a recorded job to the queue (a second message for one job is harmless: only one
    worker's claim succeeds)."""
    _execute(str(job_id))


def run(job_id: uuid.UUID) -> None:
    """Run a job now in this process, recording its state, result or error."""
    with Session(reader(runtime.get_engine())) as session:
        # A job not (yet) visible here was enqueued by a transaction that did not commit.
        seen = session.get(Job, job_id)
        if seen is None or seen.status != JobStatus.queued:
            return
    with Session(writer(runtime.get_engine())) as session:
        # One conditional UPDATE claims the job: when several workers share the queue and a
        # message is delivered twice, exactly one of them sees a row change and runs it. The
        # claim is a lease (see `lab.jobs.lease`): renewed while the job runs, taken over by
        # another worker when it expires.
        claimed = session.execute(
            update(Job).where(col(Job.id) == job_id, col(Job.status) == JobStatus.queued)
            .values(status=JobStatus.running, started_at=utcnow(), worker_id=lease.worker_id(),
                    lease_expires_at=lease.expiry(), attempts=col(Job.attempts) + 1))
        session.commit()
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return
        job = session.get(Job, job_id)
        assert job is not None
        kind, params, attempt = job.kind, dict(job.params or {}), job.attempts
    result: dict[str, Any] | None = None
    error: str | None = None
    with lease.Heartbeat(job_id, attempt) as heartbeat:
        context = JobContext(job_id=job_id, params=params, attempt=attempt,
                             _heartbeat=heartbeat)
        try:
            result = _REGISTRY[kind](context)
        except LeaseLost:
            logger.warning("job %s (%s): attempt %d stopped, another worker took it over",
                           job_id, kind, attempt)
            return
        except Exception as exc:  # noqa: BLE001 - a job's failure is data, shown to its owner
            logger.error("job %s (%s) failed: %s", job_id, kind, traceback.format_exc())
            error = _error_text(exc)
    # Ended once the heartbeat has stopped, so that no renewal races the final write.
    if error is not None:
        _finish(job_id, attempt, status=JobStatus.failed, error=error)
    else:
        _finish(job_id, attempt, status=JobStatus.done, result=result)


def _error_text(exc: Exception) -> str:
    text = str(exc) or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}"[:2000]


def _finish(job_id: uuid.UUID, attempt: int, *, status: JobStatus,
            result: dict[str, Any] | None = None, error: str | None = None) -> None:
    values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "result": result,
                              "error": error, "lease_expires_at": None}
    if status == JobStatus.done:
        values["progress"] = 1.0
    with Session(writer(runtime.get_engine())) as session:
        # Only the attempt that holds the job ends it: a late one whose job was taken over
        # (after its lease expired) must not overwrite the outcome of the attempt that won.
        ended = session.execute(
            update(Job).where(col(Job.id) == job_id, col(Job.status) == JobStatus.running,
                              col(Job.attempts) == attempt).values(**values))
        session.commit()
    if ended.rowcount != 1:  # type: ignore[attr-defined]
        logger.warning("job %s: attempt %d ended after losing its lease; outcome dropped",
                       job_id, attempt)


def get_job(*, session: Session, actor: User, job_id: uuid.UUID) -> Job:
    """A job its creator or an administrator may read; anyone else gets 404."""
    job = session.get(Job, job_id)
    if job is None or (job.created_by != actor.id and actor.role != Role.admin):
        raise NotFound("No such job.")
    return job


def list_jobs(*, session: Session, actor: User, page: PageParams) -> Page[Job]:
    """The actor's jobs (all of them for an administrator), newest first."""
    query = select(Job)
    if actor.role != Role.admin:
        query = query.where(Job.created_by == actor.id)
    return paginate(session, query, page, col(Job.created_at).desc())


__all__ = ["JobContext", "LeaseLost", "abandon_hook", "dispatch", "enqueue", "get_job",
           "job_kind", "list_jobs", "on_abandon", "run"]
