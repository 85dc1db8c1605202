"""Authorities and organizations."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from lab.audit import service as audit
from lab.auth.models import Role, User
from lab.common import Page, PageParams, paginate
from lab.directory.models import Authority, AuthorityCreate, Organization, OrganizationCreate
from lab.exceptions import Conflict, NotFound, PermissionDenied


def _admin_only(actor: User | None) -> None:
    if actor is not None and actor.role != Role.admin:
        raise PermissionDenied("Only administrators manage authorities and organizations.")


def create_authority(*, session: Session, actor: User | None,
                     data: AuthorityCreate) -> Authority:
    """Register an authority (admin only)."""
    _admin_only(actor)
    if session.exec(select(Authority).where(Authority.code == data.code)).first():
        raise Conflict(f"An authority with code {data.code!r} already exists.", field="code")
    authority = Authority.model_validate(data)
    session.add(authority)
    session.flush()
    audit.record(session=session, actor=actor, action="authority.create",
                 object_type="authority", object_id=authority.id, after=data.model_dump())
    session.commit()
    session.refresh(authority)
    return authority


def create_organization(*, session: Session, actor: User | None,
                        data: OrganizationCreate) -> Organization:
    """Register an organization (admin only)."""
    _admin_only(actor)
    if session.exec(select(Organization).where(Organization.name == data.name)).first():
        raise Conflict(f"An organization named {data.name!r} already exists.", field="name")
    organization = Organization.model_validate(data)
    session.add(organization)
    session.flush()
    audit.record(session=session, actor=actor, action="organization.create",
                 object_type="organization", object_id=organization.id, after=data.model_dump())
    session.commit()
    session.refresh(organization)
    return organization


def list_authorities(*, session: Session, page: PageParams) -> Page[Authority]:
    """Authorities by name (public knowledge for any signed-in user)."""
    query = select(Authority)
    return paginate(session, query, page, col(Authority.name))


def list_organizations(*, session: Session, page: PageParams) -> Page[Organization]:
    """Organizations by name."""
    query = select(Organization)
    return paginate(session, query, page, col(Organization.name))


def get_authority(*, session: Session, authority_id: uuid.UUID) -> Authority:
    """One authority or 404."""
    authority = session.get(Authority, authority_id)
    if authority is None:
        raise NotFound("No such authority.")
    return authority


def get_organization(*, session: Session, organization_id: uuid.UUID) -> Organization:
    """One organization or 404."""
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound("No such organization.")
    return organization


def list_mediators(*, session: Session, actor: User, authority_id: uuid.UUID,
                   page: PageParams, active_only: bool = False) -> Page[User]:
    """The authority's mediators by name (its city members and administrators only)."""
    authority = get_authority(session=session, authority_id=authority_id)
    if not (actor.role == Role.admin
            or (actor.role == Role.city and actor.authority_id == authority.id)):
        raise PermissionDenied("Only the authority's city members and administrators list "
                               "its mediators.")
    query = select(User).where(User.authority_id == authority.id, User.role == Role.mediator)
    if active_only:
        query = query.where(col(User.is_active).is_(True))
    return paginate(session, query, page, col(User.full_name), col(User.email))


__all__ = [
    "create_authority",
    "create_organization",
    "get_authority",
    "get_organization",
    "list_authorities",
    "list_mediators",
    "list_organizations",
]
