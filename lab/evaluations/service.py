"""Requesting and reading evaluations; the analysis itself runs as a job (`runner`)."""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from lab.audit import service as audit
from lab.auth.models import Role, User
from lab.common import Page, PageParams, paginate
from lab.evaluations.models import Evaluation, EvaluationRequest
from lab.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from lab.jobs import service as jobs
from lab.pilots import service as pilots
from lab.pilots.models import Approval, Pilot, PilotStatus
from lab.pilots.protocol import Protocol, synthetic_problems

EVALUABLE = frozenset({PilotStatus.running, PilotStatus.completed, PilotStatus.evaluated})


def departures(protocol: Protocol, request: EvaluationRequest) -> list[str]:
    """How a request departs from the registered plan (each makes the run exploratory)."""
    found = []
    if request.design is not None and request.design != protocol.design:
        found.append(f"design {request.design} instead of the registered {protocol.design}")
    if request.kpis is not None:
        registered = {k.name for k in protocol.kpis}
        if unknown := sorted(set(request.kpis) - registered):
            found.append(f"KPIs not registered: {', '.join(unknown)}")
        if set(request.kpis) != registered:
            found.append("a subset of the registered KPIs")
    if request.time_grain != "day":
        found.append(f"{request.time_grain} buckets instead of the registered daily ones")
    return found


def _may_evaluate(session: Session, actor: User, pilot: Pilot) -> None:
    if actor.role == Role.admin:
        return
    if actor.role == Role.city:
        involved = session.exec(select(Approval.authority_id)
                                .where(Approval.pilot_id == pilot.id)).all()
        if actor.authority_id in set(involved):
            return
    if actor.role == Role.startup and actor.organization_id == pilot.organization_id:
        return
    raise PermissionDenied("Only the pilot's startup, the city members concerned and "
                           "administrators run evaluations.")


def request_evaluation(*, session: Session, actor: User, pilot_id: uuid.UUID,
                       data: EvaluationRequest) -> Evaluation:
    """Record an evaluation and queue the job that runs it."""
    pilot = pilots.get_pilot(session=session, actor=actor, pilot_id=pilot_id)
    _may_evaluate(session, actor, pilot)
    if pilot.status not in EVALUABLE:
        raise Conflict(f"A {pilot.status} pilot cannot be evaluated yet (it must be running, "
                       "completed or evaluated).", field="status")
    frozen, protocol = pilots.registered_protocol(session=session, pilot=pilot)
    if data.kpis is not None:
        known = {k.name for k in protocol.kpis}
        if unknown := sorted(set(data.kpis) - known):
            raise InvalidInput(f"Unknown KPIs: {', '.join(unknown)}.", field="kpis")
    if data.design == "synthetic_control" and (
            problems := synthetic_problems(len(protocol.treated_zones),
                                            len(protocol.control_zones), False)):
        raise InvalidInput(problems[0][1] + ".", field="design")
    found = departures(protocol, data)
    number = session.exec(select(func.count()).select_from(Evaluation)
                          .where(Evaluation.pilot_id == pilot.id)).one() + 1
    evaluation = Evaluation(pilot_id=pilot.id, number=number, protocol_version=frozen.version,
                            protocol_hash=frozen.sha256, request=data.model_dump(),
                            exploratory=bool(found), departures=found,
                            interim=pilot.status == PilotStatus.running, created_by=actor.id)
    session.add(evaluation)
    session.flush()
    audit.record(session=session, actor=actor, action="evaluation.request",
                 object_type="pilot", object_id=pilot.id,
                 after={"evaluation_id": evaluation.id, "exploratory": evaluation.exploratory})
    session.commit()
    evaluation_id = evaluation.id
    job = jobs.enqueue(session=session, actor=actor, kind="evaluation",
                       params={"evaluation_id": str(evaluation_id)})
    session.execute(update(Evaluation).where(col(Evaluation.id) == evaluation_id)
                    .values(job_id=job.id))
    session.commit()
    stored = session.get(Evaluation, evaluation_id)
    assert stored is not None
    session.refresh(stored)
    return stored


def list_evaluations(*, session: Session, actor: User, pilot_id: uuid.UUID,
                     page: PageParams) -> Page[Evaluation]:
    """The pilot's evaluations, newest first (whoever may see the pilot)."""
    pilot = pilots.get_pilot(session=session, actor=actor, pilot_id=pilot_id)
    query = select(Evaluation).where(Evaluation.pilot_id == pilot.id)
    return paginate(session, query, page, col(Evaluation.number).desc())


def get_evaluation(*, session: Session, actor: User, pilot_id: uuid.UUID,
                   evaluation_id: uuid.UUID) -> Evaluation:
    """One evaluation of a pilot the actor may see."""
    pilot = pilots.get_pilot(session=session, actor=actor, pilot_id=pilot_id)
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None or evaluation.pilot_id != pilot.id:
        raise NotFound("No such evaluation.")
    return evaluation


__all__ = ["EVALUABLE", "departures", "get_evaluation", "list_evaluations",
           "request_evaluation"]
