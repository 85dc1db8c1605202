"""Zones: create, import, list."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from lab.audit import service as audit
from lab.auth.models import User
from lab.catalog_rules import owning_authority, require_curator
from lab.common import Page, PageParams, paginate
from lab.directory import service as directory
from lab.directory.models import Authority
from lab.exceptions import Conflict, InvalidInput, NotFound
from lab.geo import bbox, features, first_error
from lab.zones.models import PublicZone, Zone, ZoneCreate, ZoneUpdate


def _new_zone(data: ZoneCreate) -> Zone:
    lon0, lat0, lon1, lat1 = bbox(data.geometry)
    return Zone.model_validate(data, update={"min_lon": lon0, "min_lat": lat0,
                                             "max_lon": lon1, "max_lat": lat1})


def create_zone(*, session: Session, actor: User, data: ZoneCreate) -> Zone:
    """Create a zone owned by the actor's authority."""
    data.authority_id = owning_authority(actor, data.authority_id)
    directory.get_authority(session=session, authority_id=data.authority_id)
    if session.exec(select(Zone).where(Zone.code == data.code)).first():
        raise Conflict(f"A zone with code {data.code!r} already exists.", field="code")
    zone = _new_zone(data)
    session.add(zone)
    session.flush()
    audit.record(session=session, actor=actor, action="zone.create", object_type="zone",
                 object_id=zone.id, after={"code": zone.code, "name": zone.name})
    session.commit()
    session.refresh(zone)
    return zone


def import_zones(*, session: Session, actor: User, collection: dict[str, Any],
                 authority_id: uuid.UUID | None = None) -> list[Zone]:
    """Create zones from a GeoJSON FeatureCollection (properties `code`, `name`); all or none."""
    authority = owning_authority(actor, authority_id)
    zones: list[Zone] = []
    seen: set[str] = set()
    for index, feature in enumerate(features(collection)):
        props = feature.get("properties") or {}
        try:
            data = ZoneCreate(code=str(props.get("code", "")), name=str(props.get("name", "")),
                              authority_id=authority, geometry=feature.get("geometry") or {})
        except ValidationError as exc:
            raise InvalidInput(f"feature {index}: {first_error(exc)}",
                               field=f"features[{index}]") from None
        if data.code in seen or session.exec(select(Zone).where(Zone.code == data.code)).first():
            raise Conflict(f"feature {index}: zone code {data.code!r} already exists.",
                           field=f"features[{index}].properties.code")
        seen.add(data.code)
        zones.append(_new_zone(data))
    session.add_all(zones)
    session.flush()
    for zone in zones:
        audit.record(session=session, actor=actor, action="zone.import", object_type="zone",
                     object_id=zone.id, after={"code": zone.code, "name": zone.name})
    session.commit()
    for zone in zones:
        session.refresh(zone)
    return zones


def update_zone(*, session: Session, actor: User, zone_id: uuid.UUID, data: ZoneUpdate) -> Zone:
    """Rename or redraw a zone (city members of its authority)."""
    zone = get_zone(session=session, zone_id=zone_id)
    require_curator(actor, zone.authority_id)
    before = {"name": zone.name, "geometry": zone.geometry}
    if data.name is not None:
        zone.name = data.name
    if data.geometry is not None:
        zone.geometry = data.geometry
        zone.min_lon, zone.min_lat, zone.max_lon, zone.max_lat = bbox(data.geometry)
    session.add(zone)
    audit.record(session=session, actor=actor, action="zone.update", object_type="zone",
                 object_id=zone.id, before=before,
                 after={"name": zone.name, "geometry": zone.geometry})
    session.commit()
    session.refresh(zone)
    return zone


def get_zone(*, session: Session, zone_id: uuid.UUID) -> Zone:
    """One zone or 404."""
    zone = session.get(Zone, zone_id)
    if zone is None:
        raise NotFound("No such zone.")
    return zone


def zones_by_code(*, session: Session, codes: Iterable[str]) -> dict[str, Zone]:
    """The zones with these codes, by code (unknown codes are simply absent)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = session.exec(select(Zone).where(col(Zone.code).in_(wanted))).all()
    return {z.code: z for z in rows}


def list_zones(*, session: Session, page: PageParams,
               authority_id: uuid.UUID | None = None) -> Page[Zone]:
    """Zones by code, optionally of one authority."""
    query = select(Zone)
    if authority_id is not None:
        query = query.where(Zone.authority_id == authority_id)
    return paginate(session, query, page, col(Zone.code))


def public_zones(*, session: Session, page: PageParams,
                 authority_id: uuid.UUID | None = None) -> Page[PublicZone]:
    """Zones by code with their owner's name and nothing internal: anyone may read them."""
    found = list_zones(session=session, page=page, authority_id=authority_id)
    owners = dict(session.exec(select(Authority.id, Authority.name).where(
        col(Authority.id).in_({z.authority_id for z in found.items}))).all())
    return Page(items=[PublicZone(code=z.code, name=z.name, geometry=z.geometry,
                                  authority=owners.get(z.authority_id, ""))
                       for z in found.items],
                total=found.total, limit=found.limit, offset=found.offset)


__all__ = ["create_zone", "get_zone", "import_zones", "list_zones", "public_zones",
           "update_zone", "zones_by_code"]
