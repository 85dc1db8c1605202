"""Grants of scoped data access, the access log, and the measurements startups upload."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import model_validator
from sqlalchemy import JSON, BigInteger, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from lab.common import UtcDateTime, timestamp_field


def _instant(*, index: bool = False) -> datetime:
    """A required timezone-aware instant with no default."""
    return Field(sa_type=UtcDateTime, nullable=False,  # type: ignore[no-any-return]
                 index=index)


class GrantStatus(StrEnum):
    active = "active"
    expired = "expired"
    revoked = "revoked"


class ExtractStatus(StrEnum):
    pending = "pending"
    building = "building"
    ready = "ready"
    failed = "failed"
    # The grant ended: the extract is (being) deleted and nothing is issued any more.
    revoked = "revoked"
    expired = "expired"


class AccessMethod(StrEnum):
    presigned_get = "presigned_get"
    sts_credentials = "sts_credentials"
    api_download = "api_download"
    presigned_put = "presigned_put"


class Grant(SQLModel, table=True):
    """Access of one pilot, under one approved protocol version, to one dataset version."""

    __tablename__ = "sandbox_grant"
    # One grant per dataset and approved protocol version: approving twice, or two approvals
    # racing, find the row already there.
    __table_args__ = (UniqueConstraint("pilot_id", "protocol_version", "dataset_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    pilot_id: uuid.UUID = Field(foreign_key="pilot.id", index=True)
    protocol_version: int
    organization_id: uuid.UUID = Field(foreign_key="organization.id", index=True)
    dataset_id: uuid.UUID = Field(foreign_key="dataset.id", index=True)
    dataset_version_id: uuid.UUID = Field(foreign_key="dataset_version.id")
    authority_id: uuid.UUID = Field(foreign_key="authority.id", index=True)
    columns: list[str] = Field(sa_column=Column(JSON, nullable=False))
    zones: list[str] = Field(sa_column=Column(JSON, nullable=False))
    window_start: datetime = _instant()
    window_end: datetime = _instant()
    expires_at: datetime = _instant(index=True)
    status: GrantStatus = Field(default=GrantStatus.active, sa_type=String(16), index=True)
    extract_status: ExtractStatus = Field(default=ExtractStatus.pending, sa_type=String(16))
    extract_progress: float = 0.0
    extract_message: str | None = Field(default=None, max_length=500)
    extract_error: str | None = Field(default=None, max_length=2000)
    extract_rows: int | None = Field(default=None, sa_type=BigInteger)
    extract_size_bytes: int | None = Field(default=None, sa_type=BigInteger)
    extract_sha256: str | None = Field(default=None, max_length=64)
    extract_built_at: datetime | None = timestamp_field(nullable=True)
    extract_deleted_at: datetime | None = timestamp_field(nullable=True)
    job_id: uuid.UUID | None = Field(default=None, foreign_key="job.id", ondelete="SET NULL")
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                         ondelete="SET NULL")
    created_at: datetime = timestamp_field()
    ended_at: datetime | None = timestamp_field(nullable=True)
    revoked_by: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                         ondelete="SET NULL")
    revoke_reason: str | None = Field(default=None, max_length=2000)


class GrantPublic(SQLModel):
    id: uuid.UUID = Field(
        description="Unique identifier of the grant (also its folder in the sandbox bucket)")
    pilot_id: uuid.UUID = Field(description="The pilot the grant serves")
    protocol_version: int = Field(description="The approved protocol version it serves")
    dataset_id: uuid.UUID = Field(description="The granted dataset")
    dataset_version_id: uuid.UUID = Field(description="The version the extract is cut from")
    columns: list[str] = Field(description="Granted columns (time and zone always included)")
    zones: list[str] = Field(description="Granted zone codes")
    window_start: datetime = Field(description="Inclusive start of the granted time window")
    window_end: datetime = Field(description="Exclusive end of the granted time window")
    expires_at: datetime = Field(description="Nothing is issued from this instant on")
    status: GrantStatus = Field(description="active, expired or revoked")
    extract_status: ExtractStatus = Field(
        description="pending, building, ready or failed; revoked or expired once the grant "
                    "ended (the extract is deleted)")
    extract_progress: float = Field(description="How far the extract job got, 0.0 to 1.0")
    extract_message: str | None = Field(
        description="The extract job's latest step (e.g. `storing 1200 rows`, `failed`), or "
                    "null before the job starts")
    extract_error: str | None = Field(description="Why the extract failed")
    extract_rows: int | None = Field(description="Rows in the extract; null until it is ready")
    extract_size_bytes: int | None = Field(
        description="Size of the extract's Parquet object in bytes; null until it is ready")
    extract_sha256: str | None = Field(
        description="SHA-256 of the extract's Parquet object; null until it is ready")
    extract_built_at: datetime | None = Field(
        description="When the extract became ready (ISO 8601, UTC), or null")
    job_id: uuid.UUID | None = Field(
        description="The latest extract job, or null before one ran (GET /api/v1/jobs/{id} "
                    "shows it to whoever queued it and to admins)")
    created_at: datetime = Field(
        description="When the grant was made, at the protocol's approval (ISO 8601, UTC)")
    ended_at: datetime | None = Field(description="When it expired or was revoked")
    revoke_reason: str | None = Field(
        description="Why it was revoked, by a city member or by the pilot's lifecycle (e.g. "
                    "superseded by a new protocol version); shown to the startup; null unless "
                    "revoked")
    usable: bool = Field(default=False, description="Whether links and credentials are issued")
    refusal: str | None = Field(default=None, description="Why nothing is issued, if so")


class Revocation(SQLModel):
    reason: str = Field(min_length=1, max_length=2000,
                        description="Why the grant is revoked (not blank); shown to the "
                                    "startup and kept in the audit log")


class AccessEvent(SQLModel, table=True):
    """One issuance of a link or credential, or one download through the API. Append-only."""

    __tablename__ = "access_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp_field(index=True)
    # No foreign key on the actor: the record outlives the person, as in the audit log.
    actor_id: uuid.UUID | None = Field(default=None, index=True)
    actor_role: str | None = Field(default=None, max_length=16)
    pilot_id: uuid.UUID = Field(foreign_key="pilot.id", index=True)
    organization_id: uuid.UUID = Field(foreign_key="organization.id", index=True)
    grant_id: uuid.UUID | None = Field(default=None, foreign_key="sandbox_grant.id", index=True)
    authority_id: uuid.UUID | None = Field(default=None, foreign_key="authority.id", index=True)
    method: AccessMethod = Field(sa_type=String(24))
    objects: list[str] = Field(sa_column=Column(JSON, nullable=False))
    valid_until: datetime | None = timestamp_field(nullable=True)
    client_address: str = Field(default="unknown", max_length=64)
    user_agent: str = Field(default="", max_length=500)
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class AccessEventPublic(SQLModel):
    id: int = Field(description="Sequence number of the event, increasing")
    at: datetime = Field(description="When the access was issued or the download began "
                                     "(ISO 8601, UTC)")
    actor_id: uuid.UUID | None = Field(
        description="The user who received the access (kept after the account is deleted)")
    actor_role: str | None = Field(description="That user's role at the time, e.g. startup")
    pilot_id: uuid.UUID = Field(description="The pilot the access served")
    grant_id: uuid.UUID | None = Field(
        description="The grant read, or null for an upload link into the pilot's workspace")
    method: AccessMethod = Field(
        description="presigned_get (extract links), sts_credentials, api_download, or "
                    "presigned_put (measurement upload link)")
    objects: list[str] = Field(
        description="bucket/key of every object concerned (bucket/prefix* for credentials)")
    valid_until: datetime | None = Field(
        description="When the link or credential stops working; null for a download")
    client_address: str = Field(
        description="The caller's network address as the API saw it, or `unknown`")
    user_agent: str = Field(description="The caller's User-Agent header (at most 500 "
                                        "characters)")
    detail: dict[str, Any] | None = Field(
        description="Parameters of the issuance (lifetime_seconds; access_key_id and "
                    "duration_seconds; kpi), never a secret; null for a download")


class Measurement(SQLModel, table=True):
    """A validated measurement file for one KPI, stored once per content."""

    __table_args__ = (UniqueConstraint("pilot_id", "kpi", "source_sha256"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    pilot_id: uuid.UUID = Field(foreign_key="pilot.id", index=True)
    kpi: str = Field(max_length=63)
    unit: str = Field(max_length=32)
    filename: str | None = Field(default=None, max_length=255)
    source_format: str = Field(max_length=16)
    source_sha256: str = Field(max_length=64)
    object_key: str = Field(max_length=500)
    sha256: str = Field(max_length=64)
    size_bytes: int = Field(sa_type=BigInteger)
    rows: int = Field(sa_type=BigInteger)
    zones: list[str] = Field(sa_column=Column(JSON, nullable=False))
    time_min: datetime = _instant()
    time_max: datetime = _instant()
    uploaded_by: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                          ondelete="SET NULL")
    created_at: datetime = timestamp_field()
    # Withdrawn (by hand, or replaced by a newer file): kept for the record, never evaluated.
    withdrawn_at: datetime | None = timestamp_field(nullable=True)
    withdrawn_by: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                           ondelete="SET NULL")
    withdraw_reason: str | None = Field(default=None, max_length=2000)
    replaced_by: uuid.UUID | None = Field(default=None, foreign_key="measurement.id")


class MeasurementPublic(SQLModel):
    id: uuid.UUID = Field(description="Unique identifier of the measurement")
    pilot_id: uuid.UUID = Field(description="The pilot it was uploaded for")
    kpi: str = Field(description="The KPI or guardrail measured (one whose source is an upload)")
    unit: str = Field(description="Unit of the values, from the protocol")
    filename: str | None = Field(
        description="Name of the uploaded file (`<kpi>.<csv|parquet>` for a presigned upload), "
                    "or null")
    source_format: str = Field(description="csv or parquet, as uploaded")
    source_sha256: str = Field(description="SHA-256 of the uploaded file (registered once)")
    object_key: str = Field(description="Where the normalized Parquet is in `workspaces`")
    sha256: str = Field(description="SHA-256 of the stored normalized Parquet object")
    size_bytes: int = Field(description="Size of the stored normalized Parquet object, in bytes")
    rows: int = Field(description="Number of rows (measured values) in the file")
    zones: list[str] = Field(description="Zone codes present in the file, sorted")
    time_min: datetime = Field(description="Earliest measurement time (ISO 8601, UTC)")
    time_max: datetime = Field(description="Latest measurement time (ISO 8601, UTC)")
    created_at: datetime = Field(description="When the file was registered (ISO 8601, UTC)")
    status: Literal["current", "withdrawn", "replaced"] = Field(
        default="current", description="current (counted by evaluations), withdrawn, or "
                                       "replaced by a newer file (`replaced_by`)")
    withdrawn_at: datetime | None = Field(
        default=None, description="When it was withdrawn or replaced (ISO 8601, UTC), or null")
    withdraw_reason: str | None = Field(default=None, description="Why, when given")
    replaced_by: uuid.UUID | None = Field(
        default=None, description="The measurement that replaced this one, or null")

    @model_validator(mode="after")
    def _status(self) -> MeasurementPublic:
        if self.withdrawn_at is not None:
            self.status = "replaced" if self.replaced_by else "withdrawn"
        return self


class MeasurementWithdrawal(SQLModel):
    reason: str = Field(default="", max_length=2000,
                        description="Why the file is withdrawn, kept in the audit log")


__all__ = [
    "AccessEvent",
    "AccessEventPublic",
    "AccessMethod",
    "ExtractStatus",
    "Grant",
    "GrantPublic",
    "GrantStatus",
    "Measurement",
    "MeasurementPublic",
    "MeasurementWithdrawal",
    "Revocation",
]
