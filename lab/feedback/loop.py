"""Closing the loop: once a pilot ends, testers say whether the city should keep it, and
read the summary the city publishes."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, func, select

from lab.audit import service as audit
from lab.auth.models import Role, User
from lab.citizens import service as citizens
from lab.citizens.access import load_pilot, require_concerned
from lab.citizens.models import Enrollment, EnrollmentPublic, Tester
from lab.common import Page, PageParams, utcnow
from lab.exceptions import Conflict, PermissionDenied
from lab.feedback.models import (
    Channel,
    KeepAnswer,
    KeepChoice,
    OutcomeCreate,
    OutcomePublic,
    PilotOutcome,
)
from lab.pilots.models import Pilot, PilotStatus

ENDED = frozenset({PilotStatus.completed, PilotStatus.evaluated})


def answer_keep(*, session: Session, actor: User, tester: Tester, pilot_id: uuid.UUID,
                answer: KeepChoice, channel: Channel = Channel.web) -> KeepAnswer:
    """Record (or change) the tester's answer to "should the city keep it?"."""
    pilot = load_pilot(session, pilot_id)
    if pilot.status not in ENDED:
        raise Conflict("This question opens when the pilot has ended; it is "
                       f"{pilot.status}.", field="status")
    enrollment = session.exec(select(Enrollment).where(
        Enrollment.tester_id == tester.id, Enrollment.pilot_id == pilot_id)).first()
    if enrollment is None or enrollment.withdrawn_at is not None:
        raise PermissionDenied("Only testers enrolled in this pilot (with their consent "
                               "still given) answer this question.")
    row = session.exec(select(KeepAnswer).where(
        KeepAnswer.pilot_id == pilot_id, KeepAnswer.tester_id == tester.id)).first()
    if row is None:
        row = KeepAnswer(pilot_id=pilot_id, tester_id=tester.id, answer=answer,
                         channel=channel)
    row.answer, row.channel, row.answered_at = answer, channel, utcnow()
    row.recorded_by = actor.id
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def publish_outcome(*, session: Session, actor: User, pilot_id: uuid.UUID,
                    data: OutcomeCreate) -> PilotOutcome:
    """A city member of an authority concerned publishes (or edits) what testers will read."""
    pilot = load_pilot(session, pilot_id)
    require_concerned(session, actor, pilot_id, Role.city)
    if pilot.status not in ENDED:
        raise Conflict("The summary is published once the pilot has ended; it is "
                       f"{pilot.status}.", field="status")
    row = session.get(PilotOutcome, pilot_id) or PilotOutcome(
        pilot_id=pilot_id, summary_fr="", summary_en="", decision="undecided")
    row.summary_fr, row.summary_en, row.decision = data.summary_fr, data.summary_en, \
        data.decision
    row.published_by, row.published_at = actor.id, utcnow()
    session.add(row)
    audit.record(session=session, actor=actor, action="pilot.publish_outcome",
                 object_type="pilot", object_id=pilot_id, after={"decision": data.decision})
    session.commit()
    session.refresh(row)
    return row


def outcome_public(row: PilotOutcome | None) -> OutcomePublic | None:
    """The published summary as testers read it."""
    return OutcomePublic.model_validate(row) if row is not None else None


def tester_pilots(*, session: Session, tester: Tester,
                  page: PageParams) -> Page[EnrollmentPublic]:
    """The tester's pilots: consent, what it may do now, its answer and the city's summary."""
    query = (select(Enrollment, Pilot).join(Pilot, col(Pilot.id) == col(Enrollment.pilot_id))
             .where(Enrollment.tester_id == tester.id))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Enrollment.accepted_at).desc())
                        .offset(page.offset).limit(page.limit)).all()
    items = []
    for enrollment, pilot in rows:
        consent = citizens.current_consent(session, pilot.id)
        keep = session.exec(select(KeepAnswer.answer).where(
            KeepAnswer.pilot_id == pilot.id, KeepAnswer.tester_id == tester.id)).first()
        published = outcome_public(session.get(PilotOutcome, pilot.id))
        active = enrollment.withdrawn_at is None
        items.append(EnrollmentPublic(
            pilot_id=pilot.id, pilot_title=pilot.title, pilot_status=str(pilot.status),
            consent_version=enrollment.consent_version,
            consent_current=consent is None or consent.version == enrollment.consent_version,
            accepted_at=enrollment.accepted_at, withdrawn_at=enrollment.withdrawn_at,
            can_give_feedback=active and pilot.status == PilotStatus.running,
            can_answer_keep_question=active and pilot.status in ENDED,
            keep_answer=str(keep) if keep else None,
            outcome=published.model_dump(mode="json") if published else None))
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


__all__ = ["ENDED", "answer_keep", "outcome_public", "publish_outcome", "tester_pilots"]
