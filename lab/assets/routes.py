"""Assets: read by any signed-in user, curated by city members of the owning authority."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from lab.assets import service
from lab.assets.models import AssetCreate, AssetKind, AssetPublic, AssetUpdate
from lab.common import Page, PageParams, page_params
from lab.deps import CurrentUser, SessionDep
from lab.exceptions import InvalidInput

router = APIRouter(prefix="/assets", tags=["catalog"])
Pagination = Annotated[PageParams, Depends(page_params)]


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    try:
        lon0, lat0, lon1, lat1 = (float(v) for v in value.split(","))
    except ValueError:
        raise InvalidInput("bbox is `min_lon,min_lat,max_lon,max_lat`.", field="bbox") from None
    if not (-180 <= lon0 <= lon1 <= 180 and -90 <= lat0 <= lat1 <= 90):
        raise InvalidInput("bbox must be ordered and within WGS84 ranges.", field="bbox")
    return lon0, lat0, lon1, lat1


@router.get("", response_model=Page[AssetPublic])
def list_assets(
    session: SessionDep,
    page: Pagination,
    authority_id: uuid.UUID | None = None,
    kind: AssetKind | None = None,
    zone: Annotated[str | None, Query(max_length=64, description="Zone code")] = None,
    bbox: Annotated[str | None, Query(description="min_lon,min_lat,max_lon,max_lat")] = None,
) -> Page[AssetPublic]:
    """Assets filtered by authority, kind, zone and bounding box."""
    result = service.list_assets(session=session, page=page, authority_id=authority_id,
                                 kind=kind, zone_code=zone, within=_bbox(bbox))
    return Page(items=[AssetPublic.model_validate(a) for a in result.items],
                total=result.total, limit=result.limit, offset=result.offset)


@router.post("", response_model=AssetPublic, status_code=201)
def create_asset(data: AssetCreate, user: CurrentUser, session: SessionDep) -> AssetPublic:
    """Register an asset of the city member's authority."""
    return AssetPublic.model_validate(
        service.create_asset(session=session, actor=user, data=data))


@router.post("/import", response_model=list[AssetPublic], status_code=201)
def import_assets(
    user: CurrentUser,
    session: SessionDep,
    collection: Annotated[dict[str, Any], Body(description="GeoJSON FeatureCollection; "
                                               "properties kind, name, external_ref, "
                                               "zone_code, and free attributes")],
    authority_id: uuid.UUID | None = None,
) -> list[AssetPublic]:
    """Register many assets from GeoJSON; nothing is created if one feature is invalid."""
    assets = service.import_assets(session=session, actor=user, collection=collection,
                                   authority_id=authority_id)
    return [AssetPublic.model_validate(a) for a in assets]


@router.get("/{asset_id}", response_model=AssetPublic)
def get_asset(asset_id: uuid.UUID, session: SessionDep) -> AssetPublic:
    """One asset."""
    return AssetPublic.model_validate(service.get_asset(session=session, asset_id=asset_id))


@router.patch("/{asset_id}", response_model=AssetPublic)
def update_asset(asset_id: uuid.UUID, data: AssetUpdate, user: CurrentUser,
                 session: SessionDep) -> AssetPublic:
    """Edit an asset."""
    return AssetPublic.model_validate(
        service.update_asset(session=session, actor=user, asset_id=asset_id, data=data))


__all__ = ["router"]
