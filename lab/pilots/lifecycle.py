"""Pilot transitions, one service function each, with who may make them.

    draft ──submit──▶ submitted ──(every authority approves)──▶ approved ──start──▶ running
      ▲                 │  │                                       │  ▲               │
      └──revise── changes_requested        refused ─▶ rejected     amend─┘          complete
                                                                                     ▼
    suspend: approved|running ─▶ suspended          withdraw: any open state   completed

Data grants follow (`lab.sandbox.transitions`): made on approval, revoked on suspension,
withdrawal or a refused amendment, superseded by an approved amendment, and cut to the
grace period on completion.
"""

from __future__ import annotations

import json
import uuid

from sqlmodel import Session, func, select

from lab.audit import service as audit
from lab.auth.models import Role, User
from lab.common import utcnow
from lab.exceptions import Conflict, InvalidInput, PermissionDenied
from lab.pilots import service as pilots
from lab.pilots.models import Approval, Decision, Pilot, PilotStatus, ProtocolVersion
from lab.pilots.protocol import Protocol, ProtocolDraft, canonical_json, protocol_hash
from lab.sandbox import transitions as sandbox

S = PilotStatus
OPEN = frozenset({S.draft, S.submitted, S.changes_requested, S.approved, S.running,
                  S.suspended})


def _load(session: Session, actor: User, pilot_id: uuid.UUID) -> Pilot:
    pilot = pilots.get_pilot(session=session, actor=actor, pilot_id=pilot_id)
    # Lock the row so two decisions or transitions on one pilot are serialised.
    locked = session.exec(select(Pilot).where(Pilot.id == pilot.id).with_for_update()).one()
    session.refresh(locked)
    return locked


def _expect(pilot: Pilot, allowed: frozenset[PilotStatus] | set[PilotStatus],
            action: str) -> None:
    if pilot.status not in allowed:
        names = ", ".join(sorted(allowed))
        raise Conflict(f"Cannot {action} a {pilot.status} pilot (only from: {names}).",
                       field="status")


def _move(session: Session, actor: User, pilot: Pilot, to: PilotStatus, action: str,
          reason: str | None = None, **extra: object) -> Pilot:
    before = {"status": str(pilot.status), "protocol_version": pilot.protocol_version}
    pilot.status = to
    pilot.updated_at = utcnow()
    session.add(pilot)
    audit.record(session=session, actor=actor, action=f"pilot.{action}", object_type="pilot",
                 object_id=pilot.id, before=before,
                 after={"status": str(to), "protocol_version": pilot.protocol_version, **extra},
                 reason=reason or None)
    session.commit()
    session.refresh(pilot)
    return pilot


def _involved_authorities(session: Session, pilot: Pilot) -> set[uuid.UUID]:
    rows = session.exec(select(Approval.authority_id).where(Approval.pilot_id == pilot.id))
    return set(rows)


def _require_owner_or_city(session: Session, actor: User, pilot: Pilot) -> None:
    if actor.role == Role.admin:
        return
    if actor.role == Role.city and actor.authority_id in _involved_authorities(session, pilot):
        return
    pilots.require_owner(actor, pilot)


def _freeze(session: Session, actor: User, pilot: Pilot) -> tuple[int, str]:
    protocol = Protocol.model_validate(pilot.protocol)
    authorities = pilots.check_against_catalog(session=session, protocol=protocol)
    frozen = session.exec(select(func.count()).select_from(ProtocolVersion)
                          .where(ProtocolVersion.pilot_id == pilot.id)).one()
    version, digest = frozen + 1, protocol_hash(protocol)
    session.add(ProtocolVersion(pilot_id=pilot.id, version=version,
                                # exactly what was hashed: anyone can check the digest
                                protocol=json.loads(canonical_json(protocol)), sha256=digest,
                                frozen_by=actor.id))
    for authority_id in sorted(authorities):
        session.add(Approval(pilot_id=pilot.id, protocol_version=version,
                             authority_id=authority_id))
    pilot.protocol_version, pilot.protocol_hash, pilot.submitted_at = version, digest, utcnow()
    return version, digest


def submit(*, session: Session, actor: User, pilot_id: uuid.UUID) -> Pilot:
    """Freeze and hash the protocol and ask every authority concerned for its decision."""
    pilot = _load(session, actor, pilot_id)
    pilots.require_owner(actor, pilot)
    _expect(pilot, {S.draft}, "submit")
    version, digest = _freeze(session, actor, pilot)
    return _move(session, actor, pilot, S.submitted, "submit", protocol_hash=digest)


def amend(*, session: Session, actor: User, pilot_id: uuid.UUID, protocol: ProtocolDraft,
          reason: str) -> Pilot:
    """Change an approved or running pilot's protocol: a new version that needs approval."""
    pilot = _load(session, actor, pilot_id)
    pilots.require_owner(actor, pilot)
    _expect(pilot, {S.approved, S.running}, "amend")
    if not reason.strip():
        raise InvalidInput("Say why the protocol changes.", field="reason")
    protocol, _ = pilots.validated(session=session, protocol=protocol)
    previous = pilot.protocol_hash
    if protocol_hash(protocol) == previous:
        raise InvalidInput("The amended protocol is identical to the approved one.",
                           field="protocol")
    pilot.protocol = protocol.model_dump(mode="json")
    version, digest = _freeze(session, actor, pilot)
    return _move(session, actor, pilot, S.submitted, "amend", reason=reason,
                 protocol_hash=digest, previous_hash=previous)


def decide(*, session: Session, actor: User, pilot_id: uuid.UUID, decision: Decision,
           comment: str) -> Pilot:
    """One authority's decision; the pilot is approved only when every authority approved."""
    pilot = _load(session, actor, pilot_id)
    if actor.role != Role.city or actor.authority_id is None:
        raise PermissionDenied("Only city members decide on pilots.")
    _expect(pilot, {S.submitted}, "decide on")
    approval = session.exec(select(Approval).where(
        Approval.pilot_id == pilot.id, Approval.protocol_version == pilot.protocol_version,
        Approval.authority_id == actor.authority_id)).first()
    if approval is None:
        raise PermissionDenied("Your authority's assets, zones and data are not used by this "
                               "pilot; you decide only for your own authority.")
    if decision == Decision.pending:
        raise InvalidInput("A decision is approved, refused or changes_requested.",
                           field="decision")
    if approval.decision != Decision.pending:
        raise Conflict(f"Your authority already decided: {approval.decision}.")
    if decision != Decision.approved and not comment.strip():
        raise InvalidInput("Explain a refusal or a request for changes in the comment.",
                           field="comment")
    approval.decision, approval.reviewer_id = decision, actor.id
    approval.comment, approval.decided_at = comment or None, utcnow()
    session.add(approval)
    audit.record(session=session, actor=actor, action=f"approval.{decision}",
                 object_type="pilot", object_id=pilot.id, reason=comment or None,
                 after={"authority_id": actor.authority_id,
                        "protocol_version": pilot.protocol_version})
    if decision == Decision.refused:
        # An amendment refused: the grants of the earlier approval end with the pilot.
        sandbox.revoke_pilot_grants(session=session, actor=actor, pilot=pilot,
                                    reason=f"pilot rejected: {comment}")
        pilot = _move(session, actor, pilot, S.rejected, "reject", reason=comment)
        sandbox.after_transition(session=session, actor=actor, pilot_id=pilot.id)
        return pilot
    if decision == Decision.changes_requested:
        return _move(session, actor, pilot, S.changes_requested, "request_changes",
                     reason=comment)
    others = pilots.current_approvals(session=session, pilot=pilot)
    if all(a.decision == Decision.approved for a in others):
        pilot.approved_at = utcnow()
        pilot.approved_protocol_version = pilot.protocol_version
        # One grant per requested dataset, in the approval's transaction; built afterwards.
        grants = sandbox.grant_on_approval(session=session, actor=actor, pilot=pilot)
        pilot = _move(session, actor, pilot, S.approved, "approve",
                      approved_protocol_version=pilot.protocol_version)
        sandbox.after_transition(session=session, actor=actor, pilot_id=pilot.id,
                                 start=grants)
        return pilot
    session.commit()
    session.refresh(pilot)
    return pilot


def revise(*, session: Session, actor: User, pilot_id: uuid.UUID) -> Pilot:
    """Take a pilot whose changes were requested back to draft."""
    pilot = _load(session, actor, pilot_id)
    pilots.require_owner(actor, pilot)
    _expect(pilot, {S.changes_requested}, "revise")
    return _move(session, actor, pilot, S.draft, "revise")


def start(*, session: Session, actor: User, pilot_id: uuid.UUID) -> Pilot:
    """Start an approved pilot in the field."""
    pilot = _load(session, actor, pilot_id)
    _require_owner_or_city(session, actor, pilot)
    _expect(pilot, {S.approved}, "start")
    pilot.started_at = pilot.started_at or utcnow()
    return _move(session, actor, pilot, S.running, "start")


def complete(*, session: Session, actor: User, pilot_id: uuid.UUID) -> Pilot:
    """Close a running pilot's field phase."""
    pilot = _load(session, actor, pilot_id)
    _require_owner_or_city(session, actor, pilot)
    _expect(pilot, {S.running}, "complete")
    pilot.completed_at = utcnow()
    # Data access outlives the field phase by the grace period, not until the planned end.
    sandbox.shorten_on_completion(session=session, actor=actor, pilot=pilot)
    return _move(session, actor, pilot, S.completed, "complete")


def suspend(*, session: Session, actor: User, pilot_id: uuid.UUID, reason: str) -> Pilot:
    """Stop an approved or running pilot at once (city members concerned, or an admin)."""
    pilot = _load(session, actor, pilot_id)
    if actor.role != Role.admin and not (
        actor.role == Role.city and actor.authority_id in _involved_authorities(session, pilot)
    ):
        raise PermissionDenied("Only city members of an authority concerned may suspend.")
    _expect(pilot, {S.approved, S.running}, "suspend")
    if not reason.strip():
        raise InvalidInput("Say why the pilot is suspended.", field="reason")
    sandbox.revoke_pilot_grants(session=session, actor=actor, pilot=pilot,
                                reason=f"pilot suspended: {reason}")
    pilot = _move(session, actor, pilot, S.suspended, "suspend", reason=reason)
    sandbox.after_transition(session=session, actor=actor, pilot_id=pilot.id)
    return pilot


def withdraw(*, session: Session, actor: User, pilot_id: uuid.UUID, reason: str) -> Pilot:
    """The startup withdraws its pilot."""
    pilot = _load(session, actor, pilot_id)
    pilots.require_owner(actor, pilot)
    _expect(pilot, OPEN, "withdraw")
    sandbox.revoke_pilot_grants(session=session, actor=actor, pilot=pilot,
                                reason=f"pilot withdrawn: {reason or 'no reason given'}")
    pilot = _move(session, actor, pilot, S.withdrawn, "withdraw", reason=reason)
    sandbox.after_transition(session=session, actor=actor, pilot_id=pilot.id)
    return pilot


__all__ = ["amend", "complete", "decide", "revise", "start", "submit", "suspend", "withdraw"]
