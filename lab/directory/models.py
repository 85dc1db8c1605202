"""Authorities (territorial governments) and organizations (startups and others)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from lab.common import timestamp_field


class AuthorityLevel(StrEnum):
    commune = "commune"
    epci = "epci"
    departement = "departement"
    region = "region"
    other = "other"


class OrganizationKind(StrEnum):
    startup = "startup"
    company = "company"
    research_lab = "research_lab"
    association = "association"


def _clean_name(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValueError("must not be blank")
    return value


class AuthorityBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    level: AuthorityLevel
    code: str = Field(min_length=1, max_length=32, description="Official code (INSEE, SIREN…)")

    _name = field_validator("name")(_clean_name)


class AuthorityCreate(AuthorityBase):
    pass


class AuthorityPublic(AuthorityBase):
    id: uuid.UUID
    created_at: datetime


class Authority(AuthorityBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str = Field(min_length=1, max_length=32, unique=True, index=True)
    level: AuthorityLevel = Field(sa_type=String(16))
    created_at: datetime = timestamp_field()


class OrganizationBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    kind: OrganizationKind = OrganizationKind.startup
    siren: str | None = Field(default=None, max_length=14)
    website: str | None = Field(default=None, max_length=300)

    _name = field_validator("name")(_clean_name)


class OrganizationCreate(OrganizationBase):
    pass


class OrganizationPublic(OrganizationBase):
    id: uuid.UUID
    created_at: datetime


class Organization(OrganizationBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(min_length=1, max_length=200, unique=True)
    kind: OrganizationKind = Field(default=OrganizationKind.startup, sa_type=String(16))
    created_at: datetime = timestamp_field()


__all__ = [
    "Authority",
    "AuthorityCreate",
    "AuthorityLevel",
    "AuthorityPublic",
    "Organization",
    "OrganizationCreate",
    "OrganizationKind",
    "OrganizationPublic",
]
