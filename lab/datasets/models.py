"""Datasets (metadata, owned by an authority) and their immutable versions."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from lab.common import UtcDateTime, timestamp_field

COLUMN_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,62}$"
# SQLModel's own `regex=` is not enforced under pydantic 2: the pattern goes through here.
_COLUMN_NAME: dict[str, Any] = {"pattern": COLUMN_PATTERN}


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
    name: str = Field(min_length=1, max_length=200, description="Name shown in the catalog")
    domain: str = Field(min_length=1, max_length=64,
                        description="Subject area: mobility, energy, air, parking…")
    sensitivity: Sensitivity = Field(description="open, restricted or personal")
    licence: str = Field(min_length=1, max_length=100, description="e.g. Licence Ouverte 2.0")
    description: str = Field(default="", max_length=5000,
                             description="What the data measures, where, how it is collected")
    time_column: str = Field(max_length=63, schema_extra=_COLUMN_NAME,
                             description="Name of the timestamp column")
    zone_column: str = Field(max_length=63, schema_extra=_COLUMN_NAME,
                             description="Name of the column holding zone codes")


class DatasetCreate(DatasetBase):
    authority_id: uuid.UUID | None = Field(
        default=None, description="Owning authority (defaults to the creator's)")


class DatasetUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=200,
                             description="New catalog name; omit to keep the current one")
    domain: str | None = Field(default=None, min_length=1, max_length=64,
                               description="New subject area; omit to keep the current one")
    sensitivity: Sensitivity | None = Field(
        default=None, description="New sensitivity (open, restricted or personal); omit to keep it")
    licence: str | None = Field(default=None, min_length=1, max_length=100,
                                description="New licence; omit to keep the current one")
    description: str | None = Field(default=None, max_length=5000,
                                    description="New description of the data; omit to keep it")
    time_column: str | None = Field(default=None, max_length=63, schema_extra=_COLUMN_NAME,
                                    description="Changeable only before the first upload")
    zone_column: str | None = Field(default=None, max_length=63, schema_extra=_COLUMN_NAME,
                                    description="Changeable only before the first upload")


class DatasetPublic(DatasetBase):
    id: uuid.UUID = Field(description="Unique identifier of the dataset")
    authority_id: uuid.UUID = Field(description="The owning authority")
    created_at: datetime = Field(description="When the dataset was created (ISO 8601, UTC)")
    updated_at: datetime = Field(description="When the metadata last changed (ISO 8601, UTC)")


class Dataset(DatasetBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    authority_id: uuid.UUID = Field(foreign_key="authority.id", index=True)
    sensitivity: Sensitivity = Field(sa_type=String(16))
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                         ondelete="SET NULL")
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class ColumnInfo(SQLModel):
    name: str = Field(description="Column name as stored in the Parquet file")
    dtype: str = Field(description="Polars data type of the stored column")
    numeric: bool = Field(description="Whether a KPI may aggregate this column")


class DatasetVersionPublic(SQLModel):
    id: uuid.UUID = Field(description="The version's id (also its folder in the bucket)")
    dataset_id: uuid.UUID = Field(description="The dataset this version belongs to")
    number: int = Field(description="1, 2, … within the dataset")
    status: VersionStatus = Field(
        description="pending or processing while the conversion job runs, then ready; "
                    "failed only when a failed conversion could not remove its objects")
    source_filename: str | None = Field(description="Name of the uploaded file")
    source_format: str | None = Field(description="csv or parquet, judged by the bytes")
    source_size_bytes: int | None = Field(description="Size of the uploaded file")
    source_sha256: str | None = Field(description="SHA-256 of the uploaded file")
    row_count: int | None = Field(description="Rows in the stored Parquet")
    size_bytes: int | None = Field(description="Size of the stored Parquet object")
    sha256: str | None = Field(description="SHA-256 of the stored Parquet object")
    columns: list[ColumnInfo] | None = Field(description="Schema of the stored Parquet")
    time_min: datetime | None = Field(description="Earliest value of the time column (UTC)")
    time_max: datetime | None = Field(description="Latest value of the time column (UTC)")
    zones: list[str] | None = Field(description="Zone codes present, sorted")
    error: str | None = Field(description="Why the conversion failed, when it did")
    job_id: uuid.UUID | None = Field(description="The conversion job (GET /api/v1/jobs/{id})")
    created_at: datetime = Field(description="When the file was uploaded (ISO 8601, UTC)")


class VersionPreview(SQLModel):
    version_id: uuid.UUID = Field(description="The previewed dataset version")
    number: int = Field(description="The version's number within its dataset")
    columns: list[ColumnInfo] = Field(description="Schema of the stored Parquet")
    rows: list[dict[str, Any]] = Field(description="The first rows, sorted by zone then time")


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
    source_size_bytes: int | None = Field(default=None, sa_type=BigInteger)
    source_sha256: str | None = Field(default=None, max_length=64)
    columns: list[dict[str, Any]] | None = Field(default=None,
                                                 sa_column=Column(JSON, nullable=True))
    time_min: datetime | None = Field(default=None, sa_type=UtcDateTime)
    time_max: datetime | None = Field(default=None, sa_type=UtcDateTime)
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
    "VersionPreview",
    "VersionStatus",
]
