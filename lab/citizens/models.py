"""Testers (web or pseudonymous), the consent texts of pilots and enrollments.

A web tester signs up with an email and a password: it is a `citizen` user, and its tester
id *is* its user id (so a request's token names the tester without a lookup). A pseudonymous
tester is registered by a mediator: no account, no email, only a short code the person keeps
on paper; a mediator uses it to record feedback, consent or erasure on the person's behalf.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import EmailStr, field_validator
from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from lab.auth.models import MIN_PASSWORD_LENGTH
from lab.common import timestamp_field


class AgeBand(StrEnum):
    under_18 = "under_18"
    a18_29 = "18_29"
    a30_44 = "30_44"
    a45_59 = "45_59"
    a60_74 = "60_74"
    a75_plus = "75_plus"


class DigitalComfort(StrEnum):
    at_ease = "at_ease"
    somewhat = "somewhat"
    not_at_ease = "not_at_ease"


class TesterKind(StrEnum):
    web = "web"
    pseudonymous = "pseudonymous"


def _clean_name(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


class Bands(SQLModel):
    """Optional demographic bands, for representativeness; never required."""

    age_band: AgeBand | None = None
    digital_comfort: DigitalComfort | None = None


class SignUp(Bands):
    email: EmailStr = Field(max_length=254)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=256)
    name: str | None = Field(default=None, max_length=100,
                             description="Optional; never shown to startups")

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()

    _name = field_validator("name")(_clean_name)


class PseudonymousCreate(Bands):
    name: str | None = Field(default=None, max_length=100,
                             description="Optional first name the person wishes to give")

    _name = field_validator("name")(_clean_name)


class TesterPublic(Bands):
    id: uuid.UUID
    kind: TesterKind
    pseudonym: str
    name: str | None
    created_at: datetime


class PseudonymousCreated(TesterPublic):
    code: str = Field(description="The code the person keeps; shown only in this response")


class CodeBody(SQLModel):
    code: str = Field(min_length=4, max_length=32, description="The tester's code")


class Tester(Bands, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: TesterKind = Field(sa_type=String(16))
    # Web testers: the citizen account (same id). Pseudonymous testers: none.
    user_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", unique=True,
                                      ondelete="CASCADE")
    pseudonym: str = Field(max_length=16, unique=True)
    name: str | None = Field(default=None, max_length=100)
    age_band: AgeBand | None = Field(default=None, sa_type=String(16))
    digital_comfort: DigitalComfort | None = Field(default=None, sa_type=String(16))
    # HMAC of the pseudonymous tester's code: looked up, never stored in clear.
    code_digest: str | None = Field(default=None, max_length=64, unique=True)
    registered_by: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                            ondelete="SET NULL")
    authority_id: uuid.UUID | None = Field(default=None, foreign_key="authority.id")
    created_at: datetime = timestamp_field()


class SignupWindow(SQLModel, table=True):
    """Sign-ups per client address in a fixed window (the public route's rate limit)."""

    __tablename__ = "signup_window"

    key: str = Field(primary_key=True, max_length=300)
    count: int = 0
    window_started_at: datetime = timestamp_field()


class ConsentCreate(SQLModel):
    text_fr: str = Field(min_length=20, max_length=20_000)
    text_en: str = Field(min_length=20, max_length=20_000)
    instructions_fr: str = Field(default="", max_length=2000,
                                 description="What testers will be asked to do")
    instructions_en: str = Field(default="", max_length=2000)


class ConsentPublic(ConsentCreate):
    pilot_id: uuid.UUID
    version: int
    created_at: datetime


class ConsentText(SQLModel, table=True):
    """One version of a pilot's consent text; never changed, superseded by a new version."""

    __tablename__ = "consent_text"
    __table_args__ = (UniqueConstraint("pilot_id", "version"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    pilot_id: uuid.UUID = Field(foreign_key="pilot.id", index=True)
    version: int
    text_fr: str = Field(max_length=20_000)
    text_en: str = Field(max_length=20_000)
    instructions_fr: str = Field(default="", max_length=2000)
    instructions_en: str = Field(default="", max_length=2000)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                         ondelete="SET NULL")
    created_at: datetime = timestamp_field()


class EnrollmentCreate(SQLModel):
    consent_version: int = Field(ge=1, description="The version of the text the tester read")


class MediatedEnrollment(CodeBody, EnrollmentCreate):
    pilot_id: uuid.UUID


class MediatedWithdrawal(CodeBody):
    pilot_id: uuid.UUID


class ProfileUpdate(Bands):
    name: str | None = Field(default=None, max_length=100,
                             description="Send null with clear_name to remove it")
    clear_name: bool = False

    _name = field_validator("name")(_clean_name)


class Erasure(SQLModel):
    confirm: bool = Field(description="Must be true: erasure cannot be undone")


class MediatedErasure(CodeBody, Erasure):
    pass


class EnrollmentState(SQLModel):
    pilot_id: uuid.UUID
    consent_version: int
    accepted_at: datetime
    withdrawn_at: datetime | None


class EnrollmentPublic(SQLModel):
    pilot_id: uuid.UUID
    pilot_title: str
    pilot_status: str
    consent_version: int
    consent_current: bool = Field(description="False when a newer consent text exists")
    accepted_at: datetime
    withdrawn_at: datetime | None
    can_give_feedback: bool
    can_answer_keep_question: bool
    keep_answer: str | None
    outcome: dict[str, object] | None = Field(
        default=None, description="The summary the city published once the pilot ended")


class Enrollment(SQLModel, table=True):
    """A tester in a pilot: which consent version, when; withdrawn or not."""

    __table_args__ = (UniqueConstraint("tester_id", "pilot_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tester_id: uuid.UUID = Field(foreign_key="tester.id", ondelete="CASCADE")
    pilot_id: uuid.UUID = Field(foreign_key="pilot.id", index=True)
    consent_version: int
    accepted_at: datetime = timestamp_field()
    withdrawn_at: datetime | None = timestamp_field(nullable=True)
    recorded_by: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                          ondelete="SET NULL")
    # The per-tester submission limit: a fixed window kept on the row the submission
    # already has to read (one UPDATE checks consent and counts).
    rate_window_started_at: datetime | None = timestamp_field(nullable=True)
    rate_count: int = 0


__all__ = [
    "AgeBand",
    "Bands",
    "CodeBody",
    "ConsentCreate",
    "ConsentPublic",
    "ConsentText",
    "DigitalComfort",
    "Enrollment",
    "EnrollmentCreate",
    "EnrollmentPublic",
    "EnrollmentState",
    "Erasure",
    "MediatedErasure",
    "MediatedWithdrawal",
    "ProfileUpdate",
    "MediatedEnrollment",
    "PseudonymousCreate",
    "PseudonymousCreated",
    "SignUp",
    "SignupWindow",
    "Tester",
    "TesterKind",
    "TesterPublic",
]
