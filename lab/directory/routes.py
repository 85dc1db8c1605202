"""Authorities and organizations: read by any signed-in user, managed by admins."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from lab.auth.models import UserPublic
from lab.common import Page, PageParams, page_params
from lab.deps import AdminUser, CurrentUser, SessionDep
from lab.directory import service
from lab.directory.models import (
    AuthorityCreate,
    AuthorityPublic,
    OrganizationCreate,
    OrganizationPublic,
)

router = APIRouter(tags=["directory"])
admin_router = APIRouter(prefix="/admin", tags=["admin"])
Pagination = Annotated[PageParams, Depends(page_params)]


@router.get("/authorities", response_model=Page[AuthorityPublic])
def list_authorities(session: SessionDep, page: Pagination) -> Page[AuthorityPublic]:
    """Authorities of the territory."""
    result = service.list_authorities(session=session, page=page)
    return Page(items=[AuthorityPublic.model_validate(a) for a in result.items],
                total=result.total, limit=result.limit, offset=result.offset)


@router.get("/authorities/{authority_id}", response_model=AuthorityPublic)
def get_authority(authority_id: uuid.UUID, session: SessionDep) -> AuthorityPublic:
    """One authority."""
    return AuthorityPublic.model_validate(
        service.get_authority(session=session, authority_id=authority_id))


@router.get("/authorities/{authority_id}/mediators", response_model=Page[UserPublic])
def list_mediators(authority_id: uuid.UUID, user: CurrentUser, session: SessionDep,
                   page: Pagination, active_only: bool = False) -> Page[UserPublic]:
    """The authority's mediators (who enroll testers and record feedback at its desks), by
    name; for the authority's city members and administrators."""
    result = service.list_mediators(session=session, actor=user, authority_id=authority_id,
                                    page=page, active_only=active_only)
    return Page(items=[UserPublic.model_validate(u) for u in result.items],
                total=result.total, limit=result.limit, offset=result.offset)


@router.get("/organizations", response_model=Page[OrganizationPublic])
def list_organizations(session: SessionDep, page: Pagination) -> Page[OrganizationPublic]:
    """Organizations taking part."""
    result = service.list_organizations(session=session, page=page)
    return Page(items=[OrganizationPublic.model_validate(o) for o in result.items],
                total=result.total, limit=result.limit, offset=result.offset)


@admin_router.post("/authorities", response_model=AuthorityPublic, status_code=201)
def create_authority(data: AuthorityCreate, admin: AdminUser,
                     session: SessionDep) -> AuthorityPublic:
    """Register an authority."""
    return AuthorityPublic.model_validate(
        service.create_authority(session=session, actor=admin, data=data))


@admin_router.post("/organizations", response_model=OrganizationPublic, status_code=201)
def create_organization(data: OrganizationCreate, admin: AdminUser,
                        session: SessionDep) -> OrganizationPublic:
    """Register an organization."""
    return OrganizationPublic.model_validate(
        service.create_organization(session=session, actor=admin, data=data))


__all__ = ["admin_router", "router"]
