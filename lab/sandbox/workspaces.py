"""Workspaces: the measurements a startup uploads for KPIs measured by itself.

Two ways in. Through the API: the file is checked and, if valid, stored. For large files:
a presigned PUT into `workspaces/<pilot>/incoming/<upload>/<kpi>.<csv|parquet>`, then a
validate call. Either way an invalid file is refused with the reason and leaves nothing
behind, and a valid one is stored normalized under
`workspaces/<pilot>/measurements/<kpi>/<sha256>.parquet` and registered once per content.
A file whose zone-hours overlap a current file of the same KPI is refused (409
`measurement-overlap`) unless it replaces that file; a replaced or withdrawn file stays on
record but evaluations read only current files.
A presigned upload never validated is abandoned: the sweep removes it `ABANDONED_AFTER` its
upload.
"""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
from minio import Minio
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from lab.audit import service as audit
from lab.auth.models import User
from lab.common import Page, PageParams, as_utc, utcnow
from lab.exceptions import Conflict, InvalidInput, MeasurementOverlap, NotFound
from lab.pilots import service as pilots
from lab.pilots.models import Pilot, PilotStatus
from lab.pilots.protocol import MeasurementSource, Protocol
from lab.sandbox import events, measurements, platform
from lab.sandbox.models import AccessMethod, Measurement
from storage import delete_prefix, presigned_put, read_parquet, write_parquet

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


def _current(session: Session, pilot: Pilot, kpi: str) -> list[Measurement]:
    return list(session.exec(select(Measurement).where(
        Measurement.pilot_id == pilot.id, Measurement.kpi == kpi,
        col(Measurement.withdrawn_at).is_(None)).order_by(col(Measurement.created_at))))


def _replaced(session: Session, pilot: Pilot, kpi: str, replaces: uuid.UUID) -> Measurement:
    old = session.get(Measurement, replaces)
    if old is None or old.pilot_id != pilot.id:
        raise NotFound(f"No measurement {replaces} in this pilot.", field="replaces")
    if old.kpi != kpi:
        raise InvalidInput(f"Measurement {replaces} is for KPI {old.kpi!r}, not {kpi!r}; a "
                           "file replaces one of the same KPI.", field="replaces")
    if old.withdrawn_at is not None:
        raise Conflict(f"Measurement {replaces} was already withdrawn or replaced.",
                       field="replaces")
    return old


def _hours(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(pl.col("zone"), pl.col("time").dt.truncate("1h")).unique()


def _refuse_overlap(session: Session, storage: Minio, pilot: Pilot, kpi: str,
                    checked: measurements.Checked, ignore: set[uuid.UUID]) -> None:
    """409 if a current file of the KPI has a value in one of the same zone-hours."""
    new_zones, hours = set(checked.zones), None
    for other in _current(session, pilot, kpi):
        if (other.id in ignore or not new_zones & set(other.zones)
                or other.time_max < checked.time_min or checked.time_max < other.time_min):
            continue
        hours = _hours(checked.frame) if hours is None else hours
        theirs = _hours(read_parquet(storage, platform.workspaces_bucket(), other.object_key,
                                     columns=["zone", "time"]))
        common = hours.join(theirs, on=["zone", "time"], how="inner").sort("zone", "time")
        if common.height:
            first = common.row(0, named=True)
            name = f" ({other.filename})" if other.filename else ""
            raise MeasurementOverlap(
                f"This file overlaps measurement {other.id}{name} of KPI {kpi!r} on "
                f"{common.height} zone-hours (first: zone {first['zone']} at "
                f"{first['time'].isoformat()}); both would be counted. Upload it with "
                f"replaces={other.id} to replace that file, or withdraw that file first.",
                field="file")


def register(*, session: Session, actor: User, pilot_id: uuid.UUID, kpi: str, path: Path,
             filename: str | None, storage: Minio,
             replaces: uuid.UUID | None = None) -> tuple[Measurement, bool]:
    """Check a local file and store it, refusing one that overlaps a current file of the KPI
    unless it `replaces` that file; return the measurement and whether it is new (or back)."""
    pilot = _workspace(session, actor, pilot_id)
    unit = _unit(pilot, kpi)
    old = _replaced(session, pilot, kpi, replaces) if replaces is not None else None
    digest = _sha256(path)
    found = _existing(session, pilot, kpi, digest)
    if found is not None and found.withdrawn_at is None:
        if old is not None and old.id == found.id:
            raise InvalidInput("The new file is identical to the one it replaces.",
                               field="file")
        if old is not None:
            raise Conflict(f"This file is already registered as measurement {found.id}; "
                           f"withdraw {old.id} instead of replacing it.", field="replaces")
        return found, False
    protocol = Protocol.model_validate(pilot.protocol)
    checked = measurements.check(path, zones=protocol.zones(), start=protocol.baseline.start,
                                 end=protocol.pilot.end)
    _refuse_overlap(session, storage, pilot, kpi, checked, {old.id} if old else set())
    if found is not None:
        # A withdrawn file sent again: it counts again (its object is still stored).
        found.withdrawn_at = found.withdrawn_by = found.withdraw_reason = None
        found.replaced_by = None
        measurement = found
        session.add(found)
    else:
        key = f"{pilot.id}/measurements/{kpi}/{digest}.parquet"
        stored = write_parquet(storage, platform.workspaces_bucket(), key, checked.frame,
                               compression="zstd", statistics=True)
        measurement = Measurement(pilot_id=pilot.id, kpi=kpi, unit=unit,
                                  filename=(filename or "")[:255] or None,
                                  source_format=checked.format, source_sha256=digest,
                                  object_key=key, sha256=stored.sha256 or "",
                                  size_bytes=stored.size, rows=checked.rows,
                                  zones=checked.zones, time_min=checked.time_min,
                                  time_max=checked.time_max, uploaded_by=actor.id)
        try:
            with session.begin_nested():
                session.add(measurement)
        except IntegrityError:
            # The same file, registered a moment ago: the object under its digest is the same.
            again = _existing(session, pilot, kpi, digest)
            assert again is not None
            return again, False
    session.flush()
    if old is not None:
        _withdraw(session, actor, old, f"replaced by {measurement.filename or measurement.id}",
                  replaced_by=measurement.id)
    audit.record(session=session, actor=actor,
                 action="measurement.restore" if found is not None else "measurement.register",
                 object_type="pilot", object_id=pilot.id,
                 after={"kpi": kpi, "rows": checked.rows, "source_sha256": digest,
                        "measurement_id": measurement.id,
                        "replaces": old.id if old else None, "key": measurement.object_key})
    session.commit()
    session.refresh(measurement)
    return measurement, True


def _withdraw(session: Session, actor: User, measurement: Measurement, reason: str,
              replaced_by: uuid.UUID | None = None) -> None:
    measurement.withdrawn_at, measurement.withdrawn_by = utcnow(), actor.id
    measurement.withdraw_reason, measurement.replaced_by = reason or None, replaced_by
    session.add(measurement)
    audit.record(session=session, actor=actor,
                 action="measurement.replace" if replaced_by else "measurement.withdraw",
                 object_type="pilot", object_id=measurement.pilot_id, reason=reason or None,
                 after={"kpi": measurement.kpi, "measurement_id": measurement.id,
                        "replaced_by": replaced_by})


def withdraw(*, session: Session, actor: User, pilot_id: uuid.UUID,
             measurement_id: uuid.UUID, reason: str) -> Measurement:
    """Withdraw a current file: kept for the record, no longer counted by evaluations."""
    pilot = _workspace(session, actor, pilot_id)
    measurement = session.get(Measurement, measurement_id)
    if measurement is None or measurement.pilot_id != pilot.id:
        raise NotFound("No such measurement in this pilot.")
    if measurement.withdrawn_at is not None:
        raise Conflict("The measurement was already withdrawn or replaced.", field="status")
    _withdraw(session, actor, measurement, reason.strip())
    session.commit()
    session.refresh(measurement)
    return measurement


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
                    upload_id: uuid.UUID, storage: Minio, max_bytes: int,
                    replaces: uuid.UUID | None = None) -> tuple[Measurement, bool]:
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
                            path=path, filename=name, storage=storage, replaces=replaces)
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
                      page: PageParams, kpi: str | None = None,
                      current_only: bool = False) -> Page[Measurement]:
    """A pilot's measurements, newest first (whoever may see the pilot); withdrawn and
    replaced files too unless `current_only`."""
    pilot = pilots.get_pilot(session=session, actor=actor, pilot_id=pilot_id)
    query = select(Measurement).where(Measurement.pilot_id == pilot.id)
    if kpi is not None:
        query = query.where(Measurement.kpi == kpi)
    if current_only:
        query = query.where(col(Measurement.withdrawn_at).is_(None))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Measurement.created_at).desc(),
                                       col(Measurement.id)).offset(page.offset)
                        .limit(page.limit))
    return Page(items=list(rows), total=total, limit=page.limit, offset=page.offset)


__all__ = ["ABANDONED_AFTER", "OPEN", "UPLOAD_LIFETIME", "UploadTicket", "list_measurements",
           "measurement_kpis", "presign_upload", "register", "sweep_incoming", "validate_upload",
           "withdraw"]
