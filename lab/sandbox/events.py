"""The access log: one append-only event per link or credential issued and per download.

The table refuses UPDATE and DELETE at the database level (migration 0004). City members
read the events of their authority's datasets and of the pilots their authority approved,
a startup those of its own pilots, an administrator all of them; as a page, or as CSV.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from lab.auth.models import Role, User
from lab.common import Page, PageParams, as_utc
from lab.exceptions import PermissionDenied
from lab.pilots import service as pilots
from lab.sandbox import service as grants
from lab.sandbox.models import AccessEvent, AccessMethod

CSV_COLUMNS = ("id", "at", "actor_id", "actor_role", "pilot_id", "grant_id", "method",
               "objects", "valid_until", "client_address", "user_agent", "detail")
_CSV_BATCH = 1000
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """Who is on the other end of the request."""

    address: str
    user_agent: str


def record(*, session: Session, actor: User, client: ClientInfo, method: AccessMethod,
           pilot_id: uuid.UUID, organization_id: uuid.UUID, objects: list[str],
           grant_id: uuid.UUID | None = None, authority_id: uuid.UUID | None = None,
           valid_until: datetime | None = None,
           detail: dict[str, object] | None = None) -> AccessEvent:
    """Add one event (committed with the caller's transaction). Never pass a secret."""
    event = AccessEvent(actor_id=actor.id, actor_role=str(actor.role), pilot_id=pilot_id,
                        organization_id=organization_id, grant_id=grant_id,
                        authority_id=authority_id, method=method, objects=objects,
                        valid_until=valid_until, client_address=client.address[:64],
                        user_agent=client.user_agent[:500], detail=detail)
    session.add(event)
    return event


def _visible(session: Session, actor: User, grant_id: uuid.UUID | None,
             pilot_id: uuid.UUID | None) -> SelectOfScalar[AccessEvent]:
    query = select(AccessEvent)
    if actor.role == Role.city:
        # The dataset's authority, and every authority that approved the pilot.
        query = query.where(or_(
            col(AccessEvent.authority_id) == actor.authority_id,
            col(AccessEvent.pilot_id).in_(grants.approved_pilots(actor.authority_id))))
    elif actor.role == Role.startup:
        query = query.where(AccessEvent.organization_id == actor.organization_id)
    elif actor.role != Role.admin:
        raise PermissionDenied("Only startups, city members and administrators read the "
                               "access log.")
    if grant_id is not None:
        grants.get_grant(session=session, actor=actor, grant_id=grant_id)  # 404 if hidden
        query = query.where(AccessEvent.grant_id == grant_id)
    if pilot_id is not None:
        pilot = pilots.get_pilot(session=session, actor=actor, pilot_id=pilot_id)
        if actor.role == Role.startup:
            pilots.require_owner(actor, pilot)
        query = query.where(AccessEvent.pilot_id == pilot_id)
    return query


def list_events(*, session: Session, actor: User, page: PageParams,
                grant_id: uuid.UUID | None = None,
                pilot_id: uuid.UUID | None = None) -> Page[AccessEvent]:
    """Events the actor may read, newest first."""
    query = _visible(session, actor, grant_id, pilot_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(AccessEvent.id).desc())
                        .offset(page.offset).limit(page.limit))
    return Page(items=list(rows), total=total, limit=page.limit, offset=page.offset)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, list):
        text = " ".join(str(v) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, sort_keys=True, default=str)
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_csv(*, session: Session, actor: User, grant_id: uuid.UUID | None = None,
               pilot_id: uuid.UUID | None = None) -> Iterator[str]:
    """Every event the actor may read, oldest first, as CSV text in chunks."""
    query = _visible(session, actor, grant_id, pilot_id)  # checks before the first byte

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        after = 0
        while True:
            batch = session.exec(query.where(col(AccessEvent.id) > after)
                                 .order_by(col(AccessEvent.id)).limit(_CSV_BATCH)).all()
            for event in batch:
                writer.writerow([_cell(getattr(event, name)) for name in CSV_COLUMNS])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if len(batch) < _CSV_BATCH:
                return
            after = batch[-1].id or after

    return rows()


__all__ = ["CSV_COLUMNS", "ClientInfo", "export_csv", "list_events", "record"]
