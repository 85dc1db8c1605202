"""Datasets and their versions: metadata, uploads, previews."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from minio import Minio

from lab.common import Page, PageParams, page_params
from lab.datasets import service, upload, versions
from lab.datasets.models import (
    Dataset,
    DatasetCreate,
    DatasetPublic,
    DatasetUpdate,
    DatasetVersionPublic,
    Sensitivity,
    VersionPreview,
)
from lab.deps import CurrentUser, SessionDep, SettingsDep
from lab.exceptions import ServiceUnavailable

router = APIRouter(prefix="/datasets", tags=["catalog"])
Pagination = Annotated[PageParams, Depends(page_params)]


def object_store(request: Request) -> Minio:
    """The app's object store client, or 503 when none is configured."""
    client: Minio | None = request.app.state.storage
    if client is None:
        raise ServiceUnavailable("No object store is configured (set STORAGE_ENDPOINT, or "
                                 "start the platform with `lab up`): dataset files cannot be "
                                 "stored or read.")
    return client


ObjectStore = Annotated[Minio, Depends(object_store)]


def curated_dataset(dataset_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Dataset:
    """The dataset, if the user may upload to it (checked before any byte is read)."""
    return service.curated_dataset(session=session, actor=user, dataset_id=dataset_id)


async def received_file(request: Request, settings: SettingsDep,
                        _dataset: Annotated[Dataset, Depends(curated_dataset)],
                        _store: ObjectStore) -> AsyncIterator[upload.ReceivedFile]:
    """The uploaded file on local disk, removed once the request is done."""
    received = await upload.receive(request, directory=settings.home / "uploads",
                                    max_bytes=settings.max_upload_bytes)
    try:
        yield received
    finally:
        received.path.unlink(missing_ok=True)


_UPLOAD_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {
        "type": "object", "required": [upload.FIELD],
        "properties": {upload.FIELD: {
            "type": "string", "format": "binary",
            "description": "CSV (UTF-8; comma, semicolon, tab or pipe separated) or Parquet, "
                           "told apart by the bytes; at most LAB_MAX_UPLOAD_BYTES"}}}}}}}


@router.get("", response_model=Page[DatasetPublic])
def list_datasets(
    user: CurrentUser,
    session: SessionDep,
    page: Pagination,
    authority_id: uuid.UUID | None = None,
    domain: Annotated[str | None, Query(max_length=64)] = None,
    sensitivity: Sensitivity | None = None,
) -> Page[DatasetPublic]:
    """Datasets filtered by owning authority, domain and sensitivity (not for citizens)."""
    result = service.list_datasets(session=session, actor=user, page=page,
                                   authority_id=authority_id, domain=domain,
                                   sensitivity=sensitivity)
    return Page(items=[DatasetPublic.model_validate(d) for d in result.items],
                total=result.total, limit=result.limit, offset=result.offset)


@router.post("", response_model=DatasetPublic, status_code=201)
def create_dataset(data: DatasetCreate, user: CurrentUser, session: SessionDep) -> DatasetPublic:
    """Describe a dataset of the city member's authority (an admin names the authority)."""
    return DatasetPublic.model_validate(
        service.create_dataset(session=session, actor=user, data=data))


@router.get("/{dataset_id}", response_model=DatasetPublic)
def get_dataset(dataset_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> DatasetPublic:
    """One dataset's metadata."""
    return DatasetPublic.model_validate(
        service.read_dataset(session=session, actor=user, dataset_id=dataset_id))


@router.patch("/{dataset_id}", response_model=DatasetPublic)
def update_dataset(dataset_id: uuid.UUID, data: DatasetUpdate, user: CurrentUser,
                   session: SessionDep) -> DatasetPublic:
    """Edit the metadata (the declared columns only before the first upload)."""
    return DatasetPublic.model_validate(
        service.update_dataset(session=session, actor=user, dataset_id=dataset_id, data=data))


@router.post("/{dataset_id}/versions", response_model=DatasetVersionPublic, status_code=202,
             openapi_extra=_UPLOAD_BODY, responses={
                 413: {"description": "The file is larger than LAB_MAX_UPLOAD_BYTES"},
                 422: {"description": "The file is unreadable, or a declared column is "
                                      "missing or mistyped; the detail names it"}})
def upload_version(
    dataset: Annotated[Dataset, Depends(curated_dataset)],
    received: Annotated[upload.ReceivedFile, Depends(received_file)],
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    client: ObjectStore,
) -> DatasetVersionPublic:
    """Upload a new version; it is checked now and converted by a job (see `job_id`)."""
    return DatasetVersionPublic.model_validate(versions.start_upload(
        session=session, actor=user, dataset=dataset, upload=received, client=client,
        work_dir=settings.home / "work"))


@router.get("/{dataset_id}/versions", response_model=Page[DatasetVersionPublic])
def list_versions(dataset_id: uuid.UUID, user: CurrentUser, session: SessionDep,
                  page: Pagination) -> Page[DatasetVersionPublic]:
    """A dataset's versions, newest first."""
    result = service.list_versions(session=session, actor=user, dataset_id=dataset_id,
                                   page=page)
    return Page(items=[DatasetVersionPublic.model_validate(v) for v in result.items],
                total=result.total, limit=result.limit, offset=result.offset)


@router.get("/{dataset_id}/versions/{version_id}", response_model=DatasetVersionPublic)
def get_version(dataset_id: uuid.UUID, version_id: uuid.UUID, user: CurrentUser,
                session: SessionDep) -> DatasetVersionPublic:
    """One version: status, schema, row count, time range, zones, checksums."""
    return DatasetVersionPublic.model_validate(service.read_version(
        session=session, actor=user, dataset_id=dataset_id, version_id=version_id))


@router.get("/{dataset_id}/versions/{version_id}/rows", response_model=VersionPreview)
def preview_rows(
    dataset_id: uuid.UUID,
    version_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    client: ObjectStore,
    limit: Annotated[int, Query(ge=1, le=versions.MAX_PREVIEW_ROWS)] = 20,
) -> VersionPreview:
    """The first rows (sorted by zone then time); for startups, of open datasets only."""
    return versions.preview(session=session, actor=user, dataset_id=dataset_id,
                            version_id=version_id, client=client, limit=limit)


__all__ = ["router"]
