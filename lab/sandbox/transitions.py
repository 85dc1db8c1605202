"""What happens to a pilot's grants when the pilot moves: made on approval (once), shortened
on completion, revoked on suspension, withdrawal, rejection or a superseding approval; and,
once the move is committed, their extracts queued or deleted.

Functions that change grants add to the caller's transaction (no commit), except
`after_transition`, `start_extracts` and `delete_extracts`, which run after it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from lab.audit import service as audit
from lab.auth.models import User
from lab.common import utcnow
from lab.datasets import service as datasets
from lab.datasets.models import Dataset
from lab.jobs import runtime
from lab.jobs import service as jobs
from lab.pilots.models import Pilot
from lab.pilots.protocol import Protocol
from lab.sandbox import platform, scope
from lab.sandbox.builder import EXTRACT_JOB  # importing it registers the extract job
from lab.sandbox.models import ExtractStatus, Grant, GrantStatus
from lab.settings import get_settings
from storage import delete_prefix

logger = logging.getLogger("lab.sandbox")


def grant_on_approval(*, session: Session, actor: User | None, pilot: Pilot,
                      grace: timedelta | None = None) -> list[Grant]:
    """Add one grant per requested dataset for the pilot's approved protocol (no commit).

    Idempotent: grants already made for this protocol version are kept, and a concurrent
    approval that inserted first wins (the unique constraint decides). Grants of earlier
    protocol versions are revoked as superseded. Returns the grants to materialize.
    """
    protocol = Protocol.model_validate(pilot.protocol)
    version = pilot.approved_protocol_version or pilot.protocol_version
    grace = grace if grace is not None else timedelta(days=get_settings().grant_grace_days)
    expires_at = scope.expiry_for(protocol, grace=grace)
    now = utcnow()
    superseded = session.exec(select(Grant).where(
        Grant.pilot_id == pilot.id, Grant.protocol_version != version,
        Grant.status == GrantStatus.active)).all()
    for old in superseded:
        end_grant(session, actor, old, GrantStatus.revoked,
                  f"superseded by protocol version {version}")
    made: list[Grant] = []
    for dataset_id, requests in scope.requests_by_dataset(protocol).items():
        existing = session.exec(select(Grant).where(
            Grant.pilot_id == pilot.id, Grant.protocol_version == version,
            Grant.dataset_id == dataset_id)).first()
        if existing is not None:
            continue
        dataset = session.get(Dataset, dataset_id)
        source = datasets.latest_ready_version(session=session, dataset_id=dataset_id)
        if dataset is None or source is None:
            logger.warning("pilot %s: dataset %s has no ready version; no grant", pilot.id,
                           dataset_id)
            continue
        try:
            granted = scope.scope_for(protocol=protocol, requests=requests,
                                      dataset_columns=[c["name"] for c in source.columns or []],
                                      time_column=dataset.time_column,
                                      zone_column=dataset.zone_column)
        except ValueError as exc:
            # The approval stands; the data it cannot cover is on record, not granted.
            logger.warning("pilot %s: no grant on dataset %s: %s", pilot.id, dataset_id, exc)
            audit.record(session=session, actor=actor, action="grant.skip", object_type="pilot",
                         object_id=pilot.id, after={"dataset_id": dataset_id},
                         reason=str(exc))
            continue
        grant = Grant(pilot_id=pilot.id, protocol_version=version,
                      organization_id=pilot.organization_id, dataset_id=dataset.id,
                      dataset_version_id=source.id, authority_id=dataset.authority_id,
                      columns=list(granted.columns), zones=list(granted.zones),
                      window_start=granted.start, window_end=granted.end,
                      expires_at=expires_at, created_by=actor.id if actor else None)
        if expires_at <= now:
            # Approved after its end: nothing to build, nothing will ever be issued.
            grant.status, grant.ended_at = GrantStatus.expired, now
        try:
            with session.begin_nested():
                session.add(grant)
        except IntegrityError:
            continue  # another approval made it first
        audit.record(session=session, actor=actor, action="grant.create", object_type="grant",
                     object_id=grant.id, after=_audit_view(grant))
        if grant.status == GrantStatus.active:
            made.append(grant)
    return made


def _audit_view(grant: Grant) -> dict[str, Any]:
    return {"pilot_id": grant.pilot_id, "dataset_id": grant.dataset_id,
            "dataset_version_id": grant.dataset_version_id, "columns": grant.columns,
            "zones": grant.zones, "window_start": grant.window_start,
            "window_end": grant.window_end, "expires_at": grant.expires_at,
            "status": str(grant.status)}


def start_extracts(*, session: Session, actor: User | None, grants: list[Grant]) -> None:
    """Queue the extract job of each grant (commits: the job must see the grant)."""
    ids = [g.id for g in grants]
    session.commit()
    for grant_id in ids:
        jobs.enqueue(session=session, actor=actor, kind=EXTRACT_JOB,
                     params={"grant_id": str(grant_id)})


def after_transition(*, session: Session, actor: User | None, pilot_id: uuid.UUID,
                     start: list[Grant] | None = None) -> None:
    """Once a pilot transition is committed: delete the extracts of its ended grants and
    queue the extracts of its new ones."""
    ended = session.exec(select(Grant.id).where(
        Grant.pilot_id == pilot_id, Grant.status != GrantStatus.active,
        col(Grant.extract_deleted_at).is_(None))).all()
    delete_extracts(session=session, grant_ids=list(ended))
    if start:
        start_extracts(session=session, actor=actor, grants=start)


def end_grant(session: Session, actor: User | None, grant: Grant, status: GrantStatus,
              reason: str) -> None:
    """Mark a grant expired or revoked, with the reason, in the audit log (no commit)."""
    before = {"status": str(grant.status)}
    grant.status, grant.ended_at = status, utcnow()
    grant.extract_status = ExtractStatus(status.value)  # no longer "ready" to anyone
    if status == GrantStatus.revoked:
        grant.revoked_by, grant.revoke_reason = (actor.id if actor else None), reason
    session.add(grant)
    action = "grant.revoke" if status == GrantStatus.revoked else "grant.expire"
    audit.record(session=session, actor=actor, action=action, object_type="grant",
                 object_id=grant.id, before=before, after={"status": str(status)},
                 reason=reason)


def revoke_pilot_grants(*, session: Session, actor: User | None, pilot: Pilot,
                        reason: str) -> list[uuid.UUID]:
    """Revoke every active grant of the pilot (no commit); return their ids."""
    grants = session.exec(select(Grant).where(Grant.pilot_id == pilot.id,
                                              Grant.status == GrantStatus.active)).all()
    for grant in grants:
        end_grant(session, actor, grant, GrantStatus.revoked, reason)
    return [g.id for g in grants]


def shorten_on_completion(*, session: Session, actor: User | None, pilot: Pilot,
                          grace: timedelta | None = None) -> None:
    """A completed pilot keeps its grants for the grace period at most (no commit)."""
    grace = grace if grace is not None else timedelta(days=get_settings().grant_grace_days)
    until = utcnow() + grace
    for grant in session.exec(select(Grant).where(Grant.pilot_id == pilot.id,
                                                  Grant.status == GrantStatus.active)).all():
        if grant.expires_at > until:
            before = {"expires_at": grant.expires_at}
            grant.expires_at = until
            session.add(grant)
            audit.record(session=session, actor=actor, action="grant.shorten",
                         object_type="grant", object_id=grant.id, before=before,
                         after={"expires_at": until}, reason="pilot completed")


def delete_extracts(*, session: Session, grant_ids: list[uuid.UUID],
                    storage: Any = None) -> int:
    """Delete ended grants' extracts (after the commit that ended them); return how many.

    Without an object store, or when deleting fails, the sweep deletes them later.
    """
    client = storage if storage is not None else runtime.get_storage()
    if client is None or not grant_ids:
        return 0
    deleted = 0
    for grant_id in grant_ids:
        grant = session.get(Grant, grant_id)
        if grant is None or grant.status == GrantStatus.active:
            continue
        try:
            delete_prefix(client, platform.sandbox_bucket(), platform.grant_prefix(grant.id))
        except Exception as exc:  # noqa: BLE001 - retried by the sweep
            logger.warning("could not delete the extract of grant %s: %s", grant.id, exc)
            continue
        grant.extract_deleted_at = utcnow()
        session.add(grant)
        session.commit()
        deleted += 1
    return deleted


__all__ = ["EXTRACT_JOB", "after_transition", "delete_extracts", "end_grant",
           "grant_on_approval", "revoke_pilot_grants", "shorten_on_completion",
           "start_extracts"]
