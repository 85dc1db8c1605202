"""Uploading a dataset version, converting it in a job, and previewing its first rows.

An upload goes through two stages:

1. In the request: the body is streamed to a temporary file under `LAB_HOME/uploads`
   (413 past `LAB_MAX_UPLOAD_BYTES`); the format is judged by the bytes (Parquet's `PAR1`
   magic, else UTF-8 CSV); the header or footer and the first rows are checked (declared
   columns present, time column a date/datetime or ISO 8601 text, zone column text, no
   empty time or zone). Any problem is a 422 that names the column and the reason, and
   nothing has been written anywhere. Then the version row is numbered (max + 1, retried on
   the unique constraint), the upload is stored as `source.<format>`, and a
   `dataset_version` job is queued: the answer is 202 with the version and its job.
2. In the job: the source is converted with lazy Polars (sorted by zone then time, zone
   dictionary-encoded, row-group statistics) and streamed into the object store as it is
   written, `data.parquet` with its zone × hour rollup `rollup.parquet` (multipart
   uploads, SHA-256 computed on the way: `lab.datasets.streamed`, where the choices are
   measured), described (schema, rows, time range, zones) from the sorted ranges as they
   are written (a file refused there is never completed in the store), and the version
   becomes `ready`. A Parquet source is read where it is stored
   (ranged GETs), once its size, SHA-256 and ETag match what was recorded and its bytes
   hash right as they stream; its ETag is checked again after the conversion. A CSV is
   downloaded (hashed as it streams): Polars would copy it whole anyway. Local files (the
   sort's range files, a CSV's download) live under `LAB_HOME/work` and go with the job.
   (When jobs run inline, as in tests, the 202 answer already tells `ready` or `failed`.)

Nothing is left behind by a refusal or a failure. Refusals in the request come before any
row or object exists. After that, any failure — in the request (object store down) or in
the job (a bad value deep in the file, a corrupt page, a crash of the conversion) — deletes
every object under the version's prefix and then the version row, and writes the reason to
the audit log; the job keeps the error for its owner to read (`GET /api/v1/jobs/{id}`).
Objects go first: if they cannot be deleted, the row is kept as `failed` with the reason,
so that what is left in the bucket stays findable.

A worker killed mid-conversion (no Python exception) leaves its version `processing`; its job
is taken over by another worker once its lease expires (`lab.jobs.lease`). A retry is safe
because every output is written idempotently: the objects have fixed keys per version
(`data.parquet`, `rollup.parquet`, each one PUT or completed multipart upload, atomic,
overwritten by the next attempt; an attempt that fails aborts its multipart uploads),
and the version row becomes `ready` in the job's one final transaction, so a reader never
sees a version whose objects are partial. A retry that finds the version already `ready`
(the worker died between that commit and the job's own end) returns what it recorded.
When the job is given up (`LAB_JOB_MAX_ATTEMPTS`), the version is discarded as on a failure.

The audit log gets `dataset.version.upload`, then `.ready` or `.fail` (with the reason). A
refusal in the request changes nothing, so it is answered but not logged.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from minio import Minio
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, func, select

from lab.audit import service as audit
from lab.auth.models import User
from lab.catalog_rules import require_curator
from lab.datasets import convert, objects, streamed
from lab.datasets import service as datasets
from lab.datasets.models import (
    ColumnInfo,
    Dataset,
    DatasetVersion,
    VersionPreview,
    VersionStatus,
)
from lab.datasets.upload import ReceivedFile
from lab.exceptions import Conflict, LabError, ServiceUnavailable
from lab.jobs import runtime
from lab.jobs import service as jobs
from lab.jobs.models import Job
from storage import PARQUET_CONTENT_TYPE, ObjectNotFound, delete_prefix, put_file

logger = logging.getLogger("lab.datasets")

JOB_KIND = "dataset_version"
MAX_PREVIEW_ROWS = 100
_NUMBERING_ATTEMPTS = 5
_CONTENT_TYPES = {"csv": "text/csv", "parquet": PARQUET_CONTENT_TYPE}


def _reason(exc: BaseException) -> str:
    if isinstance(exc, LabError):
        return exc.detail[:2000]
    return f"{exc.__class__.__name__}: {exc}"[:2000]


def number_version(*, session: Session, actor: User, dataset: Dataset, upload: ReceivedFile,
                   source: convert.Source) -> DatasetVersion:
    """Record a pending version with the next number; retried when a concurrent upload wins."""
    for _ in range(_NUMBERING_ATTEMPTS):
        highest = session.exec(select(func.max(DatasetVersion.number))
                               .where(DatasetVersion.dataset_id == dataset.id)).one()
        version = DatasetVersion(dataset_id=dataset.id, number=(highest or 0) + 1,
                                 source_filename=upload.filename, source_format=source.format,
                                 source_size_bytes=upload.size, created_by=actor.id)
        session.add(version)
        try:
            session.flush()
        except (IntegrityError, OperationalError):
            # PostgreSQL: the unique constraint; SQLite: our read snapshot went stale.
            session.rollback()
            continue
        audit.record(session=session, actor=actor, action="dataset.version.upload",
                     object_type="dataset_version", object_id=version.id,
                     after={"dataset_id": dataset.id, "number": version.number,
                            "source_filename": upload.filename, "format": source.format,
                            "size_bytes": upload.size})
        session.commit()
        return version
    raise Conflict("Other uploads to this dataset took every version number we tried; "
                   "send the file again.")


def discard(*, session: Session, client: Minio | None, version_id: uuid.UUID,
            dataset_id: uuid.UUID, actor: User | None, reason: str) -> None:
    """Delete a version's objects, then its row, and audit why; keep the row if objects stay."""
    prefix = objects.version_prefix(dataset_id, version_id)
    try:
        if client is None:
            raise RuntimeError("no object store client")
        delete_prefix(client, objects.bucket(), prefix)
        cleaned = True
    except ObjectNotFound:  # no bucket, so no object either
        cleaned = True
    except Exception:  # noqa: BLE001 - reported through the version row below
        logger.exception("could not delete %s of version %s", prefix, version_id)
        cleaned = False
    session.rollback()
    version = session.get(DatasetVersion, version_id)
    if version is not None and cleaned:
        session.delete(version)
    elif version is not None:
        version.status = VersionStatus.failed
        version.error = f"{reason} (objects under {prefix} could not be deleted)"[:2000]
        session.add(version)
    audit.record(session=session, actor=actor, action="dataset.version.fail",
                 object_type="dataset_version", object_id=version_id,
                 after={"dataset_id": dataset_id, "objects_deleted": cleaned}, reason=reason)
    session.commit()


def start_upload(*, session: Session, actor: User, dataset: Dataset, upload: ReceivedFile,
                 client: Minio, work_dir: Path) -> DatasetVersion:
    """Check an uploaded file, record and store it, and queue its conversion."""
    require_curator(actor, dataset.authority_id)
    source = convert.check(upload.path, time_column=dataset.time_column,
                           zone_column=dataset.zone_column)
    version = number_version(session=session, actor=actor, dataset=dataset, upload=upload,
                             source=source)
    version_id, dataset_id = version.id, dataset.id
    try:
        stored = put_file(client, objects.bucket(),
                          objects.source_key(dataset_id, version_id, source.format),
                          upload.path, content_type=_CONTENT_TYPES[source.format])
        version.source_sha256 = stored.sha256
        session.add(version)
        session.commit()
        session.refresh(version)
        snapshot = {name: getattr(version, name) for name in DatasetVersion.model_fields}
        job = jobs.enqueue(session=session, actor=actor, kind=JOB_KIND, params={
            "version_id": str(version_id), "dataset_id": str(dataset_id),
            "actor_id": str(actor.id), "separator": source.separator,
            "source_etag": stored.etag, "work_dir": str(work_dir)})
    except Exception as exc:
        discard(session=session, client=client, version_id=version_id, dataset_id=dataset_id,
                actor=actor, reason=_reason(exc))
        raise ServiceUnavailable(f"The upload could not be stored: {_reason(exc)}") from exc
    session.execute(update(DatasetVersion).where(DatasetVersion.id == version_id)  # type: ignore[arg-type]
                    .values(job_id=job.id))
    session.commit()
    current = session.exec(select(DatasetVersion).where(DatasetVersion.id == version_id)).first()
    if current is not None:
        return current
    # The job ran inline (as in tests) and failed: answer with what it left.
    failed = session.get(Job, job.id)
    return DatasetVersion.model_validate(snapshot | {
        "status": VersionStatus.failed, "job_id": job.id,
        "error": failed.error if failed else "the conversion failed"})


@jobs.job_kind(JOB_KIND)
def convert_version(ctx: jobs.JobContext) -> dict[str, Any]:
    """Convert an uploaded version to the stored layout; on failure leave nothing behind."""
    version_id = uuid.UUID(ctx.params["version_id"])
    dataset_id = uuid.UUID(ctx.params["dataset_id"])
    try:
        return _convert(ctx, version_id)
    except Exception as exc:
        # A late attempt whose job was taken over must not delete the version the current
        # attempt is converting: this raises LeaseLost (not an Exception) in that case.
        ctx.ensure_lease()
        with Session(runtime.get_engine()) as session:
            actor_id = ctx.params.get("actor_id")
            actor = session.get(User, uuid.UUID(actor_id)) if actor_id else None
            discard(session=session, client=ctx.storage, version_id=version_id,
                    dataset_id=dataset_id, actor=actor, reason=_reason(exc))
        raise


def _convert(ctx: jobs.JobContext, version_id: uuid.UUID) -> dict[str, Any]:
    client: Minio | None = ctx.storage
    if client is None:
        raise ServiceUnavailable("No object store is configured for the worker.")
    with Session(runtime.get_engine(), expire_on_commit=False) as session:
        version = session.get(DatasetVersion, version_id)
        if version is None:
            raise LabError("The version was removed before its conversion started.")
        if version.status == VersionStatus.ready:
            # An earlier attempt finished the work but its worker died before the job ended.
            return {"version_id": str(version_id), "row_count": version.row_count,
                    "sha256": version.sha256, "size_bytes": version.size_bytes}
        dataset = datasets.get_dataset(session=session, dataset_id=version.dataset_id)
        version.status, version.job_id = VersionStatus.processing, ctx.job_id
        session.add(version)
        session.commit()
    source = convert.Source(version.source_format or "csv",  # type: ignore[arg-type]
                            ctx.params.get("separator", ","))
    work_dir = Path(ctx.params.get("work_dir") or tempfile.gettempdir())
    work_dir.mkdir(parents=True, exist_ok=True)
    # Named after the job, so that a retry can remove what a killed attempt left on disk.
    for leftover in work_dir.glob(f"dataset-{ctx.job_id}-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    with tempfile.TemporaryDirectory(dir=work_dir, prefix=f"dataset-{ctx.job_id}-") as tmp:
        stored, described = streamed.convert_stored(
            client, bucket=objects.bucket(), dataset_id=dataset.id, version_id=version.id,
            source=source, source_size=version.source_size_bytes,
            source_sha256=version.source_sha256 or "",
            source_etag=ctx.params.get("source_etag"), work_dir=Path(tmp),
            time_column=dataset.time_column, zone_column=dataset.zone_column,
            progress=ctx.progress)
    with Session(runtime.get_engine()) as session:
        current = session.get(DatasetVersion, version_id)
        if current is None:
            raise LabError("The version was removed during its conversion.")
        current.status, current.error = VersionStatus.ready, None
        current.object_key, current.size_bytes, current.sha256 = (stored.key, stored.size,
                                                                  stored.sha256)
        current.row_count, current.columns = described.row_count, described.columns
        current.time_min, current.time_max = described.time_min, described.time_max
        current.zones = described.zones
        session.add(current)
        actor_id = ctx.params.get("actor_id")
        audit.record(session=session, actor=session.get(User, uuid.UUID(actor_id))
                     if actor_id else None, action="dataset.version.ready",
                     object_type="dataset_version", object_id=version_id,
                     after={"dataset_id": dataset.id, "number": current.number,
                            "rows": described.row_count, "sha256": stored.sha256,
                            "zones": len(described.zones)})
        session.commit()
    return {"version_id": str(version_id), "row_count": described.row_count,
            "sha256": stored.sha256, "size_bytes": stored.size}


@jobs.on_abandon(JOB_KIND)
def abandon_conversion(params: dict[str, Any], reason: str) -> None:
    """A conversion given up after its workers were lost: discard the version, as a failure."""
    with Session(runtime.get_engine()) as session:
        actor_id = params.get("actor_id")
        discard(session=session, client=runtime.get_storage(),
                version_id=uuid.UUID(params["version_id"]),
                dataset_id=uuid.UUID(params["dataset_id"]),
                actor=session.get(User, uuid.UUID(actor_id)) if actor_id else None,
                reason=reason)


def preview(*, session: Session, actor: User, dataset_id: uuid.UUID, version_id: uuid.UUID,
            client: Minio, limit: int) -> VersionPreview:
    """The first rows of a ready version, read from its first row group only."""
    dataset = datasets.read_dataset(session=session, actor=actor, dataset_id=dataset_id)
    datasets.require_row_reader(actor, dataset)
    version = datasets.get_version(session=session, dataset_id=dataset_id,
                                   version_id=version_id)
    if version.status != VersionStatus.ready or version.object_key is None:
        raise Conflict(f"Version {version.number} is {version.status}: rows can be previewed "
                       "once it is ready.")
    source = objects.RangedObject(client, objects.bucket(), version.object_key)
    rows = convert.first_rows(objects.first_batch(source, limit), limit)
    return VersionPreview(version_id=version.id, number=version.number,
                          columns=[ColumnInfo.model_validate(c) for c in version.columns or []],
                          rows=rows)


__all__ = ["JOB_KIND", "MAX_PREVIEW_ROWS", "abandon_conversion", "convert_version", "discard",
           "number_version", "preview", "start_upload"]
