"""Leave a job as a worker killed mid-way leaves it, for the tests of retries."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from lab.common import utcnow
from lab.jobs.models import Job, JobStatus


def killed(engine: Engine, job_id: uuid.UUID | str, *, attempts: int) -> None:
    """The job running its attempt `attempts` on a worker that died: its lease expired."""
    with Session(engine) as session:
        session.execute(update(Job).where(col(Job.id) == uuid.UUID(str(job_id))).values(
            status=JobStatus.running, attempts=attempts, worker_id="gone:1:1",
            finished_at=None, result=None, error=None,
            lease_expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()


def job(engine: Engine, job_id: uuid.UUID | str) -> Job:
    """The job as stored now."""
    with Session(engine) as session:
        found = session.get(Job, uuid.UUID(str(job_id)))
        assert found is not None
        session.expunge(found)
        return found
