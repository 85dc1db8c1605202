"""Feedback rows, the closing question's answers, the city's published outcome; the bodies."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StrictInt, field_validator
from pydantic import Field as PField
from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from lab.common import timestamp_field
from lab.pilots.protocol import SLUG, ZONE

MAX_PHOTO_BYTES = 5 * 1024 * 1024
# Base64 grows data by 4/3; anything longer cannot decode to 5 MB.
_MAX_PHOTO_BASE64 = (MAX_PHOTO_BYTES + 2) // 3 * 4 + 4
MAX_FREE_TEXT = 2000
SUS_LENGTH = 10


class Channel(StrEnum):
    web = "web"
    phone = "phone"
    counter = "counter"
    paper = "paper"
    mediator = "mediator"
    street = "street"  # the quick page behind a pilot's QR code, without an account


MediatedChannel = Literal["phone", "counter", "paper", "mediator"]


class KeepChoice(StrEnum):
    yes = "yes"
    no = "no"
    unsure = "unsure"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Point(_Strict):
    lon: float = PField(ge=-180, le=180, description="Longitude in degrees, WGS 84 (-180 to 180)")
    lat: float = PField(ge=-90, le=90, description="Latitude in degrees, WGS 84 (-90 to 90)")


Likert = Annotated[StrictInt, PField(ge=1, le=5)]
SusItem = Annotated[StrictInt, PField(ge=1, le=5)]


class Submission(_Strict):
    """Answers to a pilot's questionnaire (validated again against the questionnaire)."""

    likert: dict[Annotated[str, PField(pattern=SLUG)], Likert] = PField(
        default_factory=dict, description="Likert item id → 1..5 (every item is required)")
    nps: Annotated[StrictInt, PField(ge=0, le=10)] | None = PField(
        default=None, description="0..10; required when the questionnaire asks it")
    sus: list[SusItem] | None = PField(
        default=None, description="The ten SUS items in order, each 1..5; all ten or none")
    free_text: dict[Annotated[str, PField(pattern=SLUG)],
                    Annotated[str, PField(max_length=MAX_FREE_TEXT)]] = PField(
        default_factory=dict, description="Free-text question id → answer (optional)")
    zone: Annotated[str, PField(pattern=ZONE)] | None = PField(
        default=None, description="One of the pilot's zone codes")
    point: Point | None = PField(
        default=None, description="Optional place the answer is about (longitude, latitude)")
    photo: Annotated[str, PField(max_length=_MAX_PHOTO_BASE64)] | None = PField(
        default=None, description="Base64 of a JPEG or PNG, at most 5 MB; metadata is removed")

    @field_validator("sus")
    @classmethod
    def _all_or_none(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and len(value) != SUS_LENGTH:
            raise ValueError(f"answer all ten SUS items or none (got {len(value)})")
        return value

    @field_validator("free_text")
    @classmethod
    def _drop_blank(cls, value: dict[str, str]) -> dict[str, str]:
        return {k: v.strip() for k, v in value.items() if v.strip()}


class MediatedSubmission(Submission):
    """Feedback a mediator records: how it came in, and for whom (a code) or anonymous."""

    channel: MediatedChannel = PField(
        description="How the person answered: phone, counter, paper or mediator (in person)")
    tester_code: str | None = PField(default=None, min_length=4, max_length=32,
                                     description="The pseudonymous tester's code; none: "
                                                 "anonymous")
    place_id: uuid.UUID | None = PField(default=None, description=(
        "The place of the mediator's authority where it was collected (GET /places), if any"))
    collected_on: date | None = PField(default=None, description=(
        "The day the person answered (a paper form entered later), not in the future and not "
        "more than 90 days ago; omitted: today"))

    @field_validator("collected_on")
    @classmethod
    def _not_future(cls, value: date | None) -> date | None:
        if value is not None:
            today = datetime.now(UTC).date()
            if value > today:
                raise ValueError("the collection day cannot be in the future")
            if value < today - timedelta(days=90):
                raise ValueError("the collection day is more than 90 days ago")
        return value


class FeedbackReceipt(SQLModel):
    id: uuid.UUID = Field(description="Unique identifier of the stored answer")
    pilot_id: uuid.UUID = Field(description="The pilot the answer is about")
    protocol_version: int = Field(
        description="The protocol version the pilot was running when the answer was stored")
    channel: Channel = Field(
        description="web (the tester online), phone, counter, paper or mediator (recorded "
                    "by a mediator), or street (the quick page behind the pilot's QR code)")
    likert: dict[str, int] = Field(
        description="Likert item id → 1 (strongly disagree) to 5 (strongly agree)")
    nps: int | None = Field(
        description="Recommendation score 0..10, or null when the questionnaire does not ask it")
    sus: list[int] | None = Field(
        description="The ten SUS answers in order, each 1..5, or null when not given")
    free_text: dict[str, str] = Field(
        description="Free-text question id → answer, trimmed (blank answers are dropped)")
    zone: str | None = Field(description="The pilot's zone code the answer is about, or null")
    point: Point | None = Field(
        description="The place the answer is about (longitude, latitude in WGS 84), or null")
    has_photo: bool = Field(description="Whether a photo (metadata removed) was stored with it")
    submitted_at: datetime = Field(description="When the answer was stored (ISO 8601, UTC)")
    collected_on: date | None = Field(
        default=None, description="The day a mediator says the person answered, when given")


class FeedbackIndividual(FeedbackReceipt):
    """One answer as city members see it: under the tester's pseudonym."""

    tester: str | None = PField(description="Pseudonym; none for anonymous feedback")
    place_id: uuid.UUID | None = Field(
        default=None, description="The place where a mediator collected it, if recorded")
    recorded_by: uuid.UUID | None = Field(
        description="The user who stored it: the tester's own account for web answers, the "
                    "mediator otherwise; null if that account was deleted")
    photo_key: str | None = Field(
        description="Key of the photo in the attachments bucket "
                    "(`<pilot>/<feedback>/photo.jpg` or `.png`), or null; read it at "
                    "GET …/feedback/{feedback_id}/photo")


class Feedback(SQLModel, table=True):
    """One questionnaire answered, once (the idempotency key makes retries harmless)."""

    __table_args__ = (UniqueConstraint("pilot_id", "idem_scope", "idempotency_key"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    pilot_id: uuid.UUID = Field(foreign_key="pilot.id")
    protocol_version: int
    tester_id: uuid.UUID | None = Field(default=None, foreign_key="tester.id", index=True,
                                        ondelete="CASCADE")
    channel: Channel = Field(sa_type=String(16))
    recorded_by: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                          ondelete="SET NULL")
    # Whose keys these are: the tester, or the recorder of anonymous feedback.
    idem_scope: uuid.UUID | None = None
    idempotency_key: str | None = Field(default=None, max_length=100)
    request_hash: str = Field(max_length=64)
    likert: dict[str, int] = Field(sa_column=Column(JSON, nullable=False))
    nps: int | None = None
    sus: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    free_text: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    zone_code: str | None = Field(default=None, max_length=64)
    lon: float | None = None
    lat: float | None = None
    photo_key: str | None = Field(default=None, max_length=300)
    photo_sha256: str | None = Field(default=None, max_length=64)
    submitted_at: datetime = timestamp_field()
    collected_on: date | None = None
    place_id: uuid.UUID | None = Field(default=None, foreign_key="place.id", ondelete="SET NULL")


class KeepBody(_Strict):
    answer: KeepChoice = PField(description="Should the city keep it? yes, no or unsure")


class MediatedKeepBody(KeepBody):
    tester_code: str = PField(min_length=4, max_length=32,
                              description="The code of the pseudonymous tester who answers")
    channel: MediatedChannel = PField(
        description="How the person answered: phone, counter, paper or mediator (in person)")


class KeepAnswerPublic(SQLModel):
    pilot_id: uuid.UUID = Field(description="The ended pilot the answer is about")
    answer: KeepChoice = Field(description="Should the city keep it? yes, no or unsure")
    answered_at: datetime = Field(
        description="When the answer was given or last changed (ISO 8601, UTC)")


class KeepAnswer(SQLModel, table=True):
    """A tester's answer, once the pilot ended, to "should the city keep it?"."""

    __tablename__ = "keep_answer"
    __table_args__ = (UniqueConstraint("pilot_id", "tester_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    pilot_id: uuid.UUID = Field(foreign_key="pilot.id")
    tester_id: uuid.UUID = Field(foreign_key="tester.id", index=True, ondelete="CASCADE")
    answer: KeepChoice = Field(sa_type=String(8))
    channel: Channel = Field(sa_type=String(16))
    recorded_by: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                          ondelete="SET NULL")
    answered_at: datetime = timestamp_field()


class OutcomeCreate(_Strict):
    summary_fr: str = PField(min_length=20, max_length=10_000,
                             description="What testers will read about the ended pilot, in "
                                         "French (20 to 10,000 characters)")
    summary_en: str = PField(min_length=20, max_length=10_000,
                             description="The same summary in English (20 to 10,000 "
                                         "characters)")
    decision: Literal["kept", "stopped", "extended", "undecided"] = PField(
        default="undecided", description="What the city decided: kept, stopped, extended or "
                                         "undecided (the default)")


class OutcomePublic(SQLModel):
    pilot_id: uuid.UUID = Field(description="The ended pilot")
    summary_fr: str = Field(description="What testers read about the ended pilot, in French")
    summary_en: str = Field(description="The same summary in English")
    decision: str = Field(description="What the city decided: kept, stopped, extended or "
                                      "undecided")
    published_at: datetime = Field(
        description="When the summary was published or last edited (ISO 8601, UTC)")


class PilotOutcome(SQLModel, table=True):
    """What the city tells testers once a pilot ended (one per pilot, replaced if edited)."""

    __tablename__ = "pilot_outcome"

    pilot_id: uuid.UUID = Field(foreign_key="pilot.id", primary_key=True)
    summary_fr: str = Field(max_length=10_000)
    summary_en: str = Field(max_length=10_000)
    decision: str = Field(max_length=16)
    published_by: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                           ondelete="SET NULL")
    published_at: datetime = timestamp_field()


Summary = dict[str, Any]

__all__ = [
    "Channel",
    "Feedback",
    "FeedbackIndividual",
    "FeedbackReceipt",
    "KeepAnswer",
    "KeepAnswerPublic",
    "KeepBody",
    "KeepChoice",
    "MAX_FREE_TEXT",
    "MAX_PHOTO_BYTES",
    "MediatedChannel",
    "MediatedKeepBody",
    "MediatedSubmission",
    "OutcomeCreate",
    "OutcomePublic",
    "PilotOutcome",
    "Point",
    "SUS_LENGTH",
    "Submission",
    "Summary",
]
