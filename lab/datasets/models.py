"""Datasets (metadata, owned by an authority) and their immutable versions."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from lab.common import timestamp_field

COLUMN_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,62}$"


class Sensitivity(StrEnum):
    open = "open"
    restricted = "restricted"
    personal = "personal"


class VersionStatus(StrEnum):
    pending = "pending"
    processing = "processing"
    ready = "ready"
    failed = "failed"


class DatasetBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    domain: str = Field(min_length=1, max_length=64,
                        description="Subject area: mobility, energy, air, parking…")
    sensitivity: Sensitivity = Field(description="open, restricted or personal")
    licence: str = Field(min_length=1, max_length=100, description="e.g. Licence Ouverte 2.0")
    description: str = Field(default="", max_length=5000)
    time_column: str = Field(max_length=63, regex=COLUMN_PATTERN,
                             description="Name of the timestamp column")
    zone_column: str = Field(max_length=63, regex=COLUMN_PATTERN,
                             description="Name of the column holding zone codes")


class DatasetCreate(DatasetBase):
    authority_id: uuid.UUID | None = Field(
        default=None, description="Owning authority (defaults to the creator's)")


class DatasetUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    domain: str | None = Field(default=None, min_length=1, max_length=64)
    sensitivity: Sensitivity | None = None
    licence: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=5000)


class DatasetPublic(DatasetBase):
    id: uuid.UUID
    authority_id: uuid.UUID
    created_at: datetime


class Dataset(DatasetBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    authority_id: uuid.UUID = Field(foreign_key="authority.id", index=True)
    sensitivity: Sensitivity = Field(sa_type=String(16))
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                         ondelete="SET NULL")
    created_at: datetime = timestamp_field()


class ColumnInfo(SQLModel):
    name: str
    dtype: str
    numeric: bool


class DatasetVersionPublic(SQLModel):
    id: uuid.UUID
    dataset_id: uuid.UUID
    number: int
    status: VersionStatus
    source_filename: str | None
    source_format: str | None
    row_count: int | None
    size_bytes: int | None
    sha256: str | None
    columns: list[ColumnInfo] | None
    time_min: datetime | None
    time_max: datetime | None
    zones: list[str] | None
    error: str | None
    job_id: uuid.UUID | None
    created_at: datetime


class DatasetVersion(SQLModel, table=True):
    __tablename__ = "dataset_version"
    __table_args__ = (UniqueConstraint("dataset_id", "number"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dataset_id: uuid.UUID = Field(foreign_key="dataset.id", index=True)
    number: int
    status: VersionStatus = Field(default=VersionStatus.pending, sa_type=String(16))
    source_filename: str | None = Field(default=None, max_length=255)
    source_format: str | None = Field(default=None, max_length=16)
    object_key: str | None = Field(default=None, max_length=500)
    row_count: int | None = Field(default=None, sa_type=BigInteger)
    size_bytes: int | None = Field(default=None, sa_type=BigInteger)
    sha256: str | None = Field(default=None, max_length=64)
    source_sha256: str | None = Field(default=None, max_length=64)
    columns: list[dict[str, Any]] | None = Field(default=None,
                                                 sa_column=Column(JSON, nullable=True))
    time_min: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    time_max: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    zones: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    error: str | None = Field(default=None, max_length=2000)
    job_id: uuid.UUID | None = Field(default=None, foreign_key="job.id", ondelete="SET NULL")
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                         ondelete="SET NULL")
    created_at: datetime = timestamp_field()


__all__ = [
    "COLUMN_PATTERN",
    "ColumnInfo",
    "Dataset",
    "DatasetCreate",
    "DatasetPublic",
    "DatasetUpdate",
    "DatasetVersion",
    "DatasetVersionPublic",
    "Sensitivity",
    "VersionStatus",
]
