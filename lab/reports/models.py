"""A problem report on a pilot's asset, its route and its status."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PField
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from lab.common import timestamp_field
from lab.feedback.models import MAX_PHOTO_BYTES, Point

_MAX_PHOTO_BASE64 = (MAX_PHOTO_BYTES + 2) // 3 * 4 + 4


class ReportKind(StrEnum):
    broken = "broken"
    not_working = "not_working"
    too_dim = "too_dim"
    too_bright = "too_bright"
    dangerous = "dangerous"
    dirty = "dirty"
    noise = "noise"
    other = "other"


class ReportStatus(StrEnum):
    received = "received"
    in_progress = "in_progress"
    solved = "solved"


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pilot_id: uuid.UUID = PField(description="The pilot whose asset has a problem")
    asset_id: uuid.UUID = PField(description="The asset (picked on the map or from the QR code)")
    kind: ReportKind = PField(description="broken, not_working, too_dim, too_bright, "
                                          "dangerous, dirty, noise or other")
    description: str = PField(min_length=3, max_length=2000, description=(
        "What is wrong (emails and phone numbers are removed)"))
    point: Point | None = PField(default=None, description="Where, if known (WGS 84)")
    photo: Annotated[str, PField(max_length=_MAX_PHOTO_BASE64)] | None = PField(
        default=None, description="Base64 of a JPEG or PNG, at most 5 MB; metadata is removed")


class ReportReceipt(BaseModel):
    receipt: str = PField(description="Code to follow the report (GET /public/reports/{code})")
    status: ReportStatus = PField(description="received")
    authority_name: str = PField(description="The authority it was sent to")
    created_at: datetime = PField(description="When it was received (ISO 8601, UTC)")


class ReportFollow(BaseModel):
    receipt: str = PField(description="The receipt code")
    kind: ReportKind = PField(description="The kind of problem reported")
    status: ReportStatus = PField(description="received, in_progress or solved")
    pilot_title: str = PField(description="The pilot concerned")
    asset_name: str = PField(description="The asset concerned")
    authority_name: str = PField(description="The authority handling it now")
    rerouted: bool = PField(description="Whether it was passed on to another authority")
    note: str | None = PField(description="The handler's latest note, if any")
    created_at: datetime = PField(description="When it was received (ISO 8601, UTC)")
    updated_at: datetime = PField(description="When its status last changed")
    solved_at: datetime | None = PField(description="When it was solved, or null")


class ReportPublic(BaseModel):
    id: uuid.UUID = PField(description="Unique identifier of the report")
    receipt: str = PField(description="The reporter's receipt code")
    pilot_id: uuid.UUID = PField(description="The pilot")
    asset_id: uuid.UUID = PField(description="The asset")
    authority_id: uuid.UUID = PField(description="The authority handling it now")
    organization_id: uuid.UUID = PField(description="The organization running the pilot")
    kind: ReportKind = PField(description="The kind of problem")
    description: str = PField(description="What is wrong (personal data removed)")
    point: Point | None = PField(description="Where, if given")
    has_photo: bool = PField(description="Whether a photo came with it (GET …/photo)")
    status: ReportStatus = PField(description="received, in_progress or solved")
    note: str | None = PField(description="The handler's latest note")
    rerouted: int = PField(description="How many times it was passed on")
    created_at: datetime = PField(description="When it was received")
    updated_at: datetime = PField(description="When it last changed")
    solved_at: datetime | None = PField(description="When it was solved, or null")


class StatusChange(BaseModel):
    status: Literal["received", "in_progress", "solved"] = PField(
        description="The new status (solved may be reopened to in_progress)")
    note: str = PField(default="", max_length=2000,
                       description="A note the reporter can read with the receipt code")


class NotOurs(BaseModel):
    authority_id: uuid.UUID = PField(description="The authority that owns the problem")
    reason: str = PField(min_length=3, max_length=2000,
                         description="Why it is not yours (kept in the audit log)")


class ReportableAsset(BaseModel):
    id: uuid.UUID = PField(description="The asset")
    kind: str = PField(description="streetlight, sensor, bus_stop…")
    name: str = PField(description="Its name")
    geometry: dict[str, Any] = PField(description="GeoJSON geometry, WGS 84 (for the map)")
    authority_name: str = PField(description="The authority that owns it (gets the reports)")


class ProblemReport(SQLModel, table=True):
    __tablename__ = "problem_report"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    receipt: str = Field(max_length=16, unique=True, index=True)
    pilot_id: uuid.UUID = Field(foreign_key="pilot.id", index=True)
    asset_id: uuid.UUID = Field(foreign_key="asset.id")
    authority_id: uuid.UUID = Field(foreign_key="authority.id", index=True)
    organization_id: uuid.UUID = Field(foreign_key="organization.id", index=True)
    kind: ReportKind = Field(sa_type=String(24))
    description: str = Field(max_length=2000)
    lon: float | None = None
    lat: float | None = None
    photo_key: str | None = Field(default=None, max_length=300)
    status: ReportStatus = Field(default=ReportStatus.received, sa_type=String(16))
    note: str | None = Field(default=None, max_length=2000)
    rerouted: int = 0
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    solved_at: datetime | None = timestamp_field(nullable=True)


__all__ = ["NotOurs", "ProblemReport", "ReportCreate", "ReportFollow", "ReportKind",
           "ReportPublic", "ReportReceipt", "ReportableAsset", "ReportStatus", "StatusChange"]
