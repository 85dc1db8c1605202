"""Zones of the territory: read by anyone (boundaries only), curated by city members."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from lab.common import Page, PageParams, page_params
from lab.deps import CurrentUser, SessionDep
from lab.zones import service
from lab.zones.models import PublicZone, ZoneCreate, ZonePublic, ZoneUpdate

# Public: district boundaries are public information, and the public map draws them so that
# people see where a pilot runs in their commune. Code, name, owner's name and outline only.
public_router = APIRouter(prefix="/public/zones", tags=["public"])
router = APIRouter(prefix="/zones", tags=["catalog"])
Pagination = Annotated[PageParams, Depends(page_params)]


@public_router.get("", response_model=Page[PublicZone])
def public_zones(session: SessionDep, page: Pagination,
                 authority_id: Annotated[uuid.UUID | None, Query(
                     description="Only zones of this authority")] = None) -> Page[PublicZone]:
    """Zones of the territory by code, with their outline, for anyone."""
    return service.public_zones(session=session, page=page, authority_id=authority_id)


@router.get("", response_model=Page[ZonePublic])
def list_zones(session: SessionDep, page: Pagination,
               authority_id: uuid.UUID | None = None) -> Page[ZonePublic]:
    """Zones by code."""
    result = service.list_zones(session=session, page=page, authority_id=authority_id)
    return Page(items=[ZonePublic.model_validate(z) for z in result.items], total=result.total,
                limit=result.limit, offset=result.offset)


@router.post("", response_model=ZonePublic, status_code=201)
def create_zone(data: ZoneCreate, user: CurrentUser, session: SessionDep) -> ZonePublic:
    """Create a zone (city members, for their authority)."""
    return ZonePublic.model_validate(service.create_zone(session=session, actor=user, data=data))


@router.post("/import", response_model=list[ZonePublic], status_code=201)
def import_zones(
    user: CurrentUser,
    session: SessionDep,
    collection: Annotated[dict[str, Any], Body(description="GeoJSON FeatureCollection whose "
                                               "features have properties `code` and `name`")],
    authority_id: uuid.UUID | None = None,
) -> list[ZonePublic]:
    """Create many zones at once from GeoJSON; nothing is created if one feature is invalid."""
    zones = service.import_zones(session=session, actor=user, collection=collection,
                                 authority_id=authority_id)
    return [ZonePublic.model_validate(z) for z in zones]


@router.get("/{zone_id}", response_model=ZonePublic)
def get_zone(zone_id: uuid.UUID, session: SessionDep) -> ZonePublic:
    """One zone."""
    return ZonePublic.model_validate(service.get_zone(session=session, zone_id=zone_id))


@router.patch("/{zone_id}", response_model=ZonePublic)
def update_zone(zone_id: uuid.UUID, data: ZoneUpdate, user: CurrentUser,
                session: SessionDep) -> ZonePublic:
    """Rename or redraw a zone."""
    return ZonePublic.model_validate(
        service.update_zone(session=session, actor=user, zone_id=zone_id, data=data))


__all__ = ["public_router", "router"]
