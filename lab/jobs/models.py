"""Background jobs and their visible state."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from lab.common import timestamp_field


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class JobPublic(SQLModel):
    id: uuid.UUID = Field(description="Unique identifier of the job")
    kind: str = Field(description="What the job does, e.g. a dataset conversion or an evaluation")
    status: JobStatus = Field(description="queued, running, done or failed")
    progress: float = Field(description="Share of the work done, from 0.0 to 1.0 (0.5 = 50%)")
    message: str | None = Field(description="Latest progress message, if any")
    error: str | None = Field(description="Why the job failed, when it did")
    result: dict[str, Any] | None = Field(description="What the job produced, once done")
    created_at: datetime = Field(description="When the job was queued (ISO 8601, UTC)")
    started_at: datetime | None = Field(
        description="When a worker started it (ISO 8601, UTC), or null while queued")
    finished_at: datetime | None = Field(
        description="When it ended (ISO 8601, UTC), or null while unfinished")
    attempts: int = Field(default=0, description=(
        "How many times a worker started it: more than 1 when a worker was lost mid-way "
        "and another took the job over"))


class Job(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(max_length=64, index=True)
    status: JobStatus = Field(default=JobStatus.queued, sa_type=String(16), index=True)
    progress: float = 0.0
    message: str | None = Field(default=None, max_length=500)
    error: str | None = Field(default=None, max_length=2000)
    params: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user.id", index=True,
                                         ondelete="SET NULL")
    created_at: datetime = timestamp_field()
    started_at: datetime | None = timestamp_field(nullable=True)
    finished_at: datetime | None = timestamp_field(nullable=True)
    # The lease of a running job (see `lab.jobs.lease`): which worker holds it, until when
    # (renewed while it runs), and how many times a worker claimed it. `attempts` also fences
    # writes: a worker may only write to the job while the attempt it claimed is current.
    worker_id: str | None = Field(default=None, max_length=128)
    # When a message for the job was last put on the queue: a job still queued long after it
    # had its message lost with a worker killed between taking it and claiming the job.
    dispatched_at: datetime | None = timestamp_field(nullable=True)
    lease_expires_at: datetime | None = timestamp_field(nullable=True, index=True)
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


__all__ = ["Job", "JobPublic", "JobStatus"]
