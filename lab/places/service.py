"""Places: managed by city members of their authority, listed publicly for the map."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from lab.audit import service as audit
from lab.auth.models import Role, User
from lab.citizens.access import concerned_authorities
from lab.common import Page, PageParams, utcnow
from lab.directory.models import Authority
from lab.exceptions import InvalidInput, NotFound, PermissionDenied
from lab.places.models import (
    Place,
    PlaceCreate,
    PlaceKind,
    PlacePilot,
    PlacePublic,
    PlaceUpdate,
)


def _curator(actor: User) -> uuid.UUID:
    if actor.role != Role.city or actor.authority_id is None:
        raise PermissionDenied("Only city members manage their authority's places.")
    return actor.authority_id


def _check_pilots(session: Session, authority_id: uuid.UUID,
                  pilot_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    unique = list(dict.fromkeys(pilot_ids))
    for pilot_id in unique:
        if authority_id not in concerned_authorities(session, pilot_id):
            raise InvalidInput(f"Pilot {pilot_id} does not concern your authority: a place "
                               "handles only pilots its authority takes part in.",
                               field="pilot_ids")
    return unique


def _pilot_ids(session: Session, place_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    out: dict[uuid.UUID, list[uuid.UUID]] = {p: [] for p in place_ids}
    for place_id, pilot_id in session.exec(
            select(PlacePilot.place_id, PlacePilot.pilot_id)
            .where(col(PlacePilot.place_id).in_(place_ids))
            .order_by(col(PlacePilot.pilot_id))).all():
        out[place_id].append(pilot_id)
    return out


def _public(session: Session, places: list[Place]) -> list[PlacePublic]:
    pilots = _pilot_ids(session, [p.id for p in places])
    names = dict(session.exec(select(Authority.id, Authority.name).where(
        col(Authority.id).in_({p.authority_id for p in places}))).all())
    return [PlacePublic(id=p.id, authority_id=p.authority_id, kind=PlaceKind(p.kind),
                        name=p.name, address=p.address, opening_hours=p.opening_hours,
                        phone=p.phone, lon=p.lon, lat=p.lat, updated_at=p.updated_at,
                        authority_name=names[p.authority_id],
                        geometry={"type": "Point", "coordinates": [p.lon, p.lat]},
                        pilot_ids=pilots[p.id]) for p in places]


def to_public(session: Session, place: Place) -> PlacePublic:
    """The place as anyone reads it."""
    return _public(session, [place])[0]


def create_place(*, session: Session, actor: User, data: PlaceCreate) -> Place:
    """A city member adds a place of its authority."""
    authority_id = _curator(actor)
    pilots = _check_pilots(session, authority_id, data.pilot_ids)
    place = Place.model_validate(data, update={"authority_id": authority_id})
    session.add(place)
    session.flush()
    session.add_all(PlacePilot(place_id=place.id, pilot_id=p) for p in pilots)
    audit.record(session=session, actor=actor, action="place.create", object_type="place",
                 object_id=place.id, after=data.model_dump(mode="json"))
    session.commit()
    return place


def get_place(*, session: Session, place_id: uuid.UUID) -> Place:
    """One place or 404."""
    place = session.get(Place, place_id)
    if place is None:
        raise NotFound("No such place.")
    return place


def _own_place(session: Session, actor: User, place_id: uuid.UUID) -> Place:
    authority_id = _curator(actor)
    place = get_place(session=session, place_id=place_id)
    if place.authority_id != authority_id:
        raise PermissionDenied("This place belongs to another authority.")
    return place


def update_place(*, session: Session, actor: User, place_id: uuid.UUID,
                 data: PlaceUpdate) -> Place:
    """Change a place of the actor's authority."""
    place = _own_place(session, actor, place_id)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True, mode="json")
    pilots = changes.pop("pilot_ids", None)
    for field in ("kind", "name", "address", "lon", "lat"):
        if field in changes and changes[field] is None:
            raise InvalidInput(f"{field} cannot be removed.", field=field)
    if pilots is not None:
        checked = _check_pilots(session, place.authority_id, [uuid.UUID(p) for p in pilots])
        session.execute(delete(PlacePilot).where(col(PlacePilot.place_id) == place.id))
        session.add_all(PlacePilot(place_id=place.id, pilot_id=p) for p in checked)
    for field, value in changes.items():
        setattr(place, field, value)
    place.updated_at = utcnow()
    session.add(place)
    audit.record(session=session, actor=actor, action="place.update", object_type="place",
                 object_id=place.id, after={**changes, **({"pilot_ids": pilots}
                                                         if pilots is not None else {})})
    session.commit()
    return place


def delete_place(*, session: Session, actor: User, place_id: uuid.UUID) -> None:
    """Remove a place (feedback recorded there keeps its answers, without the place)."""
    place = _own_place(session, actor, place_id)
    session.execute(delete(PlacePilot).where(col(PlacePilot.place_id) == place.id))
    audit.record(session=session, actor=actor, action="place.delete", object_type="place",
                 object_id=place.id, before={"name": place.name})
    session.delete(place)
    session.commit()


def list_places(*, session: Session, page: PageParams, pilot_id: uuid.UUID | None = None,
                authority_id: uuid.UUID | None = None) -> Page[PlacePublic]:
    """Places by name, optionally those handling one pilot, or of one authority."""
    query = select(Place)
    if pilot_id is not None:
        query = query.where(col(Place.id).in_(
            select(PlacePilot.place_id).where(PlacePilot.pilot_id == pilot_id)))
    if authority_id is not None:
        query = query.where(Place.authority_id == authority_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = list(session.exec(query.order_by(col(Place.name), col(Place.id))
                             .offset(page.offset).limit(page.limit)).all())
    return Page(items=_public(session, rows), total=total, limit=page.limit,
                offset=page.offset)


def check_for_mediator(session: Session, actor: User, place_id: uuid.UUID) -> None:
    """Refuse a place that is not of the mediator's authority (422 naming `place_id`)."""
    place = session.get(Place, place_id)
    if place is None or place.authority_id != actor.authority_id:
        raise InvalidInput("No such place in your authority.", field="place_id")


__all__ = ["check_for_mediator", "create_place", "delete_place", "get_place", "list_places",
           "to_public", "update_place"]
