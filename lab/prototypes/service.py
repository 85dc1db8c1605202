"""Prototypes: a startup manages its own; city members and admins read all."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from lab.audit import service as audit
from lab.auth.models import Role, User
from lab.common import Page, PageParams, paginate, utcnow
from lab.exceptions import NotFound, PermissionDenied
from lab.prototypes.models import Prototype, PrototypeCreate, PrototypeUpdate


def _snapshot(p: Prototype) -> dict[str, object]:
    return {"name": p.name, "domain": p.domain, "readiness_level": p.readiness_level,
            "contact_email": p.contact_email}


def can_read_all(actor: User) -> bool:
    """City members and admins read every startup's prototypes and pilots."""
    return actor.role in (Role.admin, Role.city)


def create_prototype(*, session: Session, actor: User, data: PrototypeCreate) -> Prototype:
    """Register a prototype for the actor's organization (startup members only)."""
    if actor.role != Role.startup or actor.organization_id is None:
        raise PermissionDenied("Only startup members register prototypes.")
    prototype = Prototype.model_validate(data, update={"organization_id": actor.organization_id})
    session.add(prototype)
    session.flush()
    audit.record(session=session, actor=actor, action="prototype.create",
                 object_type="prototype", object_id=prototype.id, after=_snapshot(prototype))
    session.commit()
    session.refresh(prototype)
    return prototype


def get_prototype(*, session: Session, actor: User, prototype_id: uuid.UUID) -> Prototype:
    """A prototype the actor may see; another startup's answers 404."""
    prototype = session.get(Prototype, prototype_id)
    if prototype is None:
        raise NotFound("No such prototype.")
    if not can_read_all(actor) and prototype.organization_id != actor.organization_id:
        raise NotFound("No such prototype.")
    return prototype


def update_prototype(*, session: Session, actor: User, prototype_id: uuid.UUID,
                     data: PrototypeUpdate) -> Prototype:
    """Edit a prototype (members of its organization)."""
    prototype = get_prototype(session=session, actor=actor, prototype_id=prototype_id)
    if actor.organization_id != prototype.organization_id:
        raise PermissionDenied("Only the startup that owns a prototype edits it.")
    before = _snapshot(prototype)
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(prototype, name, value)
    prototype.updated_at = utcnow()
    session.add(prototype)
    audit.record(session=session, actor=actor, action="prototype.update",
                 object_type="prototype", object_id=prototype.id, before=before,
                 after=_snapshot(prototype))
    session.commit()
    session.refresh(prototype)
    return prototype


def list_prototypes(*, session: Session, actor: User, page: PageParams) -> Page[Prototype]:
    """The actor's organization's prototypes (all of them for city members and admins)."""
    query = select(Prototype)
    if not can_read_all(actor):
        if actor.role != Role.startup:
            raise PermissionDenied("Prototypes are visible to startups, city members and admins.")
        query = query.where(Prototype.organization_id == actor.organization_id)
    return paginate(session, query, page, col(Prototype.created_at).desc())


__all__ = ["can_read_all", "create_prototype", "get_prototype", "list_prototypes",
           "update_prototype"]
