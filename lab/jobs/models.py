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
    id: uuid.UUID
    kind: str
    status: JobStatus
    progress: float
    message: str | None
    error: str | None
    result: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


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


__all__ = ["Job", "JobPublic", "JobStatus"]
