"""The open data catalog and downloads, for anyone.

Public: open datasets are published for reuse without an account (the point of open data);
restricted and personal datasets are never listed and their downloads are a 404.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, StreamingResponse

from lab.common import PageParams, page_params
from lab.deps import SessionDep
from lab.exceptions import ServiceUnavailable
from lab.opendata import catalog, stream

public_router = APIRouter(prefix="/public", tags=["public"])
Pagination = Annotated[PageParams, Depends(page_params)]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/api/v1"  # base_url includes root_path


def _storage(request: Request) -> Any:
    client = request.app.state.storage
    if client is None:
        raise ServiceUnavailable("The object store is not configured.")
    return client


@public_router.get("/catalog", responses={200: {"content": {"application/ld+json": {}}}})
def get_catalog(request: Request, session: SessionDep, page: Pagination) -> JSONResponse:
    """DCAT catalog (JSON-LD) of the open datasets, with their distributions."""
    doc = catalog.catalog(session=session, base=_base(request), page=page)
    return JSONResponse(doc, media_type="application/ld+json")


def _download(request: Request, session: Any, dataset_id: uuid.UUID, fmt: str
              ) -> StreamingResponse:
    dataset, version = catalog.open_version(session=session, dataset_id=dataset_id)
    client, key = _storage(request), version.object_key
    assert key is not None
    name = f"dataset-{dataset.id}-v{version.number}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"',
               "X-Dataset-Version": str(version.number)}
    if fmt == "parquet":
        if version.sha256:
            headers["ETag"] = f'"{version.sha256}"'
        if version.size_bytes is not None:
            headers["Content-Length"] = str(version.size_bytes)
        return StreamingResponse(stream.parquet_chunks(client, key), headers=headers,
                                 media_type=catalog.PARQUET)
    return StreamingResponse(stream.csv_chunks(client, key), headers=headers,
                             media_type="text/csv; charset=utf-8")


@public_router.get("/datasets/{dataset_id}/data.parquet", response_class=StreamingResponse,
                   responses={200: {"content": {catalog.PARQUET: {}}}})
def download_parquet(dataset_id: uuid.UUID, request: Request,
                     session: SessionDep) -> StreamingResponse:
    """The open dataset's current version as stored (Parquet), streamed."""
    return _download(request, session, dataset_id, "parquet")


@public_router.get("/datasets/{dataset_id}/data.csv", response_class=StreamingResponse,
                   responses={200: {"content": {"text/csv": {}}}})
def download_csv(dataset_id: uuid.UUID, request: Request, session: SessionDep
                 ) -> StreamingResponse:
    """The open dataset's current version as CSV, converted batch by batch while streaming."""
    return _download(request, session, dataset_id, "csv")


__all__ = ["public_router"]
