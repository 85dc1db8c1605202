"""Assets: pieces of infrastructure a pilot may use."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import field_validator
from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from lab.common import PatchModel, timestamp_field
from lab.geo import validate_geometry


class AssetKind(StrEnum):
    streetlight = "streetlight"
    parking_zone = "parking_zone"
    bus_line = "bus_line"
    bus_stop = "bus_stop"
    sensor = "sensor"
    building = "building"
    ev_charger = "ev_charger"
    bike_lane = "bike_lane"
    other = "other"


class AssetBase(SQLModel):
    kind: AssetKind = Field(description="Type of infrastructure, e.g. streetlight or bus_stop")
    name: str = Field(min_length=1, max_length=200,
                      description="Human-readable name of the asset")
    external_ref: str | None = Field(default=None, max_length=100,
                                     description="The city's own identifier")
    zone_code: str | None = Field(default=None, max_length=64,
                                  description="Code of the zone the asset lies in")
    geometry: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False),
                                     description="GeoJSON geometry in WGS84")
    attributes: dict[str, Any] = Field(default_factory=dict,
                                       sa_column=Column(JSON, nullable=False),
                                       description="Free attributes (power, capacity…)")


class AssetCreate(AssetBase):
    authority_id: uuid.UUID | None = Field(
        default=None, description="Owning authority (defaults to the creator's)")

    # On what comes in only: an asset stored under older rules still reads back.
    @field_validator("geometry")
    @classmethod
    def _geometry(cls, value: dict[str, Any]) -> dict[str, Any]:
        return validate_geometry(value)


class AssetUpdate(PatchModel):
    nullable = frozenset({"external_ref", "zone_code"})

    name: str | None = Field(default=None, min_length=1, max_length=200,
                             description="New name; omit to keep the current one")
    external_ref: str | None = Field(default=None, max_length=100,
                                     description="New city identifier; null removes it, omit "
                                                 "to keep it")
    zone_code: str | None = Field(default=None, max_length=64,
                                  description="Code of the new zone; null takes the asset out "
                                              "of any zone, omit to keep the current one")
    geometry: dict[str, Any] | None = Field(
        default=None, description="New GeoJSON geometry in WGS84; omit to keep the current one")
    attributes: dict[str, Any] | None = Field(
        default=None, description="New free attributes, replacing the old ones; omit to keep them")

    @field_validator("geometry")
    @classmethod
    def _geometry(cls, value: dict[str, Any]) -> dict[str, Any]:
        return validate_geometry(value)


class AssetPublic(AssetBase):
    id: uuid.UUID = Field(description="Unique identifier of the asset")
    authority_id: uuid.UUID = Field(description="The owning authority")
    created_at: datetime = Field(description="When the asset was created (ISO 8601, UTC)")
    updated_at: datetime = Field(description="When the asset was last changed (ISO 8601, UTC)")


class Asset(AssetBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: AssetKind = Field(sa_type=String(16), index=True)
    authority_id: uuid.UUID = Field(foreign_key="authority.id", index=True)
    zone_code: str | None = Field(default=None, foreign_key="zone.code", index=True)
    geometry: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    attributes: dict[str, Any] = Field(default_factory=dict,
                                       sa_column=Column(JSON, nullable=False))
    min_lon: float = Field(index=True)
    min_lat: float = Field(index=True)
    max_lon: float
    max_lat: float
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


__all__ = ["Asset", "AssetCreate", "AssetKind", "AssetPublic", "AssetUpdate"]
