"""Enqueue jobs, run them with visible progress, and read their state."""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from lab.auth.models import Role, User
from lab.common import Page, PageParams, paginate, utcnow
from lab.db import reader, writer
from lab.exceptions import InvalidInput, NotFound
from lab.jobs import runtime
from lab.jobs.models import Job, JobStatus
from lab.jobs.queue import huey

logger = logging.getLogger("lab.jobs")


@dataclass
class JobContext:
    """Handed to a job function: report progress, reach the object store."""

    job_id: uuid.UUID
    params: dict[str, Any]

    def progress(self, fraction: float, message: str | None = None) -> None:
        """Record progress in [0, 1] with an optional message (committed at once)."""
        with Session(writer(runtime.get_engine())) as session:
            job = session.get(Job, self.job_id)
            if job is not None:
                job.progress = max(0.0, min(1.0, fraction))
                job.message = message[:500] if message else job.message
                session.add(job)
                session.commit()

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


def enqueue(*, session: Session, actor: User | None, kind: str,
            params: dict[str, Any] | None = None) -> Job:
    """Record a queued job and hand it to the queue."""
    if kind not in _REGISTRY:
        raise InvalidInput(f"Unknown job kind {kind!r}.", field="kind")
    job = Job(kind=kind, params=params or {}, created_by=actor.id if actor else None)
    session.add(job)
    session.commit()
    # No read between the commit and the hand-off: a job run inline (tests) writes through its
    # own connection, and this session must start a fresh transaction to see it.
    _execute(str(job.id))
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


def run(job_id: uuid.UUID) -> None:
    """Run a job now in this process, recording its state, result or error."""
    with Session(reader(runtime.get_engine())) as session:
        # A job not (yet) visible here was enqueued by a transaction that did not commit.
        seen = session.get(Job, job_id)
        if seen is None or seen.status != JobStatus.queued:
            return
    with Session(writer(runtime.get_engine())) as session:
        # One conditional UPDATE claims the job: when several workers share the queue and a
        # message is delivered twice, exactly one of them sees a row change and runs it.
        claimed = session.execute(
            update(Job).where(col(Job.id) == job_id, col(Job.status) == JobStatus.queued)
            .values(status=JobStatus.running, started_at=utcnow()))
        session.commit()
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return
        job = session.get(Job, job_id)
        assert job is not None
        kind, params = job.kind, dict(job.params or {})
    try:
        result = _REGISTRY[kind](JobContext(job_id=job_id, params=params))
    except Exception as exc:  # noqa: BLE001 - a job's failure is data, shown to its owner
        logger.error("job %s (%s) failed: %s", job_id, kind, traceback.format_exc())
        _finish(job_id, status=JobStatus.failed, error=_error_text(exc))
        return
    _finish(job_id, status=JobStatus.done, result=result)


def _error_text(exc: Exception) -> str:
    text = str(exc) or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}"[:2000]


def _finish(job_id: uuid.UUID, *, status: JobStatus, result: dict[str, Any] | None = None,
            error: str | None = None) -> None:
    with Session(writer(runtime.get_engine())) as session:
        job = session.get(Job, job_id)
        if job is None:
            return
        job.status, job.finished_at, job.result, job.error = status, utcnow(), result, error
        if status == JobStatus.done:
            job.progress = 1.0
        session.add(job)
        session.commit()


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


__all__ = ["JobContext", "enqueue", "get_job", "job_kind", "list_jobs", "run"]
