"""What the public reads of evaluated pilots, and the city's hold on it.

A pilot's results are public once it is `evaluated` (its registered, final evaluation is
done) unless a city concerned holds them back. The feedback shown is the startup's view
(disclosure control: no count of 7 or fewer, nothing that would reveal one), without
free-text answers.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, exists, func, select

from lab.audit import service as audit
from lab.auth.models import Role, User
from lab.citizens.access import is_concerned, load_pilot
from lab.common import Page, PageParams, utcnow
from lab.directory.models import Organization
from lab.evaluations.models import Evaluation, EvaluationStatus
from lab.exceptions import InvalidInput, NotFound, PermissionDenied
from lab.feedback import views as feedback_views
from lab.pilots.models import Pilot, PilotStatus, ProtocolVersion
from lab.pilots.protocol import Protocol
from lab.prototypes.models import Prototype
from lab.publication.models import (
    HoldBody,
    PrimaryEffect,
    ProtocolDates,
    PublicationHold,
    PublicationStatus,
    PublicResult,
    PublicResultDetail,
)
from lab.publication.words import RECOMMENDATION, summaries

_FINAL = (col(Evaluation.status) == EvaluationStatus.done, ~col(Evaluation.exploratory),
          ~col(Evaluation.interim))


def _published_query() -> Any:
    held = select(PublicationHold.pilot_id).where(col(PublicationHold.held))
    final = exists().where(col(Evaluation.pilot_id) == col(Pilot.id), *_FINAL)
    return select(Pilot).where(Pilot.status == PilotStatus.evaluated,
                               col(Pilot.id).not_in(held), final)


def is_published(session: Session, pilot_id: uuid.UUID) -> bool:
    """Whether the pilot's results are public now."""
    query = _published_query().where(col(Pilot.id) == pilot_id)
    return session.exec(query).first() is not None


def _status(session: Session, pilot: Pilot) -> PublicationStatus:
    hold = session.get(PublicationHold, pilot.id)
    return PublicationStatus(pilot_id=pilot.id, held=bool(hold and hold.held),
                             reason=hold.reason if hold and hold.held else "",
                             published=is_published(session, pilot.id),
                             updated_at=hold.updated_at if hold else None)


def get_status(*, session: Session, actor: User, pilot_id: uuid.UUID) -> PublicationStatus:
    """The publication state (the pilot's startup, city members concerned, admins)."""
    pilot = load_pilot(session, pilot_id)
    own = actor.role == Role.startup and actor.organization_id == pilot.organization_id
    if not own and not (actor.role in (Role.city, Role.admin)
                        and is_concerned(session, actor, pilot.id)):
        raise NotFound("No such pilot.")
    return _status(session, pilot)


def set_hold(*, session: Session, actor: User, pilot_id: uuid.UUID,
             data: HoldBody) -> PublicationStatus:
    """Hold the results back (with a reason) or release them; city members concerned."""
    pilot = load_pilot(session, pilot_id)
    if actor.role not in (Role.city, Role.admin) or not is_concerned(session, actor, pilot.id):
        raise PermissionDenied("Only city members of an authority concerned by the pilot "
                               "(and administrators) hold or release its publication.")
    reason = data.reason.strip()
    if data.hold and len(reason) < 3:
        raise InvalidInput("Say why the results are held back (kept in the audit log).",
                           field="reason")
    hold = session.get(PublicationHold, pilot.id) or PublicationHold(pilot_id=pilot.id)
    before = {"held": hold.held, "reason": hold.reason}
    hold.held, hold.reason = data.hold, reason if data.hold else ""
    hold.updated_by, hold.updated_at = actor.id, utcnow()
    session.add(hold)
    audit.record(session=session, actor=actor,
                 action="publication.hold" if data.hold else "publication.release",
                 object_type="pilot", object_id=pilot.id, before=before,
                 after={"held": hold.held, "reason": hold.reason}, reason=reason or None)
    session.commit()
    return _status(session, pilot)


def _final_evaluation(session: Session, pilot_id: uuid.UUID) -> Evaluation:
    found = session.exec(select(Evaluation).where(Evaluation.pilot_id == pilot_id, *_FINAL)
                         .order_by(col(Evaluation.number).desc())).first()
    assert found is not None  # the published query requires one
    return found


def _overall(block: dict[str, Any] | None, key: str) -> dict[str, Any] | None:
    if not block:
        return None
    overall = (block.get("by_channel") or {}).get("overall") or {}
    value = overall.get(key) or {"value": None, "reason": "not_computed"}
    return {"value": value.get("value"), "reason": value.get("reason")}


def _feedback(session: Session, pilot: Pilot) -> dict[str, Any]:
    summary = feedback_views.summarize(session=session, pilot=pilot, view="disclosed")
    summary.pop("free_text", None)  # comments stay with the startup and the city
    return summary


def _result(session: Session, pilot: Pilot, detail: bool) -> PublicResult:
    evaluation = _final_evaluation(session, pilot.id)
    frozen = session.exec(select(ProtocolVersion).where(
        ProtocolVersion.pilot_id == pilot.id,
        ProtocolVersion.version == evaluation.protocol_version)).first()
    protocol = Protocol.model_validate(frozen.protocol if frozen else pilot.protocol)
    results = evaluation.results or {}
    primary = next(k for k in protocol.kpis if k.primary)
    entry = (results.get("kpis") or {}).get(primary.name) or {}
    estimate: dict[str, Any] = entry.get("result") or {}
    label = entry.get("label") or primary.label or primary.name
    en, fr = summaries(label, entry.get("result"), entry.get("missing"))
    recommendation = evaluation.recommendation or results.get("recommendation") or "iterate"
    organization = session.get(Organization, pilot.organization_id)
    prototype = session.get(Prototype, pilot.prototype_id)
    feedback = _feedback(session, pilot)
    fields: dict[str, Any] = dict(
        pilot_id=pilot.id, title=pilot.title,
        organization=organization.name if organization else "",
        domain=prototype.domain if prototype else "", hypothesis=protocol.hypothesis,
        protocol=ProtocolDates(
            version=evaluation.protocol_version, sha256=evaluation.protocol_hash,
            registered_at=frozen.frozen_at if frozen else None, design=protocol.design,
            baseline_start=protocol.baseline.start, baseline_end=protocol.baseline.end,
            pilot_start=protocol.pilot.start, pilot_end=protocol.pilot.end),
        evaluation_number=evaluation.number, evaluated_at=evaluation.finished_at,
        primary=PrimaryEffect(
            kpi=primary.name, label=label, direction=primary.direction,
            reason=estimate.get("reason") or entry.get("missing"),
            **{k: estimate.get(k) for k in (
                "effect", "ci_low", "ci_high", "relative_effect", "relative_ci_low",
                "relative_ci_high", "p_value", "method")}),
        summary_en=en, summary_fr=fr, recommendation=recommendation,
        recommendation_en=RECOMMENDATION.get(recommendation, (recommendation,) * 2)[0],
        recommendation_fr=RECOMMENDATION.get(recommendation, (recommendation,) * 2)[1],
        respondents=feedback["respondents"], nps=_overall(feedback.get("nps"), "score"),
        sus=_overall(feedback.get("sus"), "mean"))
    if detail:
        return PublicResultDetail(**fields, feedback=feedback)
    return PublicResult(**fields)


def list_results(*, session: Session, page: PageParams) -> Page[PublicResult]:
    """Published results, most recently completed first."""
    query = _published_query()
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    pilots = session.exec(query.order_by(col(Pilot.completed_at).desc(), col(Pilot.id))
                          .offset(page.offset).limit(page.limit)).all()
    return Page(items=[_result(session, p, detail=False) for p in pilots], total=total,
                limit=page.limit, offset=page.offset)


def get_result(*, session: Session, pilot_id: uuid.UUID) -> PublicResultDetail:
    """One pilot's published results, or 404 (not evaluated, held, or unknown)."""
    if not is_published(session, pilot_id):
        raise NotFound("No published results for this pilot.")
    result = _result(session, load_pilot(session, pilot_id), detail=True)
    assert isinstance(result, PublicResultDetail)
    return result


CSV_COLUMNS = ("pilot_id", "title", "organization", "domain", "hypothesis", "protocol_version",
               "protocol_sha256", "baseline_start", "baseline_end", "pilot_start", "pilot_end",
               "primary_kpi", "effect", "ci_low", "ci_high", "relative_effect",
               "relative_ci_low", "relative_ci_high", "p_value", "recommendation",
               "respondents", "nps", "sus_mean", "summary_en", "summary_fr")


def csv_row(r: PublicResult) -> list[Any]:
    """One result as a CSV row (withheld numbers are empty cells)."""
    p, e = r.protocol, r.primary
    return [r.pilot_id, r.title, r.organization, r.domain, r.hypothesis, p.version, p.sha256,
            p.baseline_start.isoformat(), p.baseline_end.isoformat(),
            p.pilot_start.isoformat(), p.pilot_end.isoformat(), e.kpi, e.effect, e.ci_low,
            e.ci_high, e.relative_effect, e.relative_ci_low, e.relative_ci_high, e.p_value,
            r.recommendation, r.respondents.get("value"),
            (r.nps or {}).get("value"), (r.sus or {}).get("value"), r.summary_en, r.summary_fr]


__all__ = ["CSV_COLUMNS", "csv_row", "get_result", "get_status", "is_published",
           "list_results", "set_hold"]
