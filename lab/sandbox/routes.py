"""The sandbox over HTTP: grants, access to extracts, the access log, measurement uploads."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import StreamingResponse
from minio import Minio
from pydantic import BaseModel, Field

from lab.common import Page, PageParams, page_params
from lab.deps import CurrentUser, SessionDep, SettingsDep, client_address
from lab.exceptions import InvalidInput
from lab.sandbox import access, events, platform, workspaces
from lab.sandbox import service as grants
from lab.sandbox.models import (
    AccessEventPublic,
    GrantPublic,
    GrantStatus,
    MeasurementPublic,
    MeasurementWithdrawal,
    Revocation,
)

router = APIRouter(prefix="/grants", tags=["sandbox"])
events_router = APIRouter(prefix="/access-events", tags=["sandbox"])
workspace_router = APIRouter(prefix="/pilots/{pilot_id}/measurements", tags=["workspaces"])
Pagination = Annotated[PageParams, Depends(page_params)]


def get_storage(request: Request) -> Minio:
    """The platform's object store client, or 503."""
    return platform.require(request.app.state.storage)


def get_client(request: Request) -> events.ClientInfo:
    """Address and user agent of the caller, for the access log."""
    return events.ClientInfo(address=client_address(request),
                             user_agent=request.headers.get("user-agent", ""))


StorageDep = Annotated[Minio, Depends(get_storage)]
ClientDep = Annotated[events.ClientInfo, Depends(get_client)]


class LinkRequest(BaseModel):
    lifetime_seconds: int | None = Field(
        default=None, ge=1, le=3600,
        description="At most 3600; never past the grant's expiry (default: as long as both "
                    "allow)")


class CredentialRequest(BaseModel):
    duration_seconds: int | None = Field(
        default=None, ge=900, le=43200,
        description="900 to 43200; never past the grant's expiry (default: one hour)")


class UploadRequest(BaseModel):
    kpi: str = Field(min_length=1, max_length=63, description="A KPI measured by upload")
    format: Literal["csv", "parquet"] = Field(
        default="csv", description="Extension of the object key to PUT: csv or parquet; the "
                                   "validate call judges the file by its bytes")


# -- grants ------------------------------------------------------------------------------
@router.get("", response_model=Page[GrantPublic])
def list_grants(user: CurrentUser, session: SessionDep, page: Pagination,
                pilot_id: uuid.UUID | None = None,
                status: GrantStatus | None = None) -> Page[GrantPublic]:
    """Your startup's grants; for city members, the grants on your authority's datasets
    and those of the pilots your authority approved."""
    result = grants.list_grants(session=session, actor=user, page=page, pilot_id=pilot_id,
                                status=status)
    return Page(items=[grants.to_public(session=session, grant=g) for g in result.items],
                total=result.total, limit=result.limit, offset=result.offset)


@router.get("/{grant_id}", response_model=GrantPublic)
def get_grant(grant_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> GrantPublic:
    """One grant: scope, expiry, extract status and progress, and whether it is usable."""
    grant = grants.get_grant(session=session, actor=user, grant_id=grant_id)
    return grants.to_public(session=session, grant=grant)


@router.post("/{grant_id}/revoke", response_model=GrantPublic)
def revoke(grant_id: uuid.UUID, data: Revocation, user: CurrentUser, session: SessionDep,
           request: Request) -> GrantPublic:
    """Revoke a grant, with a reason (city members of the dataset's authority or of an
    authority that approved the pilot, admins).
    The extract is deleted: links and credentials issued before read nothing."""
    grant = grants.revoke(session=session, actor=user, grant_id=grant_id, reason=data.reason,
                          storage=request.app.state.storage)
    return grants.to_public(session=session, grant=grant)


@router.post("/{grant_id}/rebuild", response_model=GrantPublic, status_code=202)
def rebuild(grant_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> GrantPublic:
    """Build a failed extract again (city members of the dataset's authority, admins)."""
    grant = grants.rebuild(session=session, actor=user, grant_id=grant_id)
    return grants.to_public(session=session, grant=grant)


@router.post("/{grant_id}/links", response_model=access.Links)
def issue_links(grant_id: uuid.UUID, user: CurrentUser, session: SessionDep,
                storage: StorageDep, client: ClientDep,
                data: LinkRequest | None = None) -> access.Links:
    """Presigned GET links to the extract and its manifest (the pilot's startup only), valid
    at most one hour and never past the grant's expiry. 409 or 410 say why when refused."""
    lifetime = (timedelta(seconds=data.lifetime_seconds)
                if data is not None and data.lifetime_seconds else None)
    return access.issue_links(session=session, actor=user, grant_id=grant_id, storage=storage,
                              client=client, lifetime=lifetime)


@router.post("/{grant_id}/credentials", response_model=access.Credentials)
def issue_credentials(grant_id: uuid.UUID, user: CurrentUser, session: SessionDep,
                      storage: StorageDep, client: ClientDep,
                      data: CredentialRequest | None = None) -> access.Credentials:
    """Temporary S3 credentials that read `sandbox/<grant>/*` and nothing else, with
    snippets for Polars, DuckDB and boto3. Refused when under 15 minutes remain."""
    duration = (timedelta(seconds=data.duration_seconds)
                if data is not None and data.duration_seconds else None)
    return access.issue_credentials(session=session, actor=user, grant_id=grant_id,
                                    storage=storage, client=client, duration=duration)


@router.get("/{grant_id}/objects/{name}", response_class=StreamingResponse,
            responses={200: {"content": {"application/vnd.apache.parquet": {},
                                         "application/json": {}}}})
def download(grant_id: uuid.UUID, name: Literal["data", "manifest"], user: CurrentUser,
             session: SessionDep, storage: StorageDep, client: ClientDep) -> StreamingResponse:
    """Download the extract (`data`) or its `manifest` through the API."""
    found = access.download(session=session, actor=user, grant_id=grant_id, name=name,
                            storage=storage, client=client)
    headers = {"Content-Disposition": f'attachment; filename="{found.filename}"'}
    if found.size:
        headers["Content-Length"] = str(found.size)
    return StreamingResponse(found.chunks, media_type=found.media_type, headers=headers)


# -- the access log ----------------------------------------------------------------------
@events_router.get("", response_model=Page[AccessEventPublic])
def list_events(user: CurrentUser, session: SessionDep, page: Pagination,
                grant_id: uuid.UUID | None = None,
                pilot_id: uuid.UUID | None = None) -> Page[AccessEventPublic]:
    """Access events, newest first: your authority's datasets, or your startup's pilots."""
    result = events.list_events(session=session, actor=user, page=page, grant_id=grant_id,
                                pilot_id=pilot_id)
    return Page(items=[AccessEventPublic.model_validate(e) for e in result.items],
                total=result.total, limit=result.limit, offset=result.offset)


@events_router.get(".csv", response_class=StreamingResponse,
                   responses={200: {"content": {"text/csv": {}}}})
def export_events(user: CurrentUser, session: SessionDep, grant_id: uuid.UUID | None = None,
                  pilot_id: uuid.UUID | None = None) -> StreamingResponse:
    """Every access event you may read, oldest first, as CSV."""
    rows = events.export_csv(session=session, actor=user, grant_id=grant_id,
                             pilot_id=pilot_id)
    return StreamingResponse(rows, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="access-events.csv"'})


# -- workspaces --------------------------------------------------------------------------
MEASUREMENT_CONTRACT = (
    "The file: CSV (UTF-8, comma-separated, header row) or Parquet with exactly the "
    "columns `time` (ISO 8601 with Z or an offset, e.g. 2026-03-01T08:00:00Z, or a Parquet "
    "datetime), `zone` (a treated or control zone code of the pilot) and `value` (a finite "
    "number in the KPI's unit); no empty cell; every time between the baseline's start and "
    "the pilot's end. An invalid file is refused (422, with the reason) and nothing is "
    "kept; the same file registered twice for a KPI is registered once (200). A file with "
    "a value in a zone-hour that a current file of the same KPI already covers is refused "
    "(409, type measurement-overlap) unless `replaces` names that file, which is then "
    "marked replaced and no longer counted.")


KpiForm = Annotated[str, Form(min_length=1, max_length=63,
                             description="A KPI or guardrail of the protocol measured by upload")]
ReplacesForm = Annotated[uuid.UUID | None, Form(
    description="The current measurement this file replaces (same KPI), if any")]
MeasurementFile = Annotated[UploadFile, File(
    description="CSV or Parquet with exactly the columns time, zone and value, at most "
                "LAB_MEASUREMENT_MAX_BYTES")]


def _measurement(response: Response, found: tuple[object, bool]) -> MeasurementPublic:
    measurement, created = found
    response.status_code = 201 if created else 200
    return MeasurementPublic.model_validate(measurement)


@workspace_router.get("", response_model=Page[MeasurementPublic])
def list_measurements(pilot_id: uuid.UUID, user: CurrentUser, session: SessionDep,
                      page: Pagination, kpi: str | None = None,
                      current_only: bool = False) -> Page[MeasurementPublic]:
    """The pilot's registered measurements, newest first, with their status (current,
    withdrawn, replaced); `current_only=true` lists only those evaluations count."""
    result = workspaces.list_measurements(session=session, actor=user, pilot_id=pilot_id,
                                          page=page, kpi=kpi, current_only=current_only)
    return Page(items=[MeasurementPublic.model_validate(m) for m in result.items],
                total=result.total, limit=result.limit, offset=result.offset)


@workspace_router.post("", response_model=MeasurementPublic, status_code=201,
                       description=MEASUREMENT_CONTRACT)
def upload_measurement(pilot_id: uuid.UUID, user: CurrentUser, session: SessionDep,
                       storage: StorageDep, settings: SettingsDep, response: Response,
                       kpi: KpiForm, file: MeasurementFile,
                       replaces: ReplacesForm = None) -> MeasurementPublic:
    """Upload a measurement file for a KPI measured by upload (multipart: `kpi`, `file`,
    optionally `replaces`)."""
    limit = settings.measurement_max_bytes
    if file.size is not None and file.size > limit:
        raise InvalidInput(f"The file is larger than the limit of {limit} bytes "
                           "(LAB_MEASUREMENT_MAX_BYTES).", field="file")
    with tempfile.TemporaryDirectory(prefix="terrain-measurement-") as tmp:
        path = Path(tmp) / "upload"
        with open(path, "wb") as out:
            shutil.copyfileobj(file.file, out, 1024 * 1024)
        if path.stat().st_size > limit:
            raise InvalidInput(f"The file is larger than the limit of {limit} bytes "
                               "(LAB_MEASUREMENT_MAX_BYTES).", field="file")
        found = workspaces.register(session=session, actor=user, pilot_id=pilot_id, kpi=kpi,
                                    path=path, filename=file.filename, storage=storage,
                                    replaces=replaces)
    return _measurement(response, found)


@workspace_router.post("/uploads", response_model=workspaces.UploadTicket, status_code=201)
def presign_upload(pilot_id: uuid.UUID, data: UploadRequest, user: CurrentUser,
                   session: SessionDep, storage: StorageDep,
                   client: ClientDep) -> workspaces.UploadTicket:
    """For large files: a presigned PUT (one hour) into the pilot's incoming area; then call
    `POST …/uploads/{upload_id}/validate`."""
    return workspaces.presign_upload(session=session, actor=user, pilot_id=pilot_id,
                                     kpi=data.kpi, file_format=data.format, storage=storage,
                                     client=client)


@workspace_router.post("/uploads/{upload_id}/validate", response_model=MeasurementPublic,
                       status_code=201, description=MEASUREMENT_CONTRACT)
def validate_upload(pilot_id: uuid.UUID, upload_id: uuid.UUID, user: CurrentUser,
                    session: SessionDep, storage: StorageDep, settings: SettingsDep,
                    response: Response, replaces: uuid.UUID | None = None) -> MeasurementPublic:
    """Check the file PUT for an upload; register it, or refuse it with the reason. The
    uploaded object is removed from `incoming/` either way. `?replaces=<id>` replaces a
    current file of the same KPI."""
    found = workspaces.validate_upload(session=session, actor=user, pilot_id=pilot_id,
                                       upload_id=upload_id, storage=storage,
                                       max_bytes=settings.measurement_max_bytes,
                                       replaces=replaces)
    return _measurement(response, found)


@workspace_router.post("/{measurement_id}/withdraw", response_model=MeasurementPublic)
def withdraw_measurement(pilot_id: uuid.UUID, measurement_id: uuid.UUID, user: CurrentUser,
                         session: SessionDep,
                         data: MeasurementWithdrawal | None = None) -> MeasurementPublic:
    """Withdraw a current measurement file (the pilot's startup, before the pilot is
    evaluated): kept on record, no longer counted by evaluations. Audit-logged."""
    return MeasurementPublic.model_validate(workspaces.withdraw(
        session=session, actor=user, pilot_id=pilot_id, measurement_id=measurement_id,
        reason=data.reason if data else ""))


__all__ = ["events_router", "router", "workspace_router"]
