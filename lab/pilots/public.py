"""What citizens see of pilots: running ones, in plain language, with their area."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, func, select

from lab.common import Page, PageParams
from lab.pilots.models import Pilot, PilotStatus
from lab.pilots.protocol import Protocol
from lab.zones import service as zones


class PublicPilot(BaseModel):
    id: uuid.UUID
    title: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    area: dict[str, Any]


def running_pilots(*, session: Session, page: PageParams) -> Page[PublicPilot]:
    """Running pilots, newest first, with a GeoJSON FeatureCollection of their zones."""
    query = select(Pilot).where(Pilot.status == PilotStatus.running)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Pilot.started_at).desc(), col(Pilot.id))
                        .offset(page.offset).limit(page.limit))
    items = []
    for pilot in rows:
        protocol = Protocol.model_validate(pilot.protocol)
        found = zones.zones_by_code(session=session, codes=protocol.treated_zones)
        features = [{"type": "Feature", "geometry": z.geometry,
                     "properties": {"code": z.code, "name": z.name}} for z in found.values()]
        items.append(PublicPilot(id=pilot.id, title=pilot.title, summary=pilot.public_summary,
                                 starts_at=protocol.pilot.start, ends_at=protocol.pilot.end,
                                 area={"type": "FeatureCollection", "features": features}))
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


__all__ = ["PublicPilot", "running_pilots"]
