"""A pilot's history, read from the audit log: who moved it, when, from what to what, why."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from lab.audit import service as audit
from lab.auth.models import User
from lab.common import Page, PageParams
from lab.directory.models import Authority, Organization
from lab.pilots import service as pilots

# What an entry may show of its before/after: never the protocol itself or a storage key.
_SHOWN = ("status", "protocol_version", "protocol_hash", "previous_hash", "authority_id",
          "approved_protocol_version", "evaluation_id", "recommendation", "exploratory",
          "kpi", "rows", "measurement_id", "replaces", "grant_id", "dataset_id")


class HistoryEntry(BaseModel):
    at: datetime = Field(description="When it happened (ISO 8601, UTC)")
    action: str = Field(description="What happened: `pilot.submit`, `approval.approved`, "
                                    "`pilot.suspend`, `measurement.withdraw`, …")
    from_status: str | None = Field(description="The pilot's status before, for a transition")
    to_status: str | None = Field(description="The pilot's status after, for a transition")
    actor_id: uuid.UUID | None = Field(description="Who did it; null for the platform itself")
    actor_name: str | None = Field(description="That person's name, or null (platform, "
                                                "erased account, no name given)")
    actor_role: str | None = Field(description="Their role at the time: startup, city, admin…")
    actor_affiliation: str | None = Field(
        description="Their authority (city) or organization (startup), when known")
    reason: str | None = Field(description="Why, when given (a comment, a reason)")
    details: dict[str, Any] = Field(
        description="Other facts of the entry: protocol_version, protocol_hash, kpi, …")


def _names(session: Session, actor_ids: set[uuid.UUID]) -> dict[uuid.UUID, tuple[str | None,
                                                                                   str | None]]:
    if not actor_ids:
        return {}
    users = list(session.exec(select(User).where(col(User.id).in_(actor_ids))))
    authorities = {a.id: a.name for a in session.exec(select(Authority).where(
        col(Authority.id).in_({u.authority_id for u in users if u.authority_id})))}
    organizations = {o.id: o.name for o in session.exec(select(Organization).where(
        col(Organization.id).in_({u.organization_id for u in users if u.organization_id})))}
    return {u.id: (u.full_name or None,
                   authorities.get(u.authority_id) if u.authority_id else
                   organizations.get(u.organization_id) if u.organization_id else None)
            for u in users}


def pilot_history(*, session: Session, actor: User, pilot_id: uuid.UUID,
                  page: PageParams) -> Page[HistoryEntry]:
    """The pilot's audit entries, oldest first (whoever may see the pilot)."""
    pilot = pilots.get_pilot(session=session, actor=actor, pilot_id=pilot_id)
    found = audit.object_entries(session=session, object_type="pilot", object_id=pilot.id,
                                 page=page)
    names = _names(session, {e.actor_id for e in found.items if e.actor_id})
    items = []
    for entry in found.items:
        before, after = entry.before or {}, entry.after or {}
        name, affiliation = names.get(entry.actor_id, (None, None)) if entry.actor_id else (
            None, None)
        items.append(HistoryEntry(
            at=entry.at, action=entry.action,
            from_status=before.get("status") if "status" in after else None,
            to_status=after.get("status"), actor_id=entry.actor_id, actor_name=name,
            actor_role=entry.actor_role, actor_affiliation=affiliation, reason=entry.reason,
            details={k: after[k] for k in _SHOWN if k in after and k != "status"}))
    return Page(items=items, total=found.total, limit=found.limit, offset=found.offset)


__all__ = ["HistoryEntry", "pilot_history"]
