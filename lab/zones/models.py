"""Zones: named areas of the territory that pilots treat or use as controls."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import field_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from lab.common import PatchModel, timestamp_field
from lab.geo import AREA_TYPES, validate_geometry

ZONE_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class ZoneBase(SQLModel):
    code: str = Field(max_length=64, regex=ZONE_CODE_PATTERN,
                      description="Short code that pilots and datasets use (e.g. `Z-07`)")
    name: str = Field(min_length=1, max_length=200,
                      description="Human-readable name of the zone, e.g. a neighbourhood")
    authority_id: uuid.UUID = Field(description="The owning authority")
    geometry: dict[str, Any] = Field(
        sa_column=Column(JSON, nullable=False),
        description="GeoJSON Polygon or MultiPolygon in WGS84",
    )


class ZoneCreate(ZoneBase):
    authority_id: uuid.UUID | None = Field(  # type: ignore[assignment]
        default=None, description="Owning authority (defaults to the creator's)")

    # On what comes in only: a zone stored under older rules still reads back.
    @field_validator("geometry")
    @classmethod
    def _geometry(cls, value: dict[str, Any]) -> dict[str, Any]:
        return validate_geometry(value, allowed=AREA_TYPES)


class ZoneUpdate(PatchModel):
    name: str | None = Field(default=None, min_length=1, max_length=200,
                             description="New human-readable name; omit to keep the current one")
    geometry: dict[str, Any] | None = Field(
        default=None,
        description="New GeoJSON Polygon or MultiPolygon in WGS84; omit to keep the current one")

    @field_validator("geometry")
    @classmethod
    def _geometry(cls, value: dict[str, Any]) -> dict[str, Any]:
        return validate_geometry(value, allowed=AREA_TYPES)


class ZonePublic(ZoneBase):
    id: uuid.UUID = Field(description="Unique identifier of the zone")
    created_at: datetime = Field(description="When the zone was created (ISO 8601, UTC)")


class PublicZone(SQLModel):
    """What anyone may read of a zone: district boundaries are public information."""

    code: str = Field(description="Short code of the zone")
    name: str = Field(description="Human-readable name of the zone, e.g. a neighbourhood")
    authority: str = Field(description="Name of the authority that owns the zone")
    geometry: dict[str, Any] = Field(description="GeoJSON Polygon or MultiPolygon, in WGS84")


class Zone(ZoneBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    authority_id: uuid.UUID = Field(foreign_key="authority.id", index=True)
    geometry: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    created_at: datetime = timestamp_field()


__all__ = ["ZONE_CODE_PATTERN", "PublicZone", "Zone", "ZoneCreate", "ZonePublic", "ZoneUpdate"]
