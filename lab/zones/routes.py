"""Zones of the territory: read by any signed-in user, curated by city members."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends

from lab.common import Page, PageParams, page_params
from lab.deps import CurrentUser, SessionDep
from lab.zones import service
from lab.zones.models import ZoneCreate, ZonePublic, ZoneUpdate

router = APIRouter(prefix="/zones", tags=["catalog"])
Pagination = Annotated[PageParams, Depends(page_params)]


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


__all__ = ["router"]
