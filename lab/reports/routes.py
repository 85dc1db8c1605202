"""Problem reports: filed and followed by anyone; handled by the authority and the startup."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from lab.common import Page, PageParams, page_params
from lab.deps import CurrentUser, SessionDep, client_address
from lab.exceptions import NotFound, ServiceUnavailable
from lab.feedback import photos
from lab.reports import service
from lab.reports.models import (
    NotOurs,
    ReportableAsset,
    ReportCreate,
    ReportFollow,
    ReportPublic,
    ReportReceipt,
    ReportStatus,
    StatusChange,
)
from storage import get_bytes

# Public: anyone who sees a broken prototype in the street reports it without an account
# (rate-limited per address), and follows it with the receipt code alone.
public_router = APIRouter(prefix="/public/reports", tags=["public"])
router = APIRouter(prefix="/reports", tags=["reports"])
Pagination = Annotated[PageParams, Depends(page_params)]


@public_router.post("", response_model=ReportReceipt, status_code=201)
def file_report(data: ReportCreate, request: Request, session: SessionDep) -> ReportReceipt:
    """Report a problem with a pilot's asset; keep the receipt code to follow it."""
    return service.file_report(session=session, storage=request.app.state.storage, data=data,
                               client=client_address(request))


@public_router.get("/assets", response_model=Page[ReportableAsset])
def reportable_assets(session: SessionDep, page: Pagination,
                      pilot_id: Annotated[uuid.UUID, Query(
                          description="The pilot whose assets may be reported on")]
                      ) -> Page[ReportableAsset]:
    """A pilot's assets with their owning authority, to pick one on the map."""
    return service.reportable_assets(session=session, pilot_id=pilot_id, page=page)


@public_router.get("/{receipt}", response_model=ReportFollow)
def follow_report(receipt: str, session: SessionDep) -> ReportFollow:
    """Where a report stands, by its receipt code."""
    return service.follow(session=session, receipt=receipt)


@router.get("", response_model=Page[ReportPublic])
def list_reports(user: CurrentUser, session: SessionDep, page: Pagination,
                 status: Annotated[ReportStatus | None, Query(
                     description="Only reports in this status")] = None,
                 pilot_id: Annotated[uuid.UUID | None, Query(
                     description="Only reports on this pilot")] = None) -> Page[ReportPublic]:
    """Reports your authority handles, or on your pilots (startups), newest first."""
    result = service.list_reports(session=session, actor=user, page=page, status=status,
                                  pilot_id=pilot_id)
    return Page(items=[service.to_public(r) for r in result.items], total=result.total,
                limit=result.limit, offset=result.offset)


@router.get("/{report_id}", response_model=ReportPublic)
def get_report(report_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> ReportPublic:
    """One report."""
    return service.to_public(service.get_report(session=session, actor=user,
                                                report_id=report_id))


@router.get("/{report_id}/photo", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}})
def report_photo(report_id: uuid.UUID, request: Request, user: CurrentUser,
                 session: SessionDep) -> Response:
    """The report's photo (metadata removed)."""
    report = service.get_report(session=session, actor=user, report_id=report_id)
    if report.photo_key is None:
        raise NotFound("This report has no photo.")
    storage: Any = request.app.state.storage
    if storage is None:
        raise ServiceUnavailable("The object store is not configured.")
    media = "image/png" if report.photo_key.endswith(".png") else "image/jpeg"
    return Response(get_bytes(storage, photos.bucket(), report.photo_key), media_type=media)


@router.post("/{report_id}/status", response_model=ReportPublic)
def change_status(report_id: uuid.UUID, data: StatusChange, user: CurrentUser,
                  session: SessionDep) -> ReportPublic:
    """Move a report: received → in_progress → solved (a note the reporter can read)."""
    return service.to_public(service.change_status(session=session, actor=user,
                                                   report_id=report_id, data=data))


@router.post("/{report_id}/not-ours", response_model=ReportPublic)
def not_ours(report_id: uuid.UUID, data: NotOurs, user: CurrentUser,
             session: SessionDep) -> ReportPublic:
    """Pass the report on to the authority that owns the problem, with a reason (audited)."""
    return service.to_public(service.not_ours(session=session, actor=user, report_id=report_id,
                                              data=data))


__all__ = ["public_router", "router"]
