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
    name: str = Field(min_length=1, max_length=200,
                      description="Official name of the authority, e.g. Ville de Lyon")
    level: AuthorityLevel = Field(
        description="Tier of government: commune, epci, departement, region or other")
    code: str = Field(min_length=1, max_length=32, description="Official code (INSEE, SIREN…)")
    phone: str | None = Field(
        default=None, max_length=32,
        description="Phone number of the front desk, printed on pilot posters for people "
                    "without a smartphone; null if none")

    _name = field_validator("name")(_clean_name)


class AuthorityCreate(AuthorityBase):
    pass


class AuthorityPublic(AuthorityBase):
    id: uuid.UUID = Field(description="Unique identifier of the authority")
    created_at: datetime = Field(description="When the authority was registered (ISO 8601, UTC)")


class Authority(AuthorityBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str = Field(min_length=1, max_length=32, unique=True, index=True)
    level: AuthorityLevel = Field(sa_type=String(16))
    created_at: datetime = timestamp_field()


class OrganizationBase(SQLModel):
    name: str = Field(min_length=1, max_length=200,
                      description="Name of the organization, unique on the platform")
    kind: OrganizationKind = Field(
        default=OrganizationKind.startup,
        description="startup, company, research_lab or association")
    siren: str | None = Field(default=None, max_length=14,
                              description="French company number (SIREN or SIRET), if any")
    website: str | None = Field(default=None, max_length=300,
                                description="Public website address, if any")

    _name = field_validator("name")(_clean_name)


class OrganizationCreate(OrganizationBase):
    pass


class OrganizationPublic(OrganizationBase):
    id: uuid.UUID = Field(description="Unique identifier of the organization")
    created_at: datetime = Field(
        description="When the organization was registered (ISO 8601, UTC)")


class Organization(OrganizationBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(min_length=1, max_length=200, unique=True)
    kind: OrganizationKind = Field(default=OrganizationKind.startup, sa_type=String(16))
    created_at: datetime = timestamp_field()
    # The public directory entry, edited by the organization (lab.annuaire).
    description: str = Field(default="", max_length=5000)
    contact_email: str | None = Field(default=None, max_length=254)
    show_contact: bool = False


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
