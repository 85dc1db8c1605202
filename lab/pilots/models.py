"""Pilots, their frozen protocol versions and the approvals they need."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from lab.common import timestamp_field
from lab.pilots.protocol import Protocol, ProtocolDraft


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
    prototype_id: uuid.UUID = Field(description="The startup's prototype to be tested")
    title: str = Field(min_length=3, max_length=200,
                       description="Short title of the pilot, shown to city teams and citizens")
    public_summary: str = Field(default="", max_length=2000,
                                description="Plain-language summary shown to citizens")
    protocol: ProtocolDraft = Field(
        description="The evaluation protocol the startup commits to (every problem found, "
                    "rules and catalog references, comes back in one 422)")


class PilotUpdate(SQLModel):
    title: str | None = Field(default=None, min_length=3, max_length=200,
                              description="New title; omit to keep the current one")
    public_summary: str | None = Field(
        default=None, max_length=2000,
        description="New plain-language summary for citizens; omit to keep the current one")
    protocol: ProtocolDraft | None = Field(
        default=None, description="New protocol, replacing the draft one; omit to keep it")


class ApprovalPublic(SQLModel):
    authority_id: uuid.UUID = Field(description="The authority whose approval is needed")
    authority_name: str = Field(description="Name of that authority")
    protocol_version: int = Field(description="The protocol version this decision is about")
    decision: Decision = Field(
        description="pending, approved, refused or changes_requested")
    reviewer_id: uuid.UUID | None = Field(
        description="The city user who decided, or null while pending")
    reviewer_name: str | None = Field(
        default=None, description="That user's name, or null (pending, or no name given)")
    comment: str | None = Field(description="The reviewer's comment to the startup, if any")
    decided_at: datetime | None = Field(
        description="When the decision was made (ISO 8601, UTC), or null while pending")


class PilotPublic(SQLModel):
    id: uuid.UUID = Field(description="Unique identifier of the pilot")
    prototype_id: uuid.UUID = Field(description="The prototype being tested")
    organization_id: uuid.UUID = Field(description="The startup or organization running the pilot")
    title: str = Field(description="Short title of the pilot")
    public_summary: str = Field(description="Plain-language summary shown to citizens")
    status: PilotStatus = Field(
        description="Lifecycle stage: draft, submitted, approved, running, completed, evaluated…")
    protocol: Protocol = Field(description="The current evaluation protocol")
    protocol_version: int = Field(description="Version number of the current protocol, from 1")
    protocol_hash: str | None = Field(
        description="SHA-256 of the frozen protocol, or null before the first submission")
    approved_protocol_version: int | None = Field(
        description="The protocol version all authorities approved, or null if none yet")
    approvals: list[ApprovalPublic] = Field(
        default=[], description="Each owning authority's decision on the current version")
    pending_authorities: list[str] = Field(
        default=[], description="Names of the authorities that have not decided yet")
    created_at: datetime = Field(description="When the pilot was created (ISO 8601, UTC)")
    updated_at: datetime = Field(description="When the pilot last changed (ISO 8601, UTC)")
    submitted_at: datetime | None = Field(
        description="When the protocol was last submitted for approval (ISO 8601, UTC)")
    approved_at: datetime | None = Field(
        description="When all authorities approved (ISO 8601, UTC), or null")
    started_at: datetime | None = Field(
        description="When the field phase started (ISO 8601, UTC), or null")
    completed_at: datetime | None = Field(
        description="When the field phase ended (ISO 8601, UTC), or null")


class DecisionCreate(SQLModel):
    decision: Decision = Field(description="approved, refused or changes_requested")
    comment: str = Field(default="", max_length=5000,
                         description="Explanation for the startup; required unless approved")


class TransitionReason(SQLModel):
    reason: str = Field(default="", max_length=2000,
                        description="Why the pilot changes state, kept in the audit log")


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
