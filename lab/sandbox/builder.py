"""The extract job: materialize one grant, with its progress and outcome on the grant.

The grant moves pending → building → ready, or → failed with a reason a city member can
act on. A grant revoked or expired while its extract was being built keeps nothing: the
job deletes what it wrote, under the same lock that would have marked it ready.

A worker killed mid-build leaves the grant `building`; another worker takes the job over
once its lease expires (`lab.jobs.lease`) and builds it again. Nothing partial is ever
readable: the extract and its manifest have fixed keys per grant (each one atomic PUT,
overwritten by the retry), and the grant becomes `ready` (what access is issued on) in the
final transaction only. Given up after `LAB_JOB_MAX_ATTEMPTS`, the grant's extract is
deleted and marked failed, as on an error.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import polars as pl
from sqlmodel import Session, select

from lab.common import utcnow
from lab.datasets.models import Dataset, DatasetVersion
from lab.jobs import runtime
from lab.jobs.service import JobContext, job_kind, on_abandon
from lab.sandbox import platform
from lab.sandbox.extracts import ExtractResult, check_source, materialize
from lab.sandbox.models import ExtractStatus, Grant, GrantStatus
from lab.sandbox.scope import ExtractScope
from storage import ChecksumMismatch, ObjectNotFound, delete_prefix

logger = logging.getLogger("lab.sandbox")
EXTRACT_JOB = "sandbox.extract"


class ExtractFailed(RuntimeError):
    """The extract could not be built; the message is the reason shown on the grant."""


def _update(grant_id: uuid.UUID, **values: Any) -> None:
    with Session(runtime.get_engine()) as session:
        grant = session.get(Grant, grant_id)
        if grant is not None:
            for name, value in values.items():
                setattr(grant, name, value)
            session.add(grant)
            session.commit()


def _reason(exc: Exception, key: str) -> str:
    if isinstance(exc, ExtractFailed):
        return str(exc)
    if isinstance(exc, ObjectNotFound):
        return f"The dataset version's data ({key}) is missing from the datasets bucket."
    if isinstance(exc, ChecksumMismatch):
        return ("The dataset version's stored data does not match its recorded SHA-256 "
                "(it was replaced or damaged); nothing was extracted.")
    if isinstance(exc, pl.exceptions.PolarsError | ValueError | OSError):
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return f"Reading or writing the data failed: {first[:500]}"
    return f"Unexpected error: {type(exc).__name__}"


def _start(ctx: JobContext, grant_id: uuid.UUID) -> dict[str, Any] | None:
    """Mark the grant building and gather what the job needs; None when there is nothing
    to build."""
    with Session(runtime.get_engine()) as session:
        grant = session.get(Grant, grant_id)
        if grant is None:
            raise ExtractFailed(f"No grant {grant_id}.")
        if grant.status != GrantStatus.active or grant.extract_status == ExtractStatus.ready:
            return None
        version = session.get(DatasetVersion, grant.dataset_version_id)
        dataset = session.get(Dataset, grant.dataset_id)
        assert version is not None and dataset is not None
        grant.extract_status, grant.extract_progress = ExtractStatus.building, 0.0
        grant.extract_error, grant.extract_message, grant.job_id = None, "starting", ctx.job_id
        session.add(grant)
        session.commit()
        return {
            "scope": ExtractScope(columns=tuple(grant.columns), zones=tuple(grant.zones),
                                  start=grant.window_start,
                                  end=grant.window_end,
                                  time_column=dataset.time_column,
                                  zone_column=dataset.zone_column),
            "key": version.object_key, "sha256": version.sha256,
            "manifest": {
                "grant_id": str(grant.id), "pilot_id": str(grant.pilot_id),
                "protocol_version": grant.protocol_version,
                "expires_at": grant.expires_at.isoformat(),
                "dataset": {"id": str(dataset.id), "name": dataset.name},
                "source": {"dataset_version_id": str(version.id), "number": version.number,
                           "sha256": version.sha256, "rows": version.row_count},
            },
            "data_key": platform.extract_key(grant.id, dataset.id),
        }


def _finish(client: Any, grant_id: uuid.UUID, result: ExtractResult) -> dict[str, Any]:
    with Session(runtime.get_engine()) as session:
        grant = session.exec(select(Grant).where(Grant.id == grant_id).with_for_update()).one()
        session.refresh(grant)
        if grant.status != GrantStatus.active:
            # Ended while building: what was just written must not stay readable.
            delete_prefix(client, platform.sandbox_bucket(), platform.grant_prefix(grant_id))
            grant.extract_deleted_at = utcnow()
            grant.extract_message = f"discarded: the grant was {grant.status} while building"
            session.add(grant)
            session.commit()
            return {"discarded": True, "status": str(grant.status)}
        grant.extract_status, grant.extract_progress = ExtractStatus.ready, 1.0
        grant.extract_message = f"{result.rows} rows"
        grant.extract_rows, grant.extract_size_bytes = result.rows, result.size_bytes
        grant.extract_sha256, grant.extract_built_at = result.sha256, utcnow()
        session.add(grant)
        session.commit()
    return {"rows": result.rows, "size_bytes": result.size_bytes, "sha256": result.sha256,
            "objects": [result.data_key, result.manifest_key]}


@job_kind(EXTRACT_JOB)
def build_extract(ctx: JobContext) -> dict[str, Any]:
    """Materialize one grant's extract (params: `grant_id`)."""
    grant_id = uuid.UUID(str(ctx.params["grant_id"]))
    work = _start(ctx, grant_id)
    if work is None:
        return {"skipped": "the grant is not active or its extract is already built"}
    client = ctx.storage
    source_bucket, sandbox = platform.datasets_bucket(), platform.sandbox_bucket()

    def progress(fraction: float, message: str) -> None:
        _update(grant_id, extract_progress=round(fraction, 3), extract_message=message[:500])
        ctx.progress(fraction, message)

    try:
        if client is None:
            raise ExtractFailed("No object store is configured for the worker.")
        if not work["key"]:
            raise ExtractFailed("The dataset version has no stored data.")
        check_source(client, source_bucket, work["key"], work["sha256"])
        result = materialize(client, source_bucket=source_bucket, source_key=work["key"],
                             scope=work["scope"], dest_bucket=sandbox,
                             data_key=work["data_key"],
                             manifest_key=platform.manifest_key(grant_id),
                             manifest=work["manifest"], progress=progress)
    except Exception as exc:
        # A late attempt whose job was taken over leaves the extract to the current one.
        ctx.ensure_lease()
        reason = _reason(exc, work["key"] or "")
        logger.warning("extract of grant %s failed: %s", grant_id, reason)
        if client is not None:
            try:
                delete_prefix(client, sandbox, platform.grant_prefix(grant_id))
            except Exception:  # noqa: BLE001 - the sweep removes leftovers of ended grants
                logger.warning("could not clean up the failed extract of grant %s", grant_id)
        _update(grant_id, extract_status=ExtractStatus.failed, extract_error=reason[:2000],
                extract_message="failed")
        raise ExtractFailed(reason) from exc
    return _finish(client, grant_id, result)


@on_abandon(EXTRACT_JOB)
def abandon_extract(params: dict[str, Any], reason: str) -> None:
    """An extract given up after its workers were lost: nothing kept, the grant says why."""
    grant_id = uuid.UUID(str(params["grant_id"]))
    with Session(runtime.get_engine()) as session:
        grant = session.get(Grant, grant_id)
        if grant is None or grant.extract_status == ExtractStatus.ready:
            return  # the last attempt finished the extract before its worker was lost
    client = runtime.get_storage()
    if client is not None:
        delete_prefix(client, platform.sandbox_bucket(), platform.grant_prefix(grant_id))
    _update(grant_id, extract_status=ExtractStatus.failed, extract_error=reason[:2000],
            extract_message="failed")


__all__ = ["EXTRACT_JOB", "ExtractFailed", "abandon_extract", "build_extract"]
