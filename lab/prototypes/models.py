"""Prototypes: what a startup brings to the field."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import EmailStr
from sqlmodel import Field, SQLModel

from lab.common import PatchModel, timestamp_field


class PrototypeBase(SQLModel):
    name: str = Field(min_length=1, max_length=200,
                      description="Name of the product or service being tested")
    domain: str = Field(min_length=1, max_length=64,
                        description="Subject area: mobility, energy, lighting, waste…")
    readiness_level: int = Field(ge=1, le=9, description="Technology readiness level, 1 to 9")
    description: str = Field(default="", max_length=10_000,
                             description="What the prototype does and how it is deployed")
    contact_name: str = Field(min_length=1, max_length=200,
                              description="Person the city team can reach about the prototype")
    contact_email: EmailStr = Field(max_length=254, description="Email address of that contact")


class PrototypeCreate(PrototypeBase):
    pass


class PrototypeUpdate(PatchModel):
    name: str | None = Field(default=None, min_length=1, max_length=200,
                             description="New name; omit to keep the current one")
    domain: str | None = Field(default=None, min_length=1, max_length=64,
                               description="New subject area; omit to keep the current one")
    readiness_level: int | None = Field(
        default=None, ge=1, le=9,
        description="New technology readiness level, 1 to 9; omit to keep the current one")
    description: str | None = Field(default=None, max_length=10_000,
                                    description="New description; omit to keep the current one")
    contact_name: str | None = Field(default=None, min_length=1, max_length=200,
                                     description="New contact person; omit to keep the current one")
    contact_email: EmailStr | None = Field(
        default=None, max_length=254, description="New contact email; omit to keep the current one")


class PrototypePublic(PrototypeBase):
    id: uuid.UUID = Field(description="Unique identifier of the prototype")
    organization_id: uuid.UUID = Field(description="The startup or organization that owns it")
    created_at: datetime = Field(description="When the prototype was created (ISO 8601, UTC)")
    updated_at: datetime = Field(description="When it was last changed (ISO 8601, UTC)")


class Prototype(PrototypeBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(foreign_key="organization.id", index=True)
    contact_email: str = Field(max_length=254)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


__all__ = ["Prototype", "PrototypeCreate", "PrototypePublic", "PrototypeUpdate"]
