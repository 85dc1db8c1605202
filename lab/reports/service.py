"""Problem reports: anyone files one on a pilot's asset; it goes to the authority that owns
the asset (the competence split decides, as in the catalog) and to the startup running the
pilot, who move it along; a city that does not own the problem passes it on, with a reason.

The reporter follows it with a receipt code, without an account. Reports are rate-limited
per client address and scrubbed like free text (emails and phone numbers removed).
"""

from __future__ import annotations

import math
import statistics
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import true
from sqlmodel import Session, col, func, select

from lab.assets.models import Asset
from lab.audit import service as audit
from lab.auth.models import Role, User
from lab.citizens import codes
from lab.citizens.models import SignupWindow
from lab.common import Page, PageParams, get_or_create, utcnow
from lab.directory.models import Authority
from lab.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied, TooManyRequests
from lab.feedback import photos, scrub
from lab.feedback.models import Point
from lab.pilots.models import Pilot, PilotStatus
from lab.pilots.protocol import Protocol
from lab.reports.models import (
    NotOurs,
    ProblemReport,
    ReportableAsset,
    ReportCreate,
    ReportFollow,
    ReportPublic,
    ReportReceipt,
    ReportStatus,
    StatusChange,
)
from storage import delete_prefix

OPEN_TO_REPORTS = frozenset({PilotStatus.running, PilotStatus.suspended, PilotStatus.completed})
RATE_LIMIT, RATE_WINDOW = 10, timedelta(hours=1)
MOVES = {ReportStatus.received: {ReportStatus.in_progress, ReportStatus.solved},
         ReportStatus.in_progress: {ReportStatus.solved, ReportStatus.received},
         ReportStatus.solved: {ReportStatus.in_progress}}


def _throttle(session: Session, client: str) -> None:
    key, now = f"report:{client}", utcnow()
    row = get_or_create(session, SignupWindow, key, key=key, count=0, window_started_at=now)
    if now - row.window_started_at > RATE_WINDOW:
        row.count, row.window_started_at = 0, now
    if row.count >= RATE_LIMIT:
        retry = row.window_started_at + RATE_WINDOW - now
        raise TooManyRequests("Too many reports from this address; try again later.",
                              retry_after=max(1, math.ceil(retry.total_seconds())))
    row.count += 1
    session.add(row)
    session.commit()  # the attempt counts even if the report is refused below


def _route(session: Session, data: ReportCreate) -> tuple[Pilot, Asset]:
    pilot = session.get(Pilot, data.pilot_id)
    if pilot is None or pilot.status not in OPEN_TO_REPORTS:
        raise NotFound("No such pilot in the field.")
    asset = session.get(Asset, data.asset_id)
    used = {str(a) for a in Protocol.model_validate(pilot.protocol).asset_ids}
    if asset is None or str(asset.id) not in used:
        raise InvalidInput("This asset is not one of the pilot's assets.", field="asset_id")
    return pilot, asset


def file_report(*, session: Session, storage: Any, data: ReportCreate,
                client: str) -> ReportReceipt:
    """Record a report, routed to the asset's owning authority; return its receipt."""
    _throttle(session, client)
    pilot, asset = _route(session, data)
    photo = photos.clean(photos.decode(data.photo)) if data.photo is not None else None
    report = ProblemReport(
        receipt=codes.normalize(codes.new_code()), pilot_id=pilot.id, asset_id=asset.id,
        authority_id=asset.authority_id, organization_id=pilot.organization_id,
        kind=data.kind, description=scrub.scrub(data.description.strip()),
        lon=data.point.lon if data.point else None, lat=data.point.lat if data.point else None)
    if photo is not None:
        report.photo_key = f"{pilot.id}/reports/{report.id}/photo.{photo.extension}"
        photos.store(storage, report.photo_key, photo)
    session.add(report)
    audit.record(session=session, actor=None, action="report.file", object_type="report",
                 object_id=report.id, after={"pilot_id": pilot.id, "asset_id": asset.id,
                                             "authority_id": report.authority_id,
                                             "kind": report.kind})
    try:
        session.commit()
    except Exception:
        session.rollback()
        if report.photo_key is not None:  # no row, no photo
            delete_prefix(storage, photos.bucket(), f"{pilot.id}/reports/{report.id}/")
        raise
    authority = session.get(Authority, report.authority_id)
    return ReportReceipt(receipt=format_receipt(report.receipt), status=report.status,
                         authority_name=authority.name if authority else "",
                         created_at=report.created_at)


def reportable_assets(*, session: Session, pilot_id: uuid.UUID,
                      page: PageParams) -> Page[ReportableAsset]:
    """The assets of a pilot in the field, to pick one on the map (by name)."""
    pilot = session.get(Pilot, pilot_id)
    if pilot is None or pilot.status not in OPEN_TO_REPORTS:
        raise NotFound("No such pilot in the field.")
    ids = [uuid.UUID(str(a)) for a in Protocol.model_validate(pilot.protocol).asset_ids]
    query = select(Asset, Authority.name).join(
        Authority, col(Authority.id) == col(Asset.authority_id)).where(col(Asset.id).in_(ids))
    total = session.exec(select(func.count()).select_from(Asset)
                         .where(col(Asset.id).in_(ids))).one()
    rows = session.exec(query.order_by(col(Asset.name), col(Asset.id))
                        .offset(page.offset).limit(page.limit)).all()
    return Page(items=[ReportableAsset(id=a.id, kind=str(a.kind), name=a.name,
                                       geometry=a.geometry, authority_name=name)
                       for a, name in rows], total=total, limit=page.limit, offset=page.offset)


def format_receipt(receipt: str) -> str:
    """The receipt as read aloud: two groups of five."""
    return f"{receipt[:5]}-{receipt[5:]}"


def follow(*, session: Session, receipt: str) -> ReportFollow:
    """What the reporter sees with the receipt code (not the description nor the photo)."""
    report = session.exec(select(ProblemReport).where(
        ProblemReport.receipt == codes.normalize(receipt))).first()
    if report is None:
        raise NotFound("No report with this receipt code.")
    pilot = session.get(Pilot, report.pilot_id)
    asset = session.get(Asset, report.asset_id)
    authority = session.get(Authority, report.authority_id)
    return ReportFollow(receipt=format_receipt(report.receipt), kind=report.kind,
                        status=report.status, pilot_title=pilot.title if pilot else "",
                        asset_name=asset.name if asset else "",
                        authority_name=authority.name if authority else "",
                        rerouted=report.rerouted > 0, note=report.note,
                        created_at=report.created_at, updated_at=report.updated_at,
                        solved_at=report.solved_at)


def _visible(actor: User) -> Any:
    if actor.role == Role.admin:
        return true()
    if actor.role == Role.city and actor.authority_id is not None:
        return col(ProblemReport.authority_id) == actor.authority_id
    if actor.role == Role.startup and actor.organization_id is not None:
        return col(ProblemReport.organization_id) == actor.organization_id
    raise PermissionDenied("Reports are read by the authority handling them and the startup "
                           "running the pilot.")


def to_public(r: ProblemReport) -> ReportPublic:
    """A report as its handlers read it."""
    return ReportPublic(
        id=r.id, receipt=format_receipt(r.receipt), pilot_id=r.pilot_id, asset_id=r.asset_id,
        authority_id=r.authority_id, organization_id=r.organization_id, kind=r.kind,
        description=r.description,
        point=Point(lon=r.lon, lat=r.lat) if r.lon is not None and r.lat is not None else None,
        has_photo=r.photo_key is not None, status=r.status, note=r.note, rerouted=r.rerouted,
        created_at=r.created_at, updated_at=r.updated_at, solved_at=r.solved_at)


def list_reports(*, session: Session, actor: User, page: PageParams,
                 status: ReportStatus | None = None,
                 pilot_id: uuid.UUID | None = None) -> Page[ProblemReport]:
    """Reports the actor handles (city: its authority's; startup: its pilots'), newest first."""
    query = select(ProblemReport).where(_visible(actor))
    if status is not None:
        query = query.where(ProblemReport.status == status)
    if pilot_id is not None:
        query = query.where(ProblemReport.pilot_id == pilot_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(ProblemReport.created_at).desc(),
                                       col(ProblemReport.id))
                        .offset(page.offset).limit(page.limit)).all()
    return Page(items=list(rows), total=total, limit=page.limit, offset=page.offset)


def get_report(*, session: Session, actor: User, report_id: uuid.UUID) -> ProblemReport:
    """One report the actor handles, or 404."""
    report = session.exec(select(ProblemReport).where(
        ProblemReport.id == report_id, _visible(actor))).first()
    if report is None:
        raise NotFound("No such report.")
    return report


def change_status(*, session: Session, actor: User, report_id: uuid.UUID,
                  data: StatusChange) -> ProblemReport:
    """Move a report along (the handling authority's city members or the pilot's startup)."""
    report = get_report(session=session, actor=actor, report_id=report_id)
    to = ReportStatus(data.status)
    if to not in MOVES[report.status]:
        raise Conflict(f"A {report.status} report cannot become {to}.", field="status")
    before = {"status": report.status}
    report.status, report.updated_at = to, utcnow()
    report.solved_at = report.updated_at if to == ReportStatus.solved else None
    if data.note.strip():
        report.note = data.note.strip()
    session.add(report)
    audit.record(session=session, actor=actor, action="report.status", object_type="report",
                 object_id=report.id, before=before, after={"status": to},
                 reason=data.note.strip() or None)
    session.commit()
    return report


def not_ours(*, session: Session, actor: User, report_id: uuid.UUID,
             data: NotOurs) -> ProblemReport:
    """The handling authority passes the report on to the one that owns the problem."""
    report = get_report(session=session, actor=actor, report_id=report_id)
    if actor.role not in (Role.city, Role.admin):
        raise PermissionDenied("Only the handling authority passes a report on.")
    if session.get(Authority, data.authority_id) is None:
        raise InvalidInput("No such authority.", field="authority_id")
    if data.authority_id == report.authority_id:
        raise InvalidInput("The report is already with this authority.", field="authority_id")
    before = {"authority_id": report.authority_id, "status": report.status}
    report.authority_id, report.status = data.authority_id, ReportStatus.received
    report.rerouted += 1
    report.updated_at, report.solved_at = utcnow(), None
    session.add(report)
    audit.record(session=session, actor=actor, action="report.reroute", object_type="report",
                 object_id=report.id, before=before,
                 after={"authority_id": data.authority_id, "status": report.status},
                 reason=data.reason.strip())
    session.commit()
    return report


def incidents(*, session: Session, pilot_id: uuid.UUID) -> dict[str, Any]:
    """Reports on a pilot as incidents: how many, how many solved, how fast (hours)."""
    rows = session.exec(select(ProblemReport.created_at, ProblemReport.solved_at)
                        .where(ProblemReport.pilot_id == pilot_id)).all()
    hours = [(s - c).total_seconds() / 3600 for c, s in rows if s is not None]
    return {"reports": len(rows), "solved": len(hours), "open": len(rows) - len(hours),
            "median_hours_to_solve": round(statistics.median(hours), 1) if hours else None,
            "max_hours_to_solve": round(max(hours), 1) if hours else None}


__all__ = ["change_status", "file_report", "follow", "format_receipt", "get_report",
           "incidents", "list_reports", "not_ours", "reportable_assets", "to_public"]
