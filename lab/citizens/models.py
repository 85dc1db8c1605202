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

from lab.auth.emails import normalize_email
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

    age_band: AgeBand | None = Field(
        default=None, description="Optional age band (under_18, 18_29, … 75_plus); feedback "
                                  "aggregates may be broken down by it")
    digital_comfort: DigitalComfort | None = Field(
        default=None, description="Optional comfort with digital tools (at_ease, somewhat or "
                                  "not_at_ease); feedback aggregates may be broken down by it")


class SignUp(Bands):
    email: EmailStr = Field(max_length=254,
                            description="Email to log in with (stored lower-case); one account "
                                        "per address")
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=256,
                          description="Password, at least 10 characters")
    name: str | None = Field(default=None, max_length=100,
                             description="Optional; never shown to startups")

    @field_validator("email", mode="before")
    @classmethod
    def _normal(cls, value: object) -> object:
        return normalize_email(value) if isinstance(value, str) else value

    _name = field_validator("name")(_clean_name)


class PseudonymousCreate(Bands):
    name: str | None = Field(default=None, max_length=100,
                             description="Optional first name the person wishes to give")

    _name = field_validator("name")(_clean_name)


class TesterPublic(Bands):
    id: uuid.UUID = Field(
        description="Unique identifier of the tester (for a web tester, also its user id)")
    kind: TesterKind = Field(
        description="web (own account) or pseudonymous (registered by a mediator, no account)")
    pseudonym: str = Field(
        description="`T-` and 6 characters: what city members see instead of any identity")
    name: str | None = Field(
        description="The optional name the person gave, or null; never shown to startups")
    created_at: datetime = Field(description="When the tester was registered (ISO 8601, UTC)")


class PseudonymousCreated(TesterPublic):
    code: str = Field(description="The code the person keeps (`XXXXX-XXXXX`); shown only in "
                                  "this response, stored only as a hash")


class CodeBody(SQLModel):
    code: str = Field(min_length=4, max_length=32,
                      description="The tester's code, as on their paper (case, spaces and "
                                  "dashes do not matter)")


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
    # scrypt digest of the pseudonymous tester's code (lab.citizens.codes): looked up, never
    # stored in clear.
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
    text_fr: str = Field(min_length=20, max_length=20_000,
                         description="The consent text testers read and accept, in French "
                                     "(20 to 20,000 characters)")
    text_en: str = Field(min_length=20, max_length=20_000,
                         description="The same consent text in English (20 to 20,000 "
                                     "characters)")
    instructions_fr: str = Field(default="", max_length=2000,
                                 description="Practical instructions in French: what testers "
                                             "will be asked to do, and where and when to take "
                                             "part in person (desk, hours, phone)")
    instructions_en: str = Field(default="", max_length=2000,
                                 description="The same practical instructions, in English")


class ConsentPublic(ConsentCreate):
    pilot_id: uuid.UUID = Field(description="The pilot this consent text belongs to")
    version: int = Field(description="Version of the text, from 1; testers enroll by accepting "
                                     "the latest one")
    created_at: datetime = Field(description="When this version was published (ISO 8601, UTC)")


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
    pilot_id: uuid.UUID = Field(description="The running pilot the person consents to join")


class MediatedWithdrawal(CodeBody):
    pilot_id: uuid.UUID = Field(description="The pilot the person withdraws consent from")


class ProfileUpdate(Bands):
    age_band: AgeBand | None = Field(
        default=None, description="New age band; null removes it, omit to keep the current one")
    digital_comfort: DigitalComfort | None = Field(
        default=None,
        description="New digital comfort band; null removes it, omit to keep the current one")
    name: str | None = Field(default=None, max_length=100,
                             description="New name; null or omitted keeps the current one "
                                         "(use clear_name to remove it)")
    clear_name: bool = Field(default=False,
                             description="True removes the name (and ignores `name`)")

    _name = field_validator("name")(_clean_name)


class Erasure(SQLModel):
    confirm: bool = Field(description="Must be true: erasure cannot be undone")


class MediatedErasure(CodeBody, Erasure):
    pass


class EnrollmentState(SQLModel):
    pilot_id: uuid.UUID = Field(description="The pilot")
    consent_version: int = Field(description="The consent text version the tester accepted")
    accepted_at: datetime = Field(
        description="When consent was last given (ISO 8601, UTC)")
    withdrawn_at: datetime | None = Field(
        description="When consent was withdrawn (ISO 8601, UTC), or null while it stands")


class EnrollmentPublic(SQLModel):
    pilot_id: uuid.UUID = Field(description="The pilot")
    pilot_title: str = Field(description="Short title of the pilot")
    pilot_status: str = Field(
        description="The pilot's lifecycle stage: running, completed, evaluated…")
    consent_version: int = Field(description="The consent text version the tester accepted")
    consent_current: bool = Field(description="False when a newer consent text exists")
    accepted_at: datetime = Field(description="When consent was last given (ISO 8601, UTC)")
    withdrawn_at: datetime | None = Field(
        description="When consent was withdrawn (ISO 8601, UTC), or null while it stands")
    can_give_feedback: bool = Field(
        description="True while consent stands and the pilot is running")
    can_answer_keep_question: bool = Field(
        description="True while consent stands and the pilot has ended (completed or "
                    "evaluated)")
    keep_answer: str | None = Field(
        description="The tester's answer to the closing question, should the city keep it: "
                    "yes, no or unsure; null if not answered")
    outcome: dict[str, object] | None = Field(
        default=None, description="The summary the city published once the pilot ended "
                                  "(summary_fr, summary_en, decision, published_at…), or null "
                                  "until then")


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
