"""The quick page's rules: find a pilot by its code, issue a form, accept one answer.

An answer is accepted when its form token is ours, fresh and unspent, the honeypot is empty,
the client address and the pilot are under their rate limits, and the answers fit the
pilot's questionnaire. It is then stored through the feedback service with the channel
`street` (so it counts wherever feedback counts), its comment scrubbed of emails and phone
numbers like other free text. Spent token ids are kept for the longest window, then purged.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from lab.common import utcnow
from lab.exceptions import LabError, NotFound
from lab.feedback import questionnaire as questionnaires
from lab.feedback import scrub
from lab.feedback import service as feedback
from lab.feedback.models import Submission
from lab.pilots.models import Pilot, PilotStatus
from lab.pilots.protocol import FreeTextQuestion, LikertItem
from lab.settings import LabSettings
from lab.street import codes
from lab.street.models import StreetUse

MAX_COMMENT = 500
HONEYPOT = "website"


class Refused(LabError):
    """A quick answer refused; `reason` picks the page the person reads.

    Reasons: `expired` (bad, stale or foreign token), `replayed` (token already spent),
    `honeypot` (a bot filled the hidden field), `rate` (too many answers), `closed` (the
    pilot no longer runs).
    """

    def __init__(self, reason: str, status: int, detail: str, pilot_id: uuid.UUID,
                 retry_after: int = 0) -> None:
        super().__init__(detail)
        self.reason, self.status, self.retry_after = reason, status, retry_after
        self.pilot_id = pilot_id


@dataclass(frozen=True)
class Questions:
    likert: list[LikertItem]
    nps: bool
    comment: FreeTextQuestion | None  # the questionnaire's first free-text question


@dataclass(frozen=True)
class QuickForm:
    pilot: Pilot
    code: str
    questions: Questions
    token: str
    values: Mapping[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # names of the fields to fix


def pilot_for_code(*, session: Session, code: str) -> Pilot:
    """The pilot behind a short code (any status), or NotFound."""
    bounds = codes.code_range(code)
    if bounds is not None:
        found = session.exec(select(Pilot).where(col(Pilot.id) >= bounds[0],
                                                 col(Pilot.id) <= bounds[1])
                             .order_by(col(Pilot.created_at)).limit(2)).all()
        if found:
            running = [p for p in found if p.status == PilotStatus.running]
            return (running or found)[0]
    raise NotFound("No pilot has this code.")


def questions_of(pilot: Pilot) -> Questions:
    """What the quick page asks: the Likert items, the NPS if asked, one optional comment."""
    asked, _zones = questionnaires.parse(pilot.id, pilot.protocol_hash, pilot.protocol)
    return Questions(list(asked.likert), asked.nps,
                     asked.free_text[0] if asked.free_text else None)


def new_form(*, settings: LabSettings, pilot: Pilot, values: Mapping[str, str] | None = None,
             errors: list[str] | None = None) -> QuickForm:
    """A form for one answer, with a fresh signed token."""
    token = codes.issue(settings.jwt_secret(), pilot.id, int(time.time()))
    return QuickForm(pilot, codes.short_code(pilot.id), questions_of(pilot), token,
                     dict(values or {}), list(errors or []))


def _ints(values: Mapping[str, str], name: str, low: int, high: int) -> int | None:
    raw = values.get(name, "").strip()
    if raw.isdigit() and low <= int(raw) <= high:
        return int(raw)
    return None


def _submission(questions: Questions, values: Mapping[str, str]) -> tuple[Submission, list[str]]:
    likert, missing = {}, []
    for item in questions.likert:
        if (value := _ints(values, f"likert_{item.id}", 1, 5)) is None:
            missing.append(f"likert_{item.id}")
        else:
            likert[item.id] = value
    nps = _ints(values, "nps", 0, 10) if questions.nps else None
    if questions.nps and nps is None:
        missing.append("nps")
    comment = " ".join(values.get("comment", "").split())
    if len(comment) > MAX_COMMENT:
        missing.append("comment")
    texts = ({questions.comment.id: scrub.scrub(comment)}
             if questions.comment is not None and comment else {})
    if not missing and not (likert or nps is not None or texts):
        missing.append("comment" if questions.comment is not None else "likert")
    return Submission(likert=likert, nps=nps, free_text=texts), missing


def _limits(session: Session, settings: LabSettings, pilot_id: uuid.UUID, client: str) -> None:
    now = utcnow()
    window = timedelta(minutes=settings.street_window_minutes)
    since = now - window
    keep = max(window, timedelta(minutes=settings.street_form_minutes, seconds=60))
    session.exec(delete(StreetUse).where(col(StreetUse.used_at) < now - keep))  # type: ignore[call-overload]
    retry = int(window.total_seconds())
    by_client = session.exec(select(func.count()).where(
        StreetUse.client == client, col(StreetUse.used_at) >= since)).one()
    if by_client >= settings.street_rate_per_address:
        raise Refused("rate", 429, f"At most {settings.street_rate_per_address} answers per "
                      f"{settings.street_window_minutes} minutes from one address.", pilot_id,
                      retry)
    by_pilot = session.exec(select(func.count()).where(
        StreetUse.pilot_id == pilot_id, col(StreetUse.used_at) >= since)).one()
    if by_pilot >= settings.street_rate_per_pilot:
        raise Refused("rate", 429, f"At most {settings.street_rate_per_pilot} street answers "
                      f"per {settings.street_window_minutes} minutes for this pilot.", pilot_id,
                      retry)


def _spend(session: Session, token: codes.FormToken, client: str) -> None:
    session.add(StreetUse(token_id=token.token_id, pilot_id=token.pilot_id, client=client))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Refused("replayed", 409, "This form was already sent; open the page again to "
                      "answer once more.", token.pilot_id) from None
    session.commit()


def answer(*, session: Session, settings: LabSettings, code: str, values: Mapping[str, str],
           address: str) -> QuickForm | feedback.Outcome:
    """Accept one answer from the quick page: the stored outcome, or the form again with the
    fields to fix; raises Refused (or NotFound for an unknown code)."""
    pilot = pilot_for_code(session=session, code=code)
    if pilot.status != PilotStatus.running:
        raise Refused("closed", 409, f"This pilot is {pilot.status}: it takes no answers.",
                      pilot.id)
    secret = settings.jwt_secret()
    token = codes.read(secret, values.get("token", ""), pilot.id, int(time.time()),
                       settings.street_form_minutes * 60)
    if token is None:
        raise Refused("expired", 400, "This form has expired or is not valid; open the page "
                      "again.", pilot.id)
    client = codes.client_hash(secret, address)
    _limits(session, settings, pilot.id, client)
    if values.get(HONEYPOT, "").strip():
        _spend(session, token, client)
        raise Refused("honeypot", 400, "This answer could not be accepted.", pilot.id)
    data, missing = _submission(questions_of(pilot), values)
    if missing:
        # The token is not spent: the person fixes the answer and sends the same form.
        return QuickForm(pilot, codes.short_code(pilot.id), questions_of(pilot),
                         values.get("token", ""), dict(values), missing)
    _spend(session, token, client)
    try:
        return feedback.submit_street(session=session, settings=settings, pilot_id=pilot.id,
                                      data=data, key=f"street-{token.token_id}")
    except LabError as exc:
        if exc.status == 409:
            raise Refused("closed", 409, exc.detail, pilot.id) from exc
        raise


__all__ = ["HONEYPOT", "MAX_COMMENT", "QuickForm", "Questions", "Refused", "answer",
           "new_form", "pilot_for_code", "questions_of"]
