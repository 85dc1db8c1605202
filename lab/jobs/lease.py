"""Leases on running jobs, so that several workers can share the queue and survive each other.

A worker claims a queued job with one conditional UPDATE (`queued → running`) that also
writes its identity, a lease expiry `LAB_JOB_LEASE_SECONDS` ahead, and `attempts + 1`.
While the job runs, a heartbeat thread renews the lease every third of its length (and each
`progress()` renews it too), so a slow job keeps its lease however long it takes, and a job
whose worker was killed (SIGKILL, OOM, a lost machine) stops being renewed: once its lease
has expired the reaper (`lab.jobs.reaper`) puts it back on the queue for another worker, or
fails it after `LAB_JOB_MAX_ATTEMPTS` starts.

`attempts` is the fencing token. Every write a worker makes to its job (progress, lease
renewal, the final state) is conditional on `status = running AND attempts = <the attempt it
claimed>`. A worker that was only slow, not dead (a long pause, a network split), and whose
job was meanwhile taken over finds that condition false: its heartbeat stops, and its next
`progress()` raises `LeaseLost`. `LeaseLost` derives from `BaseException`, like
`KeyboardInterrupt`, so that a job's `except Exception` clean-up (which deletes what the job
wrote) does not run: the outputs now belong to the attempt that took over.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col

from lab.common import utcnow
from lab.db import writer
from lab.jobs import runtime
from lab.jobs.models import Job, JobStatus
from lab.settings import get_settings

logger = logging.getLogger("lab.jobs")


class LeaseLost(BaseException):
    """This worker no longer holds the job: another attempt took it over."""


def worker_id() -> str:
    """Who runs a job: host, process and thread (shown on the job, used in logs and tests)."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:128]


def lease_seconds() -> int:
    """How long a claim lasts without renewal (`LAB_JOB_LEASE_SECONDS`)."""
    return get_settings().job_lease_seconds


def expiry(now: datetime | None = None) -> datetime:
    """When a lease taken or renewed now ends."""
    return (now or utcnow()) + timedelta(seconds=lease_seconds())


def renew(job_id: uuid.UUID, attempt: int, **values: object) -> bool:
    """Extend the lease of this attempt (and write `values` with it); False when it is lost."""
    with Session(writer(runtime.get_engine())) as session:
        renewed = session.execute(
            update(Job).where(col(Job.id) == job_id, col(Job.status) == JobStatus.running,
                              col(Job.attempts) == attempt)
            .values(lease_expires_at=expiry(), **values))
        session.commit()
    return bool(renewed.rowcount == 1)  # type: ignore[attr-defined]


class Heartbeat:
    """A daemon thread renewing one attempt's lease until stopped or the lease is lost."""

    def __init__(self, job_id: uuid.UUID, attempt: int) -> None:
        self.job_id, self.attempt = job_id, attempt
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True,
                                        name=f"lease-{job_id}")

    def _loop(self) -> None:
        interval = lease_seconds() / 3
        while not self._stop.wait(interval):
            try:
                if not renew(self.job_id, self.attempt):
                    self.lost = True
                    logger.warning("job %s: lease of attempt %d lost", self.job_id,
                                   self.attempt)
                    return
            except Exception:  # noqa: BLE001 - a database hiccup; the next beat tries again
                logger.exception("job %s: could not renew the lease", self.job_id)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


__all__ = ["Heartbeat", "LeaseLost", "expiry", "lease_seconds", "renew", "worker_id"]
