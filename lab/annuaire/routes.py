"""The public directory, and an organization editing its own entry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from lab.annuaire import service
from lab.annuaire.models import DirectoryOrganization, Entry, EntryUpdate
from lab.common import Page, PageParams, page_params
from lab.deps import CurrentUser, SessionDep

# Public: the directory of who takes part is meant for anyone (contact addresses only when
# their organization chose to show them).
public_router = APIRouter(prefix="/public/directory", tags=["public"])
router = APIRouter(prefix="/organizations/me", tags=["directory"])
Pagination = Annotated[PageParams, Depends(page_params)]


@public_router.get("", response_model=Page[DirectoryOrganization])
def get_directory(session: SessionDep, page: Pagination,
                  domain: Annotated[str | None, Query(max_length=64, description=(
                      "Only prototypes of this domain (mobility, energy…)"))] = None
                  ) -> Page[DirectoryOrganization]:
    """Organizations taking part, with their prototypes by domain and their pilots' results."""
    return service.directory(session=session, page=page, domain=domain)


@router.get("", response_model=Entry)
def get_entry(user: CurrentUser, session: SessionDep) -> Entry:
    """Your organization's directory entry."""
    return service.get_entry(session=session, actor=user)


@router.patch("", response_model=Entry)
def update_entry(data: EntryUpdate, user: CurrentUser, session: SessionDep) -> Entry:
    """Edit your organization's entry (description, website, contact, whether it shows)."""
    return service.update_entry(session=session, actor=user, data=data)


__all__ = ["public_router", "router"]
