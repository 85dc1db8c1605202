"""Prototypes: what a startup brings to the field."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import EmailStr
from sqlmodel import Field, SQLModel

from lab.common import timestamp_field


class PrototypeBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    domain: str = Field(min_length=1, max_length=64,
                        description="Subject area: mobility, energy, lighting, waste…")
    readiness_level: int = Field(ge=1, le=9, description="Technology readiness level, 1 to 9")
    description: str = Field(default="", max_length=10_000)
    contact_name: str = Field(min_length=1, max_length=200)
    contact_email: EmailStr = Field(max_length=254)


class PrototypeCreate(PrototypeBase):
    pass


class PrototypeUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    domain: str | None = Field(default=None, min_length=1, max_length=64)
    readiness_level: int | None = Field(default=None, ge=1, le=9)
    description: str | None = Field(default=None, max_length=10_000)
    contact_name: str | None = Field(default=None, min_length=1, max_length=200)
    contact_email: EmailStr | None = Field(default=None, max_length=254)


class PrototypePublic(PrototypeBase):
    id: uuid.UUID
    organization_id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class Prototype(PrototypeBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(foreign_key="organization.id", index=True)
    contact_email: str = Field(max_length=254)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


__all__ = ["Prototype", "PrototypeCreate", "PrototypePublic", "PrototypeUpdate"]
