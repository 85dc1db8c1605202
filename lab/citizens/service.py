"""Testers: sign-up, pseudonymous registration, profile; consent texts and enrollment.

The audit log is append-only and outlives people, so what it records about testers carries
no personal data: ids and kinds, never an email, a name or a code.
"""

from __future__ import annotations

import math
import uuid
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from lab.audit import service as audit
from lab.auth import security
from lab.auth import service as auth
from lab.auth.models import Role, User
from lab.citizens import codes
from lab.citizens.access import load_pilot, require_concerned
from lab.citizens.models import (
    ConsentCreate,
    ConsentText,
    Enrollment,
    ProfileUpdate,
    PseudonymousCreate,
    SignUp,
    SignupWindow,
    Tester,
    TesterKind,
)
from lab.common import get_or_create, utcnow
from lab.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied, TooManyRequests
from lab.pilots.models import PilotStatus
from lab.settings import LabSettings

CONSENT_OPEN = frozenset({PilotStatus.submitted, PilotStatus.approved, PilotStatus.running})


def _throttle_signup(session: Session, settings: LabSettings, client: str) -> None:
    key, now = f"signup:{client}", utcnow()
    window = timedelta(minutes=settings.signup_window_minutes)
    row = get_or_create(session, SignupWindow, key, key=key, count=0, window_started_at=now)
    if now - row.window_started_at > window:
        row.count, row.window_started_at = 0, now
    if row.count >= settings.signup_rate_limit:
        retry = row.window_started_at + window - now
        raise TooManyRequests("Too many sign-ups from this address; try again later.",
                              retry_after=max(1, math.ceil(retry.total_seconds())))
    row.count += 1
    session.add(row)


def _unique_pseudonym(session: Session) -> str:
    for _ in range(20):
        candidate = codes.new_pseudonym()
        if session.exec(select(Tester.id).where(Tester.pseudonym == candidate)).first() is None:
            return candidate
    raise Conflict("Could not allocate a pseudonym; try again.")  # 32^6 makes this theoretical


def sign_up(*, session: Session, settings: LabSettings, data: SignUp, client: str) -> Tester:
    """A citizen creates an account; its tester id is its user id."""
    _throttle_signup(session, settings, client)
    session.commit()  # the attempt counts even if the sign-up is refused below
    auth.require_free_email(session=session, email=data.email, taken="An account with this "
                            "email already exists; log in instead.")
    user = User(email=data.email, role=Role.citizen, full_name="",
                hashed_password=security.hash_password(data.password))
    session.add(user)
    session.flush()
    tester = Tester(id=user.id, kind=TesterKind.web, user_id=user.id,
                    pseudonym=_unique_pseudonym(session), name=data.name,
                    age_band=data.age_band, digital_comfort=data.digital_comfort)
    session.add(tester)
    audit.record(session=session, actor=user, action="tester.sign_up", object_type="tester",
                 object_id=tester.id, after={"kind": "web"})
    try:
        session.commit()
    except IntegrityError as exc:  # the same email signed up concurrently
        session.rollback()
        raise Conflict("An account with this email already exists; log in instead.",
                       field="email") from exc
    session.refresh(tester)
    return tester


def register_pseudonymous(*, session: Session, actor: User,
                          data: PseudonymousCreate) -> tuple[Tester, str]:
    """A mediator registers a person without email; returns the tester and its code."""
    if actor.role != Role.mediator:
        raise PermissionDenied("Only mediators register pseudonymous testers.")
    for _ in range(5):
        code = codes.new_code()
        stored = codes.digest(code)
        if session.exec(select(Tester.id).where(
                col(Tester.code_digest).in_(codes.lookup_digests(code)))).first() is None:
            break
    else:  # 5 draws of 50 bits all taken: never expected, refused rather than a 500
        raise Conflict("No free tester code could be drawn; please try again.")
    tester = Tester(kind=TesterKind.pseudonymous, pseudonym=_unique_pseudonym(session),
                    name=data.name, age_band=data.age_band,
                    digital_comfort=data.digital_comfort, code_digest=stored,
                    registered_by=actor.id, authority_id=actor.authority_id)
    session.add(tester)
    session.flush()
    audit.record(session=session, actor=actor, action="tester.register", object_type="tester",
                 object_id=tester.id,
                 after={"kind": "pseudonymous", "authority_id": actor.authority_id})
    session.commit()
    session.refresh(tester)
    return tester, code


def tester_by_code(*, session: Session, actor: User, code: str) -> Tester:
    """The pseudonymous tester holding this code (mediators only)."""
    if actor.role != Role.mediator:
        raise PermissionDenied("Only mediators act for a tester by code.")
    tester = session.exec(select(Tester).where(
        col(Tester.code_digest).in_(codes.lookup_digests(code)))).first()
    if tester is None:
        raise NotFound("No tester has this code; check it with the person.", field="code")
    return tester


def own_tester(*, session: Session, actor: User) -> Tester:
    """The citizen's own tester profile."""
    if actor.role != Role.citizen:
        raise PermissionDenied("Only citizens have a tester profile.")
    tester = session.get(Tester, actor.id)
    if tester is None:
        raise NotFound("No tester profile for this account.")
    return tester


def update_profile(*, session: Session, actor: User, tester: Tester,
                   data: ProfileUpdate) -> Tester:
    """Change the optional bands and name of a profile (only the fields sent)."""
    changed = sorted(data.model_fields_set - {"clear_name"})
    for field in changed:
        if field != "name" or data.name is not None:
            setattr(tester, field, getattr(data, field))
    if data.clear_name:
        tester.name = None
    session.add(tester)
    audit.record(session=session, actor=actor, action="tester.update", object_type="tester",
                 object_id=tester.id, after={"fields": changed})
    session.commit()
    session.refresh(tester)
    return tester


def current_consent(session: Session, pilot_id: uuid.UUID) -> ConsentText | None:
    """The latest consent text version of a pilot."""
    return session.exec(select(ConsentText).where(ConsentText.pilot_id == pilot_id)
                        .order_by(col(ConsentText.version).desc())).first()


def publish_consent(*, session: Session, actor: User, pilot_id: uuid.UUID,
                    data: ConsentCreate) -> ConsentText:
    """A city member of an authority concerned publishes a new consent text version."""
    pilot = load_pilot(session, pilot_id)
    require_concerned(session, actor, pilot_id, Role.city)
    if pilot.status not in CONSENT_OPEN:
        raise Conflict(f"A {pilot.status} pilot takes no new consent text.", field="status")
    latest = session.exec(select(func.max(ConsentText.version))
                          .where(ConsentText.pilot_id == pilot_id)).one()
    text = ConsentText(pilot_id=pilot_id, version=(latest or 0) + 1, created_by=actor.id,
                       **data.model_dump())
    session.add(text)
    audit.record(session=session, actor=actor, action="consent.publish", object_type="pilot",
                 object_id=pilot_id, after={"version": text.version})
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("Another version was published at the same time; try again.") from exc
    session.refresh(text)
    return text


def enroll(*, session: Session, actor: User, tester: Tester, pilot_id: uuid.UUID,
           consent_version: int) -> Enrollment:
    """The tester accepts the pilot's current consent text (again, after a withdrawal).

    A mediator records it only for a pilot that concerns the mediator's authority.
    """
    pilot = load_pilot(session, pilot_id)
    if actor.role == Role.mediator:
        require_concerned(session, actor, pilot_id, Role.mediator)
    if pilot.status != PilotStatus.running:
        raise Conflict("Testers enroll while the pilot is running; this one is "
                       f"{pilot.status}.", field="status")
    consent = current_consent(session, pilot_id)
    if consent is None:
        raise Conflict("This pilot has no consent text yet; enrollment is not open.")
    if consent_version != consent.version:
        raise InvalidInput(f"The current consent text is version {consent.version}; read and "
                           "accept that one.", field="consent_version")
    enrollment = session.exec(select(Enrollment).where(
        Enrollment.tester_id == tester.id, Enrollment.pilot_id == pilot_id)).first()
    if enrollment is None:
        enrollment = Enrollment(tester_id=tester.id, pilot_id=pilot_id,
                                consent_version=consent.version)
    elif enrollment.withdrawn_at is None and enrollment.consent_version == consent.version:
        return enrollment
    enrollment.consent_version, enrollment.accepted_at = consent.version, utcnow()
    enrollment.withdrawn_at = None
    enrollment.recorded_by = actor.id if actor.id != tester.id else None
    session.add(enrollment)
    audit.record(session=session, actor=actor, action="enrollment.accept",
                 object_type="tester", object_id=tester.id,
                 after={"pilot_id": pilot_id, "consent_version": consent.version})
    session.commit()
    session.refresh(enrollment)
    return enrollment


def withdraw(*, session: Session, actor: User, tester: Tester,
             pilot_id: uuid.UUID) -> Enrollment:
    """The tester withdraws consent: no new feedback is accepted from now on.

    A mediator records it for a pilot that concerns the mediator's authority, or for a tester
    that authority registered (the person's own counter takes a withdrawal for any pilot).
    """
    if actor.role == Role.mediator and not (
            actor.authority_id is not None and actor.authority_id == tester.authority_id):
        load_pilot(session, pilot_id)
        require_concerned(session, actor, pilot_id, Role.mediator)
    enrollment = session.exec(select(Enrollment).where(
        Enrollment.tester_id == tester.id, Enrollment.pilot_id == pilot_id)).first()
    if enrollment is None:
        raise NotFound("You are not enrolled in this pilot.")
    if enrollment.withdrawn_at is None:
        enrollment.withdrawn_at = utcnow()
        session.add(enrollment)
        audit.record(session=session, actor=actor, action="enrollment.withdraw",
                     object_type="tester", object_id=tester.id, after={"pilot_id": pilot_id})
        session.commit()
        session.refresh(enrollment)
    return enrollment


__all__ = ["CONSENT_OPEN", "current_consent", "enroll", "own_tester", "publish_consent",
           "register_pseudonymous", "sign_up", "tester_by_code", "update_profile", "withdraw"]
