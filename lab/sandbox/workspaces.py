"""Workspaces: the measurements a startup uploads for KPIs measured by itself.

Two ways in. Through the API: the file is checked and, if valid, stored. For large files:
a presigned PUT into `workspaces/<pilot>/incoming/<upload>/<kpi>.<csv|parquet>`, then a
validate call. Either way an invalid file is refused with the reason and leaves nothing
behind, and a valid one is stored normalized under
`workspaces/<pilot>/measurements/<kpi>/<sha256>.parquet` and registered once per content.
A presigned upload never validated is abandoned: the sweep removes it `ABANDONED_AFTER` its
upload.
"""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from minio import Minio
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from lab.audit import service as audit
from lab.auth.models import User
from lab.common import Page, PageParams, as_utc
from lab.exceptions import Conflict, InvalidInput, NotFound
from lab.pilots import service as pilots
from lab.pilots.models import Pilot, PilotStatus
from lab.pilots.protocol import MeasurementSource, Protocol
from lab.sandbox import events, measurements, platform
from lab.sandbox.models import AccessMethod, Measurement
from storage import delete_prefix, presigned_put, write_parquet

OPEN = frozenset({PilotStatus.approved, PilotStatus.running, PilotStatus.completed})
UPLOAD_LIFETIME = timedelta(hours=1)
# Time to validate a file PUT through a presigned link, after which the sweep deletes it.
ABANDONED_AFTER = timedelta(days=1)


class UploadTicket(BaseModel):
    upload_id: uuid.UUID = Field(
        description="Pass it to POST /pilots/{id}/measurements/uploads/{upload_id}/validate "
                    "once the file is PUT")
    kpi: str = Field(description="The KPI the file is for")
    method: str = Field("PUT", description="HTTP method for `url`: always PUT")
    url: str = Field(description="PUT the file's bytes here, then call the validate route")
    bucket: str = Field(description="The workspaces bucket the file lands in")
    key: str = Field(description="Object key: `<pilot>/incoming/<upload_id>/<kpi>.<csv|parquet>`; "
                                 "deleted by the sweep if not validated within a day")
    expires_at: datetime = Field(description="When `url` stops accepting the file, one hour "
                                             "after issue (ISO 8601, UTC)")


def measurement_kpis(protocol: Protocol) -> dict[str, str]:
    """KPIs and guardrails whose source is an uploaded measurement, with their unit."""
    units = {k.name: k.source.unit for k in protocol.kpis
             if isinstance(k.source, MeasurementSource)}
    units.update((g.name, g.source.unit) for g in protocol.guardrails
                 if isinstance(g.source, MeasurementSource))
    return units


def _workspace(session: Session, actor: User, pilot_id: uuid.UUID) -> Pilot:
    pilot = pilots.get_pilot(session=session, actor=actor, pilot_id=pilot_id)
    pilots.require_owner(actor, pilot)
    if pilot.status not in OPEN:
        raise Conflict(f"The pilot is {pilot.status}; measurements are uploaded while it is "
                       "approved, running or completed.", field="status")
    return pilot


def _unit(pilot: Pilot, kpi: str) -> str:
    kpis = measurement_kpis(Protocol.model_validate(pilot.protocol))
    if kpi not in kpis:
        allowed = ", ".join(sorted(kpis)) or "none"
        raise InvalidInput(f"{kpi!r} is not a KPI measured by upload in this pilot's protocol "
                           f"(those are: {allowed}).", field="kpi")
    return kpis[kpi]


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _existing(session: Session, pilot: Pilot, kpi: str, sha256: str) -> Measurement | None:
    return session.exec(select(Measurement).where(
        Measurement.pilot_id == pilot.id, Measurement.kpi == kpi,
        Measurement.source_sha256 == sha256)).first()


def register(*, session: Session, actor: User, pilot_id: uuid.UUID, kpi: str, path: Path,
             filename: str | None, storage: Minio) -> tuple[Measurement, bool]:
    """Check a local file and store it; return the measurement and whether it is new."""
    pilot = _workspace(session, actor, pilot_id)
    unit = _unit(pilot, kpi)
    digest = _sha256(path)
    if (found := _existing(session, pilot, kpi, digest)) is not None:
        return found, False
    protocol = Protocol.model_validate(pilot.protocol)
    checked = measurements.check(path, zones=protocol.zones(), start=protocol.baseline.start,
                                 end=protocol.pilot.end)
    key = f"{pilot.id}/measurements/{kpi}/{digest}.parquet"
    stored = write_parquet(storage, platform.workspaces_bucket(), key, checked.frame,
                           compression="zstd", statistics=True)
    measurement = Measurement(pilot_id=pilot.id, kpi=kpi, unit=unit,
                              filename=(filename or "")[:255] or None,
                              source_format=checked.format, source_sha256=digest,
                              object_key=key, sha256=stored.sha256 or "",
                              size_bytes=stored.size, rows=checked.rows, zones=checked.zones,
                              time_min=checked.time_min, time_max=checked.time_max,
                              uploaded_by=actor.id)
    try:
        with session.begin_nested():
            session.add(measurement)
    except IntegrityError:
        # The same file, registered a moment ago: the object under its digest is the same.
        found = _existing(session, pilot, kpi, digest)
        assert found is not None
        return found, False
    audit.record(session=session, actor=actor, action="measurement.register",
                 object_type="pilot", object_id=pilot.id,
                 after={"kpi": kpi, "rows": checked.rows, "source_sha256": digest, "key": key})
    session.commit()
    session.refresh(measurement)
    return measurement, True


def presign_upload(*, session: Session, actor: User, pilot_id: uuid.UUID, kpi: str,
                   file_format: measurements.Format, storage: Minio,
                   client: events.ClientInfo) -> UploadTicket:
    """A presigned PUT into the pilot's incoming area, for one file of one KPI."""
    pilot = _workspace(session, actor, pilot_id)
    _unit(pilot, kpi)
    upload_id = uuid.uuid4()
    bucket = platform.workspaces_bucket()
    key = f"{pilot.id}/incoming/{upload_id}/{kpi}.{file_format}"
    signed = presigned_put(storage, bucket, key, lifetime=UPLOAD_LIFETIME)
    events.record(session=session, actor=actor, client=client,
                  method=AccessMethod.presigned_put, pilot_id=pilot.id,
                  organization_id=pilot.organization_id, objects=[f"{bucket}/{key}"],
                  valid_until=signed.expires_at, detail={"kpi": kpi})
    session.commit()
    return UploadTicket(upload_id=upload_id, kpi=kpi, url=signed.url, bucket=bucket, key=key,
                        expires_at=signed.expires_at)


def validate_upload(*, session: Session, actor: User, pilot_id: uuid.UUID,
                    upload_id: uuid.UUID, storage: Minio,
                    max_bytes: int) -> tuple[Measurement, bool]:
    """Check what was PUT for an upload; store it if valid. The incoming object is removed
    either way."""
    pilot = _workspace(session, actor, pilot_id)
    bucket, prefix = platform.workspaces_bucket(), f"{pilot.id}/incoming/{upload_id}/"
    found = [o for o in storage.list_objects(bucket, prefix=prefix, recursive=True)
             if o.object_name]
    if not found:
        raise NotFound(f"Nothing was uploaded for {upload_id} (or it was validated already).")
    try:
        if len(found) != 1:
            raise InvalidInput("An upload holds one file.", field="file")
        item = found[0]
        name = str(item.object_name).rsplit("/", 1)[-1]
        kpi = name.rsplit(".", 1)[0]
        if (item.size or 0) > max_bytes:
            raise InvalidInput(f"The file is larger than the limit of {max_bytes} bytes "
                               "(LAB_MEASUREMENT_MAX_BYTES).", field="file")
        with tempfile.TemporaryDirectory(prefix="terrain-measurement-") as tmp:
            path = Path(tmp) / name
            storage.fget_object(bucket, str(item.object_name), str(path))
            return register(session=session, actor=actor, pilot_id=pilot.id, kpi=kpi,
                            path=path, filename=name, storage=storage)
    finally:
        delete_prefix(storage, bucket, prefix)


def sweep_incoming(*, storage: Minio, now: datetime) -> int:
    """Delete the presigned uploads never validated, `ABANDONED_AFTER` after they were PUT;
    return how many uploads were deleted."""
    bucket, cutoff = platform.workspaces_bucket(), now - ABANDONED_AFTER
    abandoned = set()
    for pilot in storage.list_objects(bucket):
        if not pilot.is_dir or not pilot.object_name:
            continue
        for item in storage.list_objects(bucket, prefix=f"{pilot.object_name}incoming/",
                                         recursive=True):
            name, modified = item.object_name, item.last_modified
            if name and modified is not None and as_utc(modified) < cutoff:
                abandoned.add(name.rsplit("/", 1)[0] + "/")  # <pilot>/incoming/<upload>/
    for prefix in sorted(abandoned):
        delete_prefix(storage, bucket, prefix)
    return len(abandoned)


def list_measurements(*, session: Session, actor: User, pilot_id: uuid.UUID,
                      page: PageParams, kpi: str | None = None) -> Page[Measurement]:
    """A pilot's measurements, newest first (whoever may see the pilot)."""
    pilot = pilots.get_pilot(session=session, actor=actor, pilot_id=pilot_id)
    query = select(Measurement).where(Measurement.pilot_id == pilot.id)
    if kpi is not None:
        query = query.where(Measurement.kpi == kpi)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Measurement.created_at).desc(),
                                       col(Measurement.id)).offset(page.offset)
                        .limit(page.limit))
    return Page(items=list(rows), total=total, limit=page.limit, offset=page.offset)


__all__ = ["ABANDONED_AFTER", "OPEN", "UPLOAD_LIFETIME", "UploadTicket", "list_measurements",
           "measurement_kpis", "presign_upload", "register", "sweep_incoming", "validate_upload"]
