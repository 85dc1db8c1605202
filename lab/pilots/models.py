"""Pilots, their frozen protocol versions and the approvals they need."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from lab.common import timestamp_field
from lab.pilots.protocol import Protocol


class PilotStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    changes_requested = "changes_requested"
    approved = "approved"
    rejected = "rejected"
    running = "running"
    suspended = "suspended"
    completed = "completed"
    evaluated = "evaluated"
    withdrawn = "withdrawn"


class Decision(StrEnum):
    pending = "pending"
    approved = "approved"
    refused = "refused"
    changes_requested = "changes_requested"


class PilotCreate(SQLModel):
    prototype_id: uuid.UUID
    title: str = Field(min_length=3, max_length=200)
    public_summary: str = Field(default="", max_length=2000,
                                description="Plain-language summary shown to citizens")
    protocol: Protocol


class PilotUpdate(SQLModel):
    title: str | None = Field(default=None, min_length=3, max_length=200)
    public_summary: str | None = Field(default=None, max_length=2000)
    protocol: Protocol | None = None


class ApprovalPublic(SQLModel):
    authority_id: uuid.UUID
    authority_name: str
    protocol_version: int
    decision: Decision
    reviewer_id: uuid.UUID | None
    comment: str | None
    decided_at: datetime | None


class PilotPublic(SQLModel):
    id: uuid.UUID
    prototype_id: uuid.UUID
    organization_id: uuid.UUID
    title: str
    public_summary: str
    status: PilotStatus
    protocol: Protocol
    protocol_version: int
    protocol_hash: str | None
    approved_protocol_version: int | None
    approvals: list[ApprovalPublic] = []
    pending_authorities: list[str] = []
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    approved_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None


class DecisionCreate(SQLModel):
    decision: Decision = Field(description="approved, refused or changes_requested")
    comment: str = Field(default="", max_length=5000)


class TransitionReason(SQLModel):
    reason: str = Field(default="", max_length=2000)


class Pilot(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    prototype_id: uuid.UUID = Field(foreign_key="prototype.id", index=True)
    organization_id: uuid.UUID = Field(foreign_key="organization.id", index=True)
    title: str = Field(max_length=200)
    public_summary: str = Field(default="", max_length=2000)
    status: PilotStatus = Field(default=PilotStatus.draft, sa_type=String(24), index=True)
    protocol: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    protocol_version: int = 1
    protocol_hash: str | None = Field(default=None, max_length=64)
    approved_protocol_version: int | None = None
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                         ondelete="SET NULL")
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    submitted_at: datetime | None = timestamp_field(nullable=True)
    approved_at: datetime | None = timestamp_field(nullable=True)
    started_at: datetime | None = timestamp_field(nullable=True)
    completed_at: datetime | None = timestamp_field(nullable=True)


class ProtocolVersion(SQLModel, table=True):
    """A protocol as frozen at submission; never changed afterwards."""

    __tablename__ = "protocol_version"
    __table_args__ = (UniqueConstraint("pilot_id", "version"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    pilot_id: uuid.UUID = Field(foreign_key="pilot.id", index=True)
    version: int
    protocol: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    sha256: str = Field(max_length=64)
    frozen_at: datetime = timestamp_field()
    frozen_by: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                        ondelete="SET NULL")


class Approval(SQLModel, table=True):
    """One owning authority's decision on one protocol version."""

    __table_args__ = (UniqueConstraint("pilot_id", "protocol_version", "authority_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    pilot_id: uuid.UUID = Field(foreign_key="pilot.id", index=True)
    protocol_version: int
    authority_id: uuid.UUID = Field(foreign_key="authority.id", index=True)
    decision: Decision = Field(default=Decision.pending, sa_type=String(24))
    reviewer_id: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                          ondelete="SET NULL")
    comment: str | None = Field(default=None, max_length=5000)
    decided_at: datetime | None = timestamp_field(nullable=True)


__all__ = [
    "Approval",
    "ApprovalPublic",
    "Decision",
    "DecisionCreate",
    "Pilot",
    "PilotCreate",
    "PilotPublic",
    "PilotStatus",
    "PilotUpdate",
    "ProtocolVersion",
    "TransitionReason",
]
