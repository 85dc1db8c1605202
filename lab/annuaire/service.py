"""The public directory and each organization's own entry.

An organization takes part once one of its prototypes has a pilot approved or beyond
(approved, running, completed, evaluated); the directory shows those prototypes and pilots,
with the pilots' published results. Its contact address shows only if it chose so.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlmodel import Session, col, func, select

from lab.annuaire.models import (
    DirectoryOrganization,
    DirectoryPilot,
    DirectoryPrototype,
    DirectoryResult,
    Entry,
    EntryUpdate,
)
from lab.audit import service as audit
from lab.auth.models import Role, User
from lab.common import Page, PageParams
from lab.directory.models import Organization
from lab.exceptions import NotFound, PermissionDenied
from lab.pilots.models import Pilot, PilotStatus
from lab.prototypes.models import Prototype
from lab.publication import service as publication

LISTED = (PilotStatus.approved, PilotStatus.running, PilotStatus.completed,
          PilotStatus.evaluated)


def _own(session: Session, actor: User) -> Organization:
    if actor.role != Role.startup or actor.organization_id is None:
        raise PermissionDenied("Only members of an organization edit its directory entry.")
    organization = session.get(Organization, actor.organization_id)
    if organization is None:
        raise NotFound("No such organization.")
    return organization


def _entry(o: Organization) -> Entry:
    return Entry(id=o.id, name=o.name, kind=o.kind, description=o.description,
                 website=o.website, contact_email=o.contact_email, show_contact=o.show_contact)


def get_entry(*, session: Session, actor: User) -> Entry:
    """The actor's organization's entry, as it edits it."""
    return _entry(_own(session, actor))


def update_entry(*, session: Session, actor: User, data: EntryUpdate) -> Entry:
    """Change the entry's description, website, contact address or its visibility."""
    organization = _own(session, actor)
    before = _entry(organization).model_dump(mode="json")
    changes = data.model_dump(exclude_unset=True, mode="json")
    for field, value in changes.items():
        if field == "show_contact" and value is None:
            continue
        setattr(organization, field, value if field != "description" else (value or ""))
    session.add(organization)
    audit.record(session=session, actor=actor, action="organization.entry",
                 object_type="organization", object_id=organization.id,
                 before={k: before[k] for k in changes}, after=changes)
    session.commit()
    return _entry(organization)


def _pilot(session: Session, pilot: Pilot) -> DirectoryPilot:
    results = None
    if pilot.status == PilotStatus.evaluated and publication.is_published(session, pilot.id):
        r = publication.get_result(session=session, pilot_id=pilot.id)
        results = DirectoryResult(recommendation=r.recommendation, summary_en=r.summary_en,
                                  summary_fr=r.summary_fr,
                                  url=f"/api/v1/public/results/{pilot.id}")
    return DirectoryPilot(id=pilot.id, title=pilot.title, summary=pilot.public_summary,
                          status=pilot.status, results=results)


def directory(*, session: Session, page: PageParams,
              domain: str | None = None) -> Page[DirectoryOrganization]:
    """Organizations taking part, by name, with their prototypes (by domain) and pilots."""
    taking_part = (select(Prototype.organization_id)
                   .join(Pilot, col(Pilot.prototype_id) == col(Prototype.id))
                   .where(col(Pilot.status).in_(LISTED)))
    if domain:
        taking_part = taking_part.where(func.lower(Prototype.domain) == domain.lower())
    query = select(Organization).where(col(Organization.id).in_(taking_part))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    organizations = session.exec(query.order_by(col(Organization.name))
                                 .offset(page.offset).limit(page.limit)).all()
    ids = [o.id for o in organizations]
    rows = session.exec(select(Prototype, Pilot)
                        .join(Pilot, col(Pilot.prototype_id) == col(Prototype.id))
                        .where(col(Prototype.organization_id).in_(ids),
                               col(Pilot.status).in_(LISTED))
                        .order_by(col(Prototype.domain), col(Prototype.name),
                                  col(Pilot.created_at))).all()
    prototypes: dict[uuid.UUID, list[DirectoryPrototype]] = defaultdict(list)
    seen: dict[uuid.UUID, DirectoryPrototype] = {}
    for prototype, pilot in rows:
        if domain and prototype.domain.lower() != domain.lower():
            continue
        if prototype.id not in seen:
            seen[prototype.id] = DirectoryPrototype(
                id=prototype.id, name=prototype.name, domain=prototype.domain,
                readiness_level=prototype.readiness_level, description=prototype.description,
                pilots=[])
            prototypes[prototype.organization_id].append(seen[prototype.id])
        seen[prototype.id].pilots.append(_pilot(session, pilot))
    items = [DirectoryOrganization(
        id=o.id, name=o.name, kind=o.kind, description=o.description, website=o.website,
        contact_email=o.contact_email if o.show_contact else None,
        domains=sorted({p.domain for p in prototypes[o.id]}), prototypes=prototypes[o.id])
        for o in organizations]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


__all__ = ["directory", "get_entry", "update_entry"]
