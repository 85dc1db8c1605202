"""The append-only audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from lab.common import timestamp_field


class AuditLogPublic(SQLModel):
    id: int = Field(description="Sequence number of the entry")
    at: datetime = Field(description="When the change happened (ISO 8601, UTC)")
    actor_id: uuid.UUID | None = Field(description="The user who made the change, or null")
    actor_role: str | None = Field(description="That user's role at the time, or null")
    action: str = Field(description="What was done, e.g. `pilot.submit`")
    object_type: str = Field(description="Kind of object changed, e.g. `pilot`")
    object_id: str = Field(description="Identifier of the object changed")
    before: dict[str, Any] | None = Field(description="Relevant values before the change, or null")
    after: dict[str, Any] | None = Field(description="Relevant values after the change, or null")
    reason: str | None = Field(description="Why the change was made, when given")


class AuditLog(SQLModel, table=True):
    """One state change: who, what, when, before/after or why. Never updated or deleted."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp_field(index=True)
    # No foreign key: the fact outlives the person (erasure keeps the log).
    actor_id: uuid.UUID | None = Field(default=None, index=True)
    actor_role: str | None = Field(default=None, max_length=16)
    action: str = Field(max_length=64)
    object_type: str = Field(max_length=64, index=True)
    object_id: str = Field(max_length=64, index=True)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    reason: str | None = Field(default=None, max_length=2000)


__all__ = ["AuditLog", "AuditLogPublic"]
