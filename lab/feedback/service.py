"""Submitting feedback, on the web or through a mediator: validated, idempotent, one transaction.

The path is kept lean because testers send in bursts (a street event, a paper batch typed in):
one UPDATE checks that the pilot runs and the tester's consent stands and counts the tester's
rate (returning the protocol's version and hash: the questionnaire is parsed once per frozen
protocol), one Core INSERT, one commit — all in one transaction. The idempotency lookup is
the unique index (pilot, scope, key): a retry's INSERT fails on it, and the IntegrityError is
caught and answered with the stored row, which also settles races between concurrent twins.

Idempotency: the same key with the same body answers 201 the first time and 200 afterwards,
with the same body; the same key with another body is a 409. The key's scope is the tester
(or, for anonymous mediated feedback, the recording mediator).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import DateTime, Integer, Uuid, bindparam, case, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from lab.auth.models import Role, User
from lab.citizens import service as citizens
from lab.citizens.access import require_concerned
from lab.citizens.models import Enrollment
from lab.common import as_utc, utcnow
from lab.exceptions import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyRequests,
)
from lab.feedback import photos, questionnaire
from lab.feedback.models import Channel, Feedback, MediatedSubmission, Submission
from lab.feedback.views import receipt_fields
from lab.pilots.models import Pilot, PilotStatus
from lab.places import service as places
from lab.settings import LabSettings

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:\-]{8,100}$")


@dataclass(frozen=True)
class Outcome:
    receipt: dict[str, Any]
    created: bool


@dataclass(frozen=True)
class _Who:
    tester_id: uuid.UUID | None
    scope: uuid.UUID
    channel: Channel
    recorded_by: uuid.UUID | None
    unverified: bool = False  # a token's user, not yet checked active (see _admission)
    generation: int = 0  # the token's generation, checked with the account (unverified)


def check_key(key: str | None) -> str:
    """The Idempotency-Key header, required, 8–100 safe characters (a UUID is ideal)."""
    if key is None:
        raise InvalidInput("Send an Idempotency-Key header (a fresh UUID per submission, "
                           "reused when you retry it).", field="Idempotency-Key")
    if not IDEMPOTENCY_KEY.match(key):
        raise InvalidInput("The Idempotency-Key must be 8 to 100 letters, digits or _ . : -",
                           field="Idempotency-Key")
    return key


def _request_hash(data: Submission) -> str:
    body = data.model_dump(mode="json", exclude={"photo", "tester_code"})
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    if data.photo is not None:
        digest.update(b"|photo|" + hashlib.sha256(data.photo.encode()).digest())
    return digest.hexdigest()


def _stored(session: Session, pilot_id: uuid.UUID, scope: uuid.UUID, key: str,
            request_hash: str) -> Feedback | None:
    found = session.exec(select(Feedback).where(
        Feedback.pilot_id == pilot_id, Feedback.idem_scope == scope,
        Feedback.idempotency_key == key)).first()
    if found is not None and found.request_hash != request_hash:
        raise Conflict("This Idempotency-Key was already used for a different submission; "
                       "use a new key for new answers.", field="Idempotency-Key")
    return found


_ENROLLMENT: Any = Enrollment.__table__  # type: ignore[attr-defined]
_PILOT: Any = Pilot.__table__  # type: ignore[attr-defined]
_FEEDBACK: Any = Feedback.__table__  # type: ignore[attr-defined]
_USER: Any = User.__table__  # type: ignore[attr-defined]


def _admission(*, active_citizen: bool = False) -> Any:
    """The UPDATE of `_admit_tester`, built once (only its parameters change).

    With `active_citizen`, the tester must also be an active citizen account: the web path
    then authenticates a token without a separate user lookup (one round trip less).
    """
    e, p, u = _ENROLLMENT, _PILOT, _USER
    started = e.c.rate_window_started_at
    fresh = or_(started.is_(None), started <= bindparam("cutoff", type_=DateTime(timezone=True)))
    pilot = bindparam("pilot", type_=Uuid())
    tester = bindparam("tester", type_=Uuid())
    conditions = [e.c.tester_id == tester, e.c.pilot_id == pilot, e.c.withdrawn_at.is_(None),
                  select(p.c.id).where(p.c.id == pilot,
                                       p.c.status == PilotStatus.running.value).exists()]
    if active_citizen:
        conditions.append(select(u.c.id).where(
            u.c.id == tester, u.c.is_active.is_(True), u.c.role == Role.citizen.value,
            u.c.token_generation == bindparam("generation", type_=Integer())).exists())
    return (
        update(e)
        .where(*conditions)
        .values(rate_count=case((fresh, 1), else_=e.c.rate_count + 1),
                rate_window_started_at=case(
                    (fresh, bindparam("now", type_=DateTime(timezone=True))), else_=started))
        .returning(e.c.rate_count, started,
                   select(p.c.protocol_version).where(p.c.id == pilot).scalar_subquery(),
                   select(p.c.protocol_hash).where(p.c.id == pilot).scalar_subquery()))


_ADMIT = _admission()
_ADMIT_ACTIVE_CITIZEN = _admission(active_citizen=True)
_INSERT = _FEEDBACK.insert()
_COLUMNS = tuple(_FEEDBACK.columns.keys())


def _admit_tester(session: Session, settings: LabSettings, tester_id: uuid.UUID,
                  pilot_id: uuid.UUID, *, check_account: bool = False,
                  generation: int = 0) -> tuple[int, str | None]:
    """One UPDATE checks the pilot runs and the consent stands, and counts the tester's rate
    (its row lock orders the tester's concurrent requests); returns the protocol's version
    and hash."""
    now = utcnow()
    window = timedelta(minutes=settings.feedback_window_minutes)
    statement = _ADMIT_ACTIVE_CITIZEN if check_account else _ADMIT
    params = {"tester": tester_id, "pilot": pilot_id, "now": now, "cutoff": now - window}
    if check_account:
        params["generation"] = generation
    row = session.connection().execute(statement, params).first()
    if row is None:
        if check_account:
            account = session.exec(select(User.is_active, User.role, User.token_generation)
                                   .where(User.id == tester_id)).first()
            if account is None or not account[0] or account[2] != generation:
                raise NotAuthenticated("Invalid or expired token; log in again.")
            if account[1] != Role.citizen:
                raise PermissionDenied("Only testers answer on the web; mediators record "
                                       "feedback at /pilots/{id}/feedback/mediated.")
        _running(session, pilot_id)  # raises when the pilot is the reason
        enrolled = session.exec(select(Enrollment.withdrawn_at).where(
            Enrollment.tester_id == tester_id, Enrollment.pilot_id == pilot_id)).first()
        if enrolled is None:
            raise PermissionDenied("Enroll in this pilot (accept its consent text) before "
                                   "giving feedback.")
        raise PermissionDenied("Consent to this pilot was withdrawn: no new feedback is "
                               "accepted. Enroll again to take part.")
    count, started_at, version, digest = row
    if count > settings.feedback_rate_limit:
        retry = as_utc(started_at) + window - now
        raise TooManyRequests(
            f"At most {settings.feedback_rate_limit} submissions per "
            f"{settings.feedback_window_minutes} minutes for one pilot; try again later.",
            retry_after=max(1, math.ceil(retry.total_seconds())))
    return version, digest


def _running(session: Session, pilot_id: uuid.UUID) -> tuple[int, str | None]:
    head = session.exec(select(Pilot.status, Pilot.protocol_version, Pilot.protocol_hash)
                        .where(Pilot.id == pilot_id)).first()
    if head is None:
        raise NotFound("No such pilot.")
    status, version, digest = head
    if status != PilotStatus.running:
        raise Conflict(f"This pilot is {status}: feedback is accepted only while it runs.",
                       field="status")
    return version, digest


def _questionnaire(session: Session, pilot_id: uuid.UUID,
                   digest: str | None) -> questionnaire.Parsed:
    found = questionnaire.cached(pilot_id, digest)
    if found is None:
        protocol = session.exec(select(Pilot.protocol).where(Pilot.id == pilot_id)).one()
        found = questionnaire.parse(pilot_id, digest, dict(protocol))
    return found


def _replay(session: Session, pilot_id: uuid.UUID, who: _Who, key: str,
            request_hash: str) -> Outcome | None:
    session.rollback()
    stored = _stored(session, pilot_id, who.scope, key, request_hash)
    return Outcome(receipt_fields(stored), False) if stored is not None else None


def _submit(*, session: Session, settings: LabSettings, storage: Any, pilot_id: uuid.UUID,
            data: Submission, key: str, who: _Who) -> Outcome:
    # Optimistic: a first submission (the common case) reads nothing before its INSERT; a
    # retry is recognised by the unique constraint, or before a refusal that a stored
    # answer would make moot (consent withdrawn or rate reached since it was stored).
    request_hash = _request_hash(data)
    if session.get_bind().dialect.name == "sqlite":
        # End the read transaction authentication opened: a SQLite reader whose snapshot is
        # older than another writer's commit cannot become a writer (it fails at once,
        # without waiting), while a fresh transaction waits its turn.
        session.commit()
    try:
        if who.tester_id is not None:
            version, digest = _admit_tester(session, settings, who.tester_id, pilot_id,
                                            check_account=who.unverified,
                                            generation=who.generation)
        else:
            version, digest = _running(session, pilot_id)
    except (PermissionDenied, TooManyRequests, Conflict):
        if (replayed := _replay(session, pilot_id, who, key, request_hash)) is not None:
            return replayed
        raise
    asked, zones = _questionnaire(session, pilot_id, digest)
    questionnaire.check(data, asked, zones)
    photo = photos.clean(photos.decode(data.photo)) if data.photo is not None else None
    feedback = Feedback(
        pilot_id=pilot_id, protocol_version=version, tester_id=who.tester_id,
        channel=who.channel, recorded_by=who.recorded_by, idem_scope=who.scope,
        idempotency_key=key, request_hash=request_hash, likert=dict(data.likert),
        nps=data.nps, sus=list(data.sus) if data.sus is not None else None,
        free_text=dict(data.free_text), zone_code=data.zone,
        lon=data.point.lon if data.point else None, lat=data.point.lat if data.point else None,
        place_id=getattr(data, "place_id", None), collected_on=getattr(data, "collected_on", None))
    if photo is not None:
        feedback.photo_key = photos.key_for(pilot_id, feedback.id, photo.extension)
        feedback.photo_sha256 = photo.original_sha256
    try:
        # Core INSERT: the row is never read back, so the unit of work has nothing to do.
        session.connection().execute(_INSERT, {c: getattr(feedback, c) for c in _COLUMNS})
    except IntegrityError:
        # The same key was stored before, or by a concurrent twin that won the race.
        if (replayed := _replay(session, pilot_id, who, key, request_hash)) is not None:
            return replayed
        raise
    if photo is not None and feedback.photo_key is not None:
        try:
            photos.store(storage, feedback.photo_key, photo)
        except Exception:
            session.rollback()
            raise
    try:
        session.commit()
    except Exception:
        session.rollback()
        if photo is not None:
            photos.remove(storage, pilot_id, feedback.id)
        raise
    return Outcome(receipt_fields(feedback), True)


def submit(*, session: Session, settings: LabSettings, storage: Any, actor: User,
           pilot_id: uuid.UUID, data: Submission, key: str | None) -> Outcome:
    """A web tester answers a running pilot's questionnaire."""
    if actor.role != Role.citizen:
        raise PermissionDenied("Only testers answer on the web; mediators record feedback at "
                               "/pilots/{id}/feedback/mediated.")
    return _submit(session=session, settings=settings, storage=storage, pilot_id=pilot_id,
                   data=data, key=check_key(key),
                   who=_Who(actor.id, actor.id, Channel.web, actor.id))


def submit_as_token_user(*, session: Session, settings: LabSettings, storage: Any,
                         user_id: uuid.UUID, pilot_id: uuid.UUID, data: Submission,
                         key: str | None, generation: int = 0) -> Outcome:
    """A web tester's submission, authenticated by a valid token naming `user_id`: the
    account is checked (exists, active, a citizen) by the admission UPDATE itself."""
    return _submit(session=session, settings=settings, storage=storage, pilot_id=pilot_id,
                   data=data, key=check_key(key),
                   who=_Who(user_id, user_id, Channel.web, user_id, unverified=True,
                            generation=generation))


def submit_mediated(*, session: Session, settings: LabSettings, storage: Any, actor: User,
                    pilot_id: uuid.UUID, data: MediatedSubmission,
                    key: str | None) -> Outcome:
    """A mediator of an authority concerned records feedback for a pseudonymous or anonymous
    tester."""
    if actor.role != Role.mediator:
        raise PermissionDenied("Only mediators record feedback on someone's behalf.")
    key = check_key(key)
    require_concerned(session, actor, pilot_id, Role.mediator)
    if data.place_id is not None:
        places.check_for_mediator(session, actor, data.place_id)
    tester = (citizens.tester_by_code(session=session, actor=actor, code=data.tester_code)
              if data.tester_code else None)
    who = _Who(tester.id if tester else None, tester.id if tester else actor.id,
               Channel(data.channel), actor.id)
    return _submit(session=session, settings=settings, storage=storage, pilot_id=pilot_id,
                   data=data, key=key, who=who)


# The idempotency scope of street answers (no account): their keys are single-use form tokens.
STREET_SCOPE = uuid.UUID("5e7ee7a0-0000-4000-8000-000000000000")


def submit_street(*, session: Session, settings: LabSettings, pilot_id: uuid.UUID,
                  data: Submission, key: str) -> Outcome:
    """An anonymous answer from the quick page in the street (the caller checked its form
    token, honeypot and rate limits; `key` is the token's id)."""
    return _submit(session=session, settings=settings, storage=None, pilot_id=pilot_id,
                   data=data, key=check_key(key),
                   who=_Who(None, STREET_SCOPE, Channel.street, None))


__all__ = ["IDEMPOTENCY_KEY", "STREET_SCOPE", "Outcome", "check_key", "submit",
           "submit_as_token_user", "submit_mediated", "submit_street"]
