"""Who may act on a pilot's testers and feedback: the authorities concerned by the pilot."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from lab.auth.models import Role, User
from lab.exceptions import NotFound, PermissionDenied
from lab.pilots.models import Approval, Pilot


def concerned_authorities(session: Session, pilot_id: uuid.UUID) -> set[uuid.UUID]:
    """Authorities with an approval row for the pilot (any protocol version)."""
    return set(session.exec(select(Approval.authority_id).where(Approval.pilot_id == pilot_id)))


def load_pilot(session: Session, pilot_id: uuid.UUID) -> Pilot:
    """The pilot, or 404."""
    pilot = session.get(Pilot, pilot_id)
    if pilot is None:
        raise NotFound("No such pilot.")
    return pilot


def is_concerned(session: Session, actor: User, pilot_id: uuid.UUID) -> bool:
    """Whether the actor is an admin or belongs to an authority concerned by the pilot."""
    if actor.role == Role.admin:
        return True
    return actor.authority_id is not None and actor.authority_id in concerned_authorities(
        session, pilot_id)


def require_concerned(session: Session, actor: User, pilot_id: uuid.UUID,
                      *roles: Role) -> None:
    """Refuse unless the actor has one of the roles in an authority concerned (or is admin)."""
    if actor.role != Role.admin and actor.role not in roles:
        allowed = ", ".join(sorted(r.value for r in roles))
        raise PermissionDenied(f"This action needs one of the roles: {allowed}.")
    if not is_concerned(session, actor, pilot_id):
        raise PermissionDenied("Your authority is not concerned by this pilot: only the "
                               "authorities whose assets, zones or data it uses may do this.")


__all__ = ["concerned_authorities", "is_concerned", "load_pilot", "require_concerned"]
