"""Reading the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from lab.audit import service
from lab.audit.models import AuditLogPublic
from lab.common import Page, PageParams, page_params
from lab.deps import CurrentUser, SessionDep

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=Page[AuditLogPublic])
def list_entries(
    user: CurrentUser,
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    object_type: Annotated[str | None, Query(max_length=64)] = None,
    object_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[AuditLogPublic]:
    """Audit entries, newest first, optionally for one object."""
    result = service.list_entries(session=session, actor=user, page=page,
                                  object_type=object_type, object_id=object_id)
    return Page(items=[AuditLogPublic.model_validate(e) for e in result.items],
                total=result.total, limit=result.limit, offset=result.offset)


__all__ = ["router"]
