"""Writing and reading the audit log."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from lab.audit.models import AuditLog
from lab.auth.models import Role, User
from lab.common import Page, PageParams, paginate
from lab.exceptions import PermissionDenied


def record(
    *,
    session: Session,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditLog:
    """Add one entry to the audit log (committed with the caller's transaction)."""
    entry = AuditLog(
        actor_id=actor.id if actor else None,
        actor_role=str(actor.role) if actor else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
    )
    session.add(entry)
    return entry


def _jsonable(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, uuid.UUID):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[key] = value
    return out


def list_entries(
    *,
    session: Session,
    actor: User,
    page: PageParams,
    object_type: str | None = None,
    object_id: str | None = None,
) -> Page[AuditLog]:
    """Entries, newest first, filtered by object; readable by admins and city members."""
    if actor.role not in (Role.admin, Role.city):
        raise PermissionDenied("Only city members and administrators read the audit log.")
    query = select(AuditLog)
    if object_type:
        query = query.where(AuditLog.object_type == object_type)
    if object_id:
        query = query.where(AuditLog.object_id == object_id)
    return paginate(session, query, page, col(AuditLog.id).desc())


def object_entries(*, session: Session, object_type: str, object_id: Any,
                   page: PageParams) -> Page[AuditLog]:
    """One object's entries, oldest first; the caller checks the reader may see the object."""
    query = select(AuditLog).where(AuditLog.object_type == object_type,
                                   AuditLog.object_id == str(object_id))
    return paginate(session, query, page, col(AuditLog.id))


__all__ = ["list_entries", "object_entries", "record"]
