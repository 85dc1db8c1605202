"""Pilots: create and edit drafts, check protocols against the catalog, read with visibility."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from lab.assets import service as assets
from lab.audit import service as audit
from lab.auth.models import Role, User
from lab.common import Page, PageParams, paginate, utcnow
from lab.datasets import service as datasets
from lab.datasets.models import Dataset
from lab.directory.models import Authority
from lab.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from lab.pilots.models import (
    Approval,
    ApprovalPublic,
    Decision,
    Pilot,
    PilotCreate,
    PilotPublic,
    PilotStatus,
    PilotUpdate,
    ProtocolVersion,
)
from lab.pilots.protocol import DatasetSource, Protocol, ProtocolDraft
from lab.prototypes import service as prototypes
from lab.zones import service as zones

EDITABLE = frozenset({PilotStatus.draft})


def catalog_problems(*, session: Session,
                     protocol: ProtocolDraft) -> tuple[list[tuple[str, str]], set[uuid.UUID]]:
    """Every reference to the catalog that fails (unknown zones, assets, datasets, columns),
    as (field path, message); and the authorities concerned by what was found."""
    problems: list[tuple[str, str]] = []
    authorities: set[uuid.UUID] = set()
    known_zones = zones.zones_by_code(session=session, codes=protocol.zones())
    for field in ("treated_zones", "control_zones"):
        unknown = sorted(set(getattr(protocol, field)) - known_zones.keys())
        if unknown:
            problems.append((f"protocol.{field}", f"Unknown zone codes: {', '.join(unknown)}."))
    authorities |= {z.authority_id for z in known_zones.values()}
    found = assets.assets_by_id(session=session, ids=list(protocol.asset_ids))
    if missing := [str(a) for a in protocol.asset_ids if a not in found]:
        problems.append(("protocol.asset_ids", f"Unknown assets: {', '.join(missing)}."))
    authorities |= {a.authority_id for a in found.values()}
    columns: dict[uuid.UUID, tuple[set[str], set[str]]] = {}  # all, numeric
    for dataset_id in sorted(protocol.dataset_ids()):
        dataset = session.get(Dataset, dataset_id)
        if dataset is None:
            problems.append((_dataset_field(protocol, dataset_id),
                             f"Unknown dataset {dataset_id}."))
            continue
        authorities.add(dataset.authority_id)
        version = datasets.latest_ready_version(session=session, dataset_id=dataset_id)
        if version is None:
            problems.append((_dataset_field(protocol, dataset_id),
                             f"Dataset {dataset.name!r} has no ready version yet."))
            continue
        columns[dataset_id] = (datasets.column_names(version), datasets.numeric_columns(version))
    for group in ("kpis", "guardrails"):
        for i, kpi in enumerate(getattr(protocol, group)):
            if not isinstance(kpi.source, DatasetSource) or kpi.source.dataset_id not in columns:
                continue
            known, numeric = columns[kpi.source.dataset_id]
            where = f"protocol.{group}[{i}].source.column"
            if kpi.source.column not in known:
                problems.append((where, f"Column {kpi.source.column!r} is not in the dataset."))
            elif kpi.source.column not in numeric:
                problems.append((where, f"Column {kpi.source.column!r} is not numeric."))
    for i, request in enumerate(protocol.datasets):
        if request.dataset_id not in columns:
            continue
        if unknown := sorted(set(request.columns) - columns[request.dataset_id][0]):
            problems.append((f"protocol.datasets[{i}].columns",
                             f"Columns not in the dataset: {', '.join(unknown)}."))
    return problems, authorities


def _dataset_field(protocol: ProtocolDraft, dataset_id: uuid.UUID) -> str:
    """Where the protocol first names a dataset: a request, else a KPI's or guardrail's source."""
    for i, request in enumerate(protocol.datasets):
        if request.dataset_id == dataset_id:
            return f"protocol.datasets[{i}].dataset_id"
    for group in ("kpis", "guardrails"):
        for i, kpi in enumerate(getattr(protocol, group)):
            if isinstance(kpi.source, DatasetSource) and kpi.source.dataset_id == dataset_id:
                return f"protocol.{group}[{i}].source.dataset_id"
    return "protocol.datasets"


def validated(*, session: Session, protocol: ProtocolDraft) -> tuple[Protocol, set[uuid.UUID]]:
    """The draft as a `Protocol`, or one 422 listing every broken rule and every unknown
    catalog reference; with the authorities concerned."""
    problems = [(f"protocol.{field}", message) for field, message in protocol.problems()]
    found, authorities = catalog_problems(session=session, protocol=protocol)
    problems += found
    if problems:
        detail = "; ".join(f"{field}: {message}" for field, message in problems)
        raise InvalidInput(detail, field=problems[0][0], errors=problems)
    return Protocol.model_validate(protocol.model_dump()), authorities


def check_against_catalog(*, session: Session, protocol: Protocol) -> set[uuid.UUID]:
    """Check zones, assets, datasets and columns exist, all at once (one 422 listing every
    problem); return the authorities concerned."""
    problems, authorities = catalog_problems(session=session, protocol=protocol)
    if problems:
        detail = "; ".join(f"{field}: {message}" for field, message in problems)
        raise InvalidInput(detail, field=problems[0][0], errors=problems)
    return authorities


def get_pilot(*, session: Session, actor: User, pilot_id: uuid.UUID) -> Pilot:
    """A pilot the actor may see: its startup's members, city members, admins; else 404."""
    pilot = session.get(Pilot, pilot_id)
    if pilot is None or not can_see(actor, pilot):
        raise NotFound("No such pilot.")
    return pilot


def can_see(actor: User, pilot: Pilot) -> bool:
    """Whether the actor may read the pilot in full."""
    if actor.role in (Role.admin, Role.city):
        return True
    return actor.role == Role.startup and actor.organization_id == pilot.organization_id


def require_owner(actor: User, pilot: Pilot) -> None:
    """Refuse unless the actor is a member of the pilot's startup."""
    if actor.role != Role.startup or actor.organization_id != pilot.organization_id:
        raise PermissionDenied("Only the startup running this pilot may do this.")


def create_pilot(*, session: Session, actor: User, data: PilotCreate) -> Pilot:
    """Propose a pilot (a draft) for one of the startup's prototypes."""
    if actor.role != Role.startup:
        raise PermissionDenied("Only startup members propose pilots.")
    prototype = prototypes.get_prototype(session=session, actor=actor,
                                         prototype_id=data.prototype_id)
    protocol, _ = validated(session=session, protocol=data.protocol)
    pilot = Pilot(prototype_id=prototype.id, organization_id=prototype.organization_id,
                  title=data.title, public_summary=data.public_summary,
                  protocol=protocol.model_dump(mode="json"), created_by=actor.id)
    session.add(pilot)
    session.flush()
    audit.record(session=session, actor=actor, action="pilot.create", object_type="pilot",
                 object_id=pilot.id, after={"title": pilot.title, "status": pilot.status})
    session.commit()
    session.refresh(pilot)
    return pilot


def update_pilot(*, session: Session, actor: User, pilot_id: uuid.UUID,
                 data: PilotUpdate) -> Pilot:
    """Edit a draft; after submission the protocol is frozen (amend it instead)."""
    pilot = get_pilot(session=session, actor=actor, pilot_id=pilot_id)
    require_owner(actor, pilot)
    if pilot.status not in EDITABLE:
        raise InvalidInput(f"A {pilot.status} pilot cannot be edited; only drafts can "
                           "(after approval, submit an amendment).", field="status")
    before = {"title": pilot.title, "public_summary": pilot.public_summary,
              "protocol": pilot.protocol}
    if data.protocol is not None:
        protocol, _ = validated(session=session, protocol=data.protocol)
        pilot.protocol = protocol.model_dump(mode="json")
    if data.title is not None:
        pilot.title = data.title
    if data.public_summary is not None:
        pilot.public_summary = data.public_summary
    pilot.updated_at = utcnow()
    session.add(pilot)
    audit.record(session=session, actor=actor, action="pilot.update", object_type="pilot",
                 object_id=pilot.id, before=before,
                 after={"title": pilot.title, "public_summary": pilot.public_summary,
                        "protocol": pilot.protocol})
    session.commit()
    session.refresh(pilot)
    return pilot


def list_pilots(*, session: Session, actor: User, page: PageParams,
                status: PilotStatus | None = None,
                awaiting_my_decision: bool = False) -> Page[Pilot]:
    """Pilots the actor may see, newest first; city members may ask for those awaiting them."""
    query = select(Pilot)
    if actor.role == Role.startup:
        query = query.where(Pilot.organization_id == actor.organization_id)
    elif actor.role not in (Role.admin, Role.city):
        raise PermissionDenied("Citizens see running pilots at /api/v1/public/pilots.")
    if status is not None:
        query = query.where(Pilot.status == status)
    if awaiting_my_decision:
        pending = select(Approval.pilot_id).where(Approval.authority_id == actor.authority_id,
                                                  Approval.decision == Decision.pending)
        query = query.where(col(Pilot.id).in_(pending), Pilot.status == PilotStatus.submitted)
    return paginate(session, query, page, col(Pilot.created_at).desc(), col(Pilot.id))


def current_approvals(*, session: Session, pilot: Pilot) -> list[Approval]:
    """Approvals of the pilot's latest frozen protocol version."""
    return list(session.exec(select(Approval).where(
        Approval.pilot_id == pilot.id, Approval.protocol_version == pilot.protocol_version)))


def to_public(*, session: Session, pilot: Pilot) -> PilotPublic:
    """The pilot with its approvals and whose decision is pending."""
    approvals = current_approvals(session=session, pilot=pilot)
    names = {a.id: a.name for a in session.exec(select(Authority).where(
        col(Authority.id).in_([x.authority_id for x in approvals])))} if approvals else {}
    reviewers = [a.reviewer_id for a in approvals if a.reviewer_id]
    people = {u.id: u.full_name or None for u in session.exec(select(User).where(
        col(User.id).in_(reviewers)))} if reviewers else {}
    items = sorted((ApprovalPublic(authority_id=a.authority_id,
                                   authority_name=names.get(a.authority_id, "?"),
                                   protocol_version=a.protocol_version, decision=a.decision,
                                   reviewer_id=a.reviewer_id,
                                   reviewer_name=people.get(a.reviewer_id)
                                   if a.reviewer_id else None, comment=a.comment,
                                   decided_at=a.decided_at) for a in approvals),
                   key=lambda a: a.authority_name)
    pending = ([a.authority_name for a in items if a.decision == Decision.pending]
               if pilot.status == PilotStatus.submitted else [])
    return PilotPublic.model_validate(
        pilot, update={"approvals": items, "pending_authorities": pending})


def registered_protocol(*, session: Session, pilot: Pilot) -> tuple[ProtocolVersion, Protocol]:
    """The approved, frozen protocol the pilot is judged against."""
    if pilot.approved_protocol_version is None:
        raise Conflict("This pilot has no approved protocol to evaluate.")
    frozen = session.exec(select(ProtocolVersion).where(
        ProtocolVersion.pilot_id == pilot.id,
        ProtocolVersion.version == pilot.approved_protocol_version)).one()
    return frozen, Protocol.model_validate(frozen.protocol)


__all__ = ["EDITABLE", "can_see", "catalog_problems", "check_against_catalog", "create_pilot",
           "current_approvals", "get_pilot", "list_pilots", "registered_protocol",
           "require_owner", "to_public", "update_pilot", "validated"]
