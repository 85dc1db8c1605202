"""Grants: read with visibility, usable or not (and why), revoked by the city, expired by
the sweep. How pilot transitions make and end them is in `lab.sandbox.transitions`.

A grant is usable — links and credentials are issued for it — only while it is active and
not past its expiry, its extract is ready, and its pilot is approved, running, completed
or evaluated. Every refusal says which of these failed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from lab.audit import service as audit
from lab.auth.models import Role, User
from lab.common import Page, PageParams, utcnow
from lab.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from lab.pilots.models import Approval, Decision, Pilot, PilotStatus
from lab.sandbox import transitions, workspaces
from lab.sandbox.exceptions import GrantEnded, GrantNotUsable
from lab.sandbox.models import ExtractStatus, Grant, GrantPublic, GrantStatus

S = PilotStatus
# A grant serves its pilot while it is approved or in the field, and after completion until
# the grant expires (the startup still analyses its data).
PILOT_ACCESSIBLE = frozenset({S.approved, S.running, S.completed, S.evaluated})


def approved_pilots(authority_id: uuid.UUID | None) -> SelectOfScalar[uuid.UUID]:
    """Ids of the pilots the authority approved (any protocol version), as a subquery."""
    return select(Approval.pilot_id).where(Approval.authority_id == authority_id,
                                           Approval.decision == Decision.approved)


def _approved_by(session: Session, actor: User, pilot_id: uuid.UUID) -> bool:
    return session.exec(approved_pilots(actor.authority_id)
                        .where(Approval.pilot_id == pilot_id).limit(1)).first() is not None


def can_see(actor: User, grant: Grant, *, session: Session | None = None) -> bool:
    """Admins; city members of the dataset's authority or of any authority that approved the
    pilot (with a session to look it up); members of the pilot's startup."""
    if actor.role == Role.admin:
        return True
    if actor.role == Role.city:
        return actor.authority_id == grant.authority_id or (
            session is not None and _approved_by(session, actor, grant.pilot_id))
    return actor.role == Role.startup and actor.organization_id == grant.organization_id


def _may_manage(session: Session, actor: User, grant: Grant) -> bool:
    """Admins, city members of the dataset's authority or of an authority that approved."""
    return actor.role == Role.admin or (actor.role == Role.city and (
        actor.authority_id == grant.authority_id or _approved_by(session, actor, grant.pilot_id)))


def get_grant(*, session: Session, actor: User, grant_id: uuid.UUID) -> Grant:
    """A grant the actor may see, else 404."""
    grant = session.get(Grant, grant_id)
    if grant is None or not can_see(actor, grant, session=session):
        raise NotFound("No such grant.")
    return grant


def list_grants(*, session: Session, actor: User, page: PageParams,
                pilot_id: uuid.UUID | None = None,
                status: GrantStatus | None = None) -> Page[Grant]:
    """Grants the actor may see, newest first."""
    query = select(Grant)
    if actor.role == Role.city:
        query = query.where(or_(col(Grant.authority_id) == actor.authority_id,
                                col(Grant.pilot_id).in_(approved_pilots(actor.authority_id))))
    elif actor.role == Role.startup:
        query = query.where(Grant.organization_id == actor.organization_id)
    elif actor.role != Role.admin:
        raise PermissionDenied("Only startups, city members and administrators see grants.")
    if pilot_id is not None:
        query = query.where(Grant.pilot_id == pilot_id)
    if status is not None:
        query = query.where(Grant.status == status)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Grant.created_at).desc(), col(Grant.id))
                        .offset(page.offset).limit(page.limit))
    return Page(items=list(rows), total=total, limit=page.limit, offset=page.offset)


def refusal(grant: Grant, pilot: Pilot, *, now: datetime | None = None) -> str | None:
    """Why nothing may be issued for the grant now, or None when it is usable."""
    now = now or utcnow()
    expiry = grant.expires_at.isoformat()
    if grant.status == GrantStatus.revoked:
        return f"The grant was revoked: {grant.revoke_reason or 'no reason given'}."
    if grant.status == GrantStatus.expired or grant.expires_at <= now:
        return f"The grant expired at {expiry}."
    if pilot.status not in PILOT_ACCESSIBLE:
        return (f"The pilot is {pilot.status}; data access needs it approved, running, "
                "completed or evaluated.")
    if grant.extract_status == ExtractStatus.failed:
        return f"The extract could not be built: {grant.extract_error or 'unknown error'}."
    if grant.extract_status != ExtractStatus.ready:
        return (f"The extract is {grant.extract_status} "
                f"({grant.extract_progress:.0%}); try again when it is ready.")
    return None


def require_usable(session: Session, grant: Grant) -> Pilot:
    """The grant's pilot, or GrantEnded / GrantNotUsable with the reason."""
    pilot = session.get(Pilot, grant.pilot_id)
    assert pilot is not None
    reason = refusal(grant, pilot)
    if reason is None:
        return pilot
    if grant.status != GrantStatus.active or grant.expires_at <= utcnow():
        raise GrantEnded(reason)
    raise GrantNotUsable(reason)


def to_public(*, session: Session, grant: Grant) -> GrantPublic:
    """The grant, with whether it is usable and why not."""
    pilot = session.get(Pilot, grant.pilot_id)
    assert pilot is not None
    reason = refusal(grant, pilot)
    return GrantPublic.model_validate(grant, update={"usable": reason is None,
                                                     "refusal": reason})


def revoke(*, session: Session, actor: User, grant_id: uuid.UUID, reason: str,
           storage: Any = None) -> Grant:
    """End a grant now and delete its extract (a city member of the dataset's authority or of
    an authority that approved the pilot, or an admin)."""
    grant = get_grant(session=session, actor=actor, grant_id=grant_id)
    if not _may_manage(session, actor, grant):
        raise PermissionDenied("Only city members of the dataset's authority or of an "
                               "authority that approved the pilot, and administrators, "
                               "revoke grants.")
    if not reason.strip():
        raise InvalidInput("Say why the grant is revoked.", field="reason")
    locked = session.exec(select(Grant).where(Grant.id == grant.id).with_for_update()).one()
    session.refresh(locked)
    if locked.status != GrantStatus.active:
        raise Conflict(f"The grant is already {locked.status}.", field="status")
    transitions.end_grant(session, actor, locked, GrantStatus.revoked, reason.strip())
    session.commit()
    transitions.delete_extracts(session=session, grant_ids=[locked.id], storage=storage)
    session.refresh(locked)
    return locked


def rebuild(*, session: Session, actor: User, grant_id: uuid.UUID) -> Grant:
    """Queue the extract again after it failed (a city member of its authority, or admin)."""
    grant = get_grant(session=session, actor=actor, grant_id=grant_id)
    if not (actor.role == Role.admin
            or (actor.role == Role.city and actor.authority_id == grant.authority_id)):
        raise PermissionDenied("Only city members of the dataset's authority and "
                               "administrators rebuild extracts.")
    if grant.status != GrantStatus.active:
        raise Conflict(f"The grant is {grant.status}; nothing is built for it.")
    if grant.extract_status != ExtractStatus.failed:
        raise Conflict(f"The extract is {grant.extract_status}; only a failed one is rebuilt.")
    grant.extract_status, grant.extract_progress, grant.extract_error = (
        ExtractStatus.pending, 0.0, None)
    session.add(grant)
    audit.record(session=session, actor=actor, action="grant.rebuild", object_type="grant",
                 object_id=grant.id)
    transitions.start_extracts(session=session, actor=actor, grants=[grant])
    session.refresh(grant)
    return grant


@dataclass(frozen=True, slots=True)
class SweepResult:
    """What one sweep did."""

    expired: int
    extracts_deleted: int
    uploads_deleted: int = 0


def sweep(*, session: Session, storage: Any = None, now: datetime | None = None) -> SweepResult:
    """Expire grants past their end, then delete every ended grant's extract still there,
    and the presigned measurement uploads abandoned without validation."""
    now = now or utcnow()
    due = session.exec(select(Grant).where(Grant.status == GrantStatus.active,
                                           col(Grant.expires_at) <= now)).all()
    for grant in due:
        transitions.end_grant(session, None, grant, GrantStatus.expired,
             f"expired at {grant.expires_at.isoformat()}")
    session.commit()
    ended = session.exec(select(Grant.id).where(Grant.status != GrantStatus.active,
                                                col(Grant.extract_deleted_at).is_(None))
                         .limit(1000)).all()
    deleted = transitions.delete_extracts(session=session, grant_ids=list(ended),
                                          storage=storage)
    uploads = workspaces.sweep_incoming(storage=storage, now=now) if storage is not None else 0
    return SweepResult(expired=len(due), extracts_deleted=deleted, uploads_deleted=uploads)


__all__ = ["PILOT_ACCESSIBLE", "SweepResult", "approved_pilots", "can_see", "get_grant",
           "list_grants", "rebuild", "refusal", "require_usable", "revoke", "sweep", "to_public"]
