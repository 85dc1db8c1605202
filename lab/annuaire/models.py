"""A directory entry as its organization edits it, and as the public reads it."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, EmailStr, HttpUrl, field_validator
from sqlmodel import Field, SQLModel

from lab.directory.models import OrganizationKind


class EntryUpdate(SQLModel):
    description: str | None = Field(default=None, max_length=5000,
                                    description="What the organization does; omit to keep it")
    website: HttpUrl | None = Field(default=None,
                                    description="Public website (http or https); omit to keep")
    contact_email: EmailStr | None = Field(default=None, max_length=254,
                                           description="Contact address; omit to keep it")
    show_contact: bool | None = Field(default=None, description="Whether the contact address "
                                                                "is shown publicly; omit to keep")

    @field_validator("website")
    @classmethod
    def _short(cls, value: HttpUrl | None) -> HttpUrl | None:
        if value is not None and len(str(value)) > 300:
            raise ValueError("at most 300 characters")
        return value


class Entry(BaseModel):
    id: uuid.UUID = Field(description="The organization")
    name: str = Field(description="Its name")
    kind: OrganizationKind = Field(description="startup, company, research_lab or association")
    description: str = Field(description="What it does, in its own words")
    website: str | None = Field(description="Its website, if any")
    contact_email: str | None = Field(description="Its contact address, if any")
    show_contact: bool = Field(description="Whether the contact address is public")


class DirectoryResult(BaseModel):
    recommendation: str = Field(description="scale_up, iterate or stop")
    summary_en: str = Field(description="The primary effect in plain words, in English")
    summary_fr: str = Field(description="The primary effect in plain words, in French")
    url: str = Field(description="API path of the full public results")


class DirectoryPilot(BaseModel):
    id: uuid.UUID = Field(description="The pilot")
    title: str = Field(description="Its title")
    summary: str = Field(description="Plain-language summary")
    status: str = Field(description="running, completed or evaluated")
    results: DirectoryResult | None = Field(description="Its published results, or null")


class DirectoryPrototype(BaseModel):
    id: uuid.UUID = Field(description="The prototype")
    name: str = Field(description="Its name")
    domain: str = Field(description="mobility, energy, environment, lighting…")
    readiness_level: int = Field(description="Technology readiness level, 1 to 9")
    description: str = Field(description="What it does")
    pilots: list[DirectoryPilot] = Field(description="Its pilots in the field or finished")


class DirectoryOrganization(BaseModel):
    id: uuid.UUID = Field(description="The organization")
    name: str = Field(description="Its name")
    kind: OrganizationKind = Field(description="startup, company, research_lab or association")
    description: str = Field(description="What it does, in its own words")
    website: str | None = Field(description="Its website, if any")
    contact_email: str | None = Field(description="Its contact address, only if it chose to "
                                                  "show it")
    domains: list[str] = Field(description="Domains of its prototypes listed here")
    prototypes: list[DirectoryPrototype] = Field(description="Its prototypes, by domain")


__all__ = ["DirectoryOrganization", "DirectoryPilot", "DirectoryPrototype", "DirectoryResult",
           "Entry", "EntryUpdate"]
