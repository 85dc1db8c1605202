"""Places: city members manage theirs; anyone lists them (the map, pilot pages)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from lab.common import Page, PageParams, page_params
from lab.deps import CurrentUser, SessionDep
from lab.places import service
from lab.places.models import PlaceCreate, PlacePublic, PlaceUpdate

# Public: where to take part in person is meant for people without an account (or a phone).
public_router = APIRouter(prefix="/public/places", tags=["public"])
router = APIRouter(prefix="/places", tags=["places"])
Pagination = Annotated[PageParams, Depends(page_params)]


@public_router.get("", response_model=Page[PlacePublic])
def public_places(session: SessionDep, page: Pagination,
                  pilot_id: Annotated[uuid.UUID | None, Query(
                      description="Only places handling this pilot")] = None,
                  authority_id: Annotated[uuid.UUID | None, Query(
                      description="Only places of this authority")] = None
                  ) -> Page[PlacePublic]:
    """Places where people take part in person, by name."""
    return service.list_places(session=session, page=page, pilot_id=pilot_id,
                               authority_id=authority_id)


@router.get("", response_model=Page[PlacePublic])
def list_places(user: CurrentUser, session: SessionDep, page: Pagination) -> Page[PlacePublic]:
    """Your authority's places (all places for users without an authority)."""
    return service.list_places(session=session, page=page, authority_id=user.authority_id)


@router.post("", response_model=PlacePublic, status_code=201)
def create_place(data: PlaceCreate, user: CurrentUser, session: SessionDep) -> PlacePublic:
    """Add a place of your authority."""
    return service.to_public(session, service.create_place(session=session, actor=user,
                                                           data=data))


@router.get("/{place_id}", response_model=PlacePublic)
def get_place(place_id: uuid.UUID, session: SessionDep) -> PlacePublic:
    """One place."""
    return service.to_public(session, service.get_place(session=session, place_id=place_id))


@router.patch("/{place_id}", response_model=PlacePublic)
def update_place(place_id: uuid.UUID, data: PlaceUpdate, user: CurrentUser,
                 session: SessionDep) -> PlacePublic:
    """Change a place of your authority (`pilot_ids` replaces the list)."""
    return service.to_public(session, service.update_place(
        session=session, actor=user, place_id=place_id, data=data))


@router.delete("/{place_id}", status_code=204)
def delete_place(place_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    """Remove a place of your authority."""
    service.delete_place(session=session, actor=user, place_id=place_id)
    return Response(status_code=204)


__all__ = ["public_router", "router"]
