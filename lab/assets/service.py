"""Assets: create, edit, import, list with filters."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from lab.assets.models import Asset, AssetCreate, AssetKind, AssetUpdate
from lab.audit import service as audit
from lab.auth.models import User
from lab.catalog_rules import owning_authority, require_curator
from lab.common import Page, PageParams, paginate, utcnow
from lab.directory import service as directory
from lab.exceptions import InvalidInput, NotFound
from lab.geo import bbox, features, first_error
from lab.zones import service as zones

_CORE_PROPERTIES = ("kind", "name", "external_ref", "zone_code")


def _check_zone(session: Session, code: str | None, field: str = "zone_code") -> None:
    if code is not None and not zones.zones_by_code(session=session, codes=[code]):
        raise InvalidInput(f"Unknown zone code {code!r}.", field=field)


def _new_asset(data: AssetCreate, authority_id: uuid.UUID) -> Asset:
    lon0, lat0, lon1, lat1 = bbox(data.geometry)
    return Asset.model_validate(data, update={
        "authority_id": authority_id, "min_lon": lon0, "min_lat": lat0, "max_lon": lon1,
        "max_lat": lat1})


def _snapshot(asset: Asset) -> dict[str, Any]:
    return {"kind": str(asset.kind), "name": asset.name, "zone_code": asset.zone_code,
            "external_ref": asset.external_ref, "attributes": asset.attributes}


def create_asset(*, session: Session, actor: User, data: AssetCreate) -> Asset:
    """Create an asset owned by the actor's authority."""
    authority_id = owning_authority(actor, data.authority_id)
    directory.get_authority(session=session, authority_id=authority_id)
    _check_zone(session, data.zone_code)
    asset = _new_asset(data, authority_id)
    session.add(asset)
    session.flush()
    audit.record(session=session, actor=actor, action="asset.create", object_type="asset",
                 object_id=asset.id, after=_snapshot(asset))
    session.commit()
    session.refresh(asset)
    return asset


def import_assets(*, session: Session, actor: User, collection: dict[str, Any],
                  authority_id: uuid.UUID | None = None) -> list[Asset]:
    """Create assets from a GeoJSON FeatureCollection; all or none.

    Properties `kind`, `name`, `external_ref`, `zone_code` fill the fields; the others are
    kept as free attributes.
    """
    authority = owning_authority(actor, authority_id)
    assets = []
    for index, feature in enumerate(features(collection)):
        props = dict(feature.get("properties") or {})
        core = {k: props.pop(k) for k in _CORE_PROPERTIES if k in props}
        try:
            data = AssetCreate(**core, geometry=feature.get("geometry") or {}, attributes=props)
        except ValidationError as exc:
            raise InvalidInput(f"feature {index}: {first_error(exc)}",
                               field=f"features[{index}]") from None
        _check_zone(session, data.zone_code, f"features[{index}].properties.zone_code")
        assets.append(_new_asset(data, authority))
    session.add_all(assets)
    session.flush()
    for asset in assets:
        audit.record(session=session, actor=actor, action="asset.import", object_type="asset",
                     object_id=asset.id, after=_snapshot(asset))
    session.commit()
    for asset in assets:
        session.refresh(asset)
    return assets


def get_asset(*, session: Session, asset_id: uuid.UUID) -> Asset:
    """One asset or 404."""
    asset = session.get(Asset, asset_id)
    if asset is None:
        raise NotFound("No such asset.")
    return asset


def update_asset(*, session: Session, actor: User, asset_id: uuid.UUID,
                 data: AssetUpdate) -> Asset:
    """Edit an asset (city members of its authority)."""
    asset = get_asset(session=session, asset_id=asset_id)
    require_curator(actor, asset.authority_id)
    changes = data.model_dump(exclude_unset=True)
    if "zone_code" in changes:
        _check_zone(session, changes["zone_code"])
    before = _snapshot(asset)
    for name, value in changes.items():
        setattr(asset, name, value)
    if data.geometry is not None:
        asset.min_lon, asset.min_lat, asset.max_lon, asset.max_lat = bbox(data.geometry)
    asset.updated_at = utcnow()
    session.add(asset)
    audit.record(session=session, actor=actor, action="asset.update", object_type="asset",
                 object_id=asset.id, before=before, after=_snapshot(asset))
    session.commit()
    session.refresh(asset)
    return asset


def list_assets(
    *,
    session: Session,
    page: PageParams,
    authority_id: uuid.UUID | None = None,
    kind: AssetKind | None = None,
    zone_code: str | None = None,
    within: tuple[float, float, float, float] | None = None,
) -> Page[Asset]:
    """Assets filtered by authority, kind, zone and bounding box (those that intersect it)."""
    query = select(Asset)
    if authority_id is not None:
        query = query.where(Asset.authority_id == authority_id)
    if kind is not None:
        query = query.where(Asset.kind == kind)
    if zone_code is not None:
        query = query.where(Asset.zone_code == zone_code)
    if within is not None:
        lon0, lat0, lon1, lat1 = within
        query = query.where(Asset.min_lon <= lon1, Asset.max_lon >= lon0,
                            Asset.min_lat <= lat1, Asset.max_lat >= lat0)
    return paginate(session, query, page, col(Asset.name), col(Asset.id))


def assets_by_id(*, session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, Asset]:
    """The assets with these ids (unknown ids are absent)."""
    if not ids:
        return {}
    return {a.id: a for a in session.exec(select(Asset).where(col(Asset.id).in_(ids)))}


__all__ = ["assets_by_id", "create_asset", "get_asset", "import_assets", "list_assets",
           "update_asset"]
