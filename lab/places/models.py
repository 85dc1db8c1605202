"""Places of an authority where a mediator receives people, and the pilots handled there."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import field_validator
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from lab.common import timestamp_field


class PlaceKind(StrEnum):
    front_desk = "front_desk"
    france_services = "france_services"
    tiers_lieu = "tiers_lieu"
    library = "library"
    town_hall = "town_hall"
    other = "other"


def _text(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValueError("must not be blank")
    return value


class PlaceBase(SQLModel):
    kind: PlaceKind = Field(description="front_desk, france_services, tiers_lieu, library, "
                                        "town_hall or other")
    name: str = Field(min_length=1, max_length=200, description="Name of the place")
    address: str = Field(min_length=1, max_length=500, description="Postal address")
    opening_hours: str = Field(default="", max_length=1000,
                               description="Opening hours in plain words (e.g. Mon–Fri 9–12)")
    phone: str | None = Field(default=None, max_length=40, description="Phone number, if any")
    lon: float = Field(ge=-180, le=180, description="Longitude, WGS 84")
    lat: float = Field(ge=-90, le=90, description="Latitude, WGS 84")


class PlaceCreate(PlaceBase):
    pilot_ids: list[uuid.UUID] = Field(default_factory=list, description=(
        "Pilots handled there (each must concern the place's authority)"))

    _name = field_validator("name", "address")(_text)


class PlaceUpdate(SQLModel):
    kind: PlaceKind | None = Field(default=None, description="New kind; omit to keep it")
    name: str | None = Field(default=None, min_length=1, max_length=200,
                             description="New name; omit to keep it")
    address: str | None = Field(default=None, min_length=1, max_length=500,
                                description="New address; omit to keep it")
    opening_hours: str | None = Field(default=None, max_length=1000,
                                      description="New opening hours; omit to keep them")
    phone: str | None = Field(default=None, max_length=40,
                              description="New phone number; omit to keep it")
    lon: float | None = Field(default=None, ge=-180, le=180, description="New longitude")
    lat: float | None = Field(default=None, ge=-90, le=90, description="New latitude")
    pilot_ids: list[uuid.UUID] | None = Field(
        default=None, description="The pilots handled there, replacing the list; omit to keep")


class PlacePublic(PlaceBase):
    id: uuid.UUID = Field(description="Unique identifier of the place")
    authority_id: uuid.UUID = Field(description="The authority the place belongs to")
    authority_name: str = Field(description="Name of that authority")
    geometry: dict[str, Any] = Field(description="GeoJSON Point (longitude, latitude)")
    pilot_ids: list[uuid.UUID] = Field(description="Pilots handled there")
    updated_at: datetime = Field(description="When the place last changed (ISO 8601, UTC)")


class Place(PlaceBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    authority_id: uuid.UUID = Field(foreign_key="authority.id", index=True)
    kind: PlaceKind = Field(sa_type=String(24))
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class PlacePilot(SQLModel, table=True):
    __tablename__ = "place_pilot"

    place_id: uuid.UUID = Field(foreign_key="place.id", primary_key=True, ondelete="CASCADE")
    pilot_id: uuid.UUID = Field(foreign_key="pilot.id", primary_key=True, index=True)


__all__ = ["Place", "PlaceCreate", "PlaceKind", "PlacePilot", "PlacePublic", "PlaceUpdate"]
