"""Reading the state of background jobs."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from lab.common import Page, PageParams, page_params
from lab.deps import AdminUser, CurrentUser, SessionDep
from lab.jobs import service
from lab.jobs.models import JobPublic

router = APIRouter(prefix="/jobs", tags=["jobs"])
admin_router = APIRouter(prefix="/admin/jobs", tags=["admin"])


@router.get("", response_model=Page[JobPublic])
def list_jobs(user: CurrentUser, session: SessionDep,
              page: Annotated[PageParams, Depends(page_params)]) -> Page[JobPublic]:
    """Your jobs, newest first."""
    result = service.list_jobs(session=session, actor=user, page=page)
    return Page(items=[JobPublic.model_validate(j) for j in result.items], total=result.total,
                limit=result.limit, offset=result.offset)


@router.get("/{job_id}", response_model=JobPublic)
def get_job(job_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> JobPublic:
    """One job: status, progress, result or error."""
    return JobPublic.model_validate(service.get_job(session=session, actor=user, job_id=job_id))


@admin_router.post("/selfcheck", response_model=JobPublic, status_code=202)
def start_selfcheck(admin: AdminUser, session: SessionDep) -> JobPublic:
    """Queue a check that the worker reaches the database and every bucket."""
    return JobPublic.model_validate(
        service.enqueue(session=session, actor=admin, kind="selfcheck"))


__all__ = ["admin_router", "router"]
