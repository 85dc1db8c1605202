"""Pilots: drafts, transitions, decisions; and the public list of running pilots."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from lab.common import Page, PageParams, page_params
from lab.deps import CurrentUser, SessionDep
from lab.pilots import history, lifecycle, power, public, service
from lab.pilots.models import (
    DecisionCreate,
    PilotCreate,
    PilotPublic,
    PilotStatus,
    PilotUpdate,
    TransitionReason,
)
from lab.pilots.protocol import ProtocolDraft
from lab.sandbox import platform
from lab.settings import LabSettings

router = APIRouter(prefix="/pilots", tags=["pilots"])
# Public: citizens find pilots to take part in without an account; only what the city
# publishes about running pilots is shown.
public_router = APIRouter(prefix="/public", tags=["public"])
Pagination = Annotated[PageParams, Depends(page_params)]


class Amendment(BaseModel):
    protocol: ProtocolDraft = Field(description="The whole amended protocol (a new version, which "
                                           "needs the approvals again)")
    reason: str = Field(min_length=1, max_length=2000,
                        description="Why the protocol changes, shown to the approvers")


@router.get("", response_model=Page[PilotPublic])
def list_pilots(user: CurrentUser, session: SessionDep, page: Pagination,
                status: PilotStatus | None = None,
                awaiting_my_decision: bool = False) -> Page[PilotPublic]:
    """Your startup's pilots, or every pilot for city members."""
    result = service.list_pilots(session=session, actor=user, page=page, status=status,
                                 awaiting_my_decision=awaiting_my_decision)
    return Page(items=[service.to_public(session=session, pilot=p) for p in result.items],
                total=result.total, limit=result.limit, offset=result.offset)


@router.post("", response_model=PilotPublic, status_code=201)
def create_pilot(data: PilotCreate, user: CurrentUser, session: SessionDep) -> PilotPublic:
    """Propose a pilot (saved as a draft)."""
    pilot = service.create_pilot(session=session, actor=user, data=data)
    return service.to_public(session=session, pilot=pilot)


@router.get("/{pilot_id}", response_model=PilotPublic)
def get_pilot(pilot_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> PilotPublic:
    """One pilot, with whose decision is pending."""
    pilot = service.get_pilot(session=session, actor=user, pilot_id=pilot_id)
    return service.to_public(session=session, pilot=pilot)


@router.get("/{pilot_id}/history", response_model=Page[history.HistoryEntry])
def pilot_history(pilot_id: uuid.UUID, user: CurrentUser, session: SessionDep,
                  page: Pagination) -> Page[history.HistoryEntry]:
    """The pilot's history from the audit log, oldest first: transitions (from/to status),
    decisions, amendments, measurements and evaluations, with who, when and why."""
    return history.pilot_history(session=session, actor=user, pilot_id=pilot_id, page=page)


@router.get("/{pilot_id}/power", response_model=power.PowerPreview)
def power_preview(pilot_id: uuid.UUID, user: CurrentUser, session: SessionDep,
                  request: Request) -> power.PowerPreview:
    """The minimum detectable effect of the pilot's current design for its primary KPI, from
    the baseline data (80% power, 5% level), and whether it reaches the registered minimum
    effect; for a draft before submitting, or any later protocol."""
    return power.preview(session=session, actor=user, pilot_id=pilot_id,
                         storage=platform.require(request.app.state.storage))


@router.patch("/{pilot_id}", response_model=PilotPublic)
def update_pilot(pilot_id: uuid.UUID, data: PilotUpdate, user: CurrentUser,
                 session: SessionDep) -> PilotPublic:
    """Edit a draft."""
    pilot = service.update_pilot(session=session, actor=user, pilot_id=pilot_id, data=data)
    return service.to_public(session=session, pilot=pilot)


@router.post("/{pilot_id}/submit", response_model=PilotPublic)
def submit(pilot_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> PilotPublic:
    """Freeze the protocol and ask the authorities concerned."""
    pilot = lifecycle.submit(session=session, actor=user, pilot_id=pilot_id)
    return service.to_public(session=session, pilot=pilot)


@router.post("/{pilot_id}/decisions", response_model=PilotPublic)
def decide(pilot_id: uuid.UUID, data: DecisionCreate, user: CurrentUser,
           session: SessionDep) -> PilotPublic:
    """Your authority's decision: approved, refused or changes_requested (with a comment)."""
    pilot = lifecycle.decide(session=session, actor=user, pilot_id=pilot_id,
                             decision=data.decision, comment=data.comment)
    return service.to_public(session=session, pilot=pilot)


@router.post("/{pilot_id}/amendments", response_model=PilotPublic)
def amend(pilot_id: uuid.UUID, data: Amendment, user: CurrentUser,
          session: SessionDep) -> PilotPublic:
    """Change an approved protocol: a new version that needs approval again."""
    pilot = lifecycle.amend(session=session, actor=user, pilot_id=pilot_id,
                            protocol=data.protocol, reason=data.reason)
    return service.to_public(session=session, pilot=pilot)


def _transition(name: str, doc: str, with_reason: bool) -> None:
    action = getattr(lifecycle, name)

    if with_reason:
        def endpoint(pilot_id: uuid.UUID, data: TransitionReason, user: CurrentUser,
                     session: SessionDep) -> PilotPublic:
            pilot = action(session=session, actor=user, pilot_id=pilot_id, reason=data.reason)
            return service.to_public(session=session, pilot=pilot)
    else:
        def endpoint(pilot_id: uuid.UUID, user: CurrentUser,  # type: ignore[misc]
                     session: SessionDep) -> PilotPublic:
            pilot = action(session=session, actor=user, pilot_id=pilot_id)
            return service.to_public(session=session, pilot=pilot)

    endpoint.__doc__ = doc
    router.add_api_route(f"/{{pilot_id}}/{name}", endpoint, methods=["POST"],
                         response_model=PilotPublic, name=name)


_transition("revise", "Take a pilot whose changes were requested back to draft.", False)
_transition("start", "Start an approved pilot.", False)
_transition("complete", "Close a running pilot's field phase.", False)
_transition("suspend", "Suspend an approved or running pilot (city), with a reason.", True)
_transition("withdraw", "Withdraw the pilot (startup), with a reason.", True)


def _settings(request: Request) -> LabSettings:
    settings: LabSettings = request.app.state.settings
    return settings


Settings = Annotated[LabSettings, Depends(_settings)]


@public_router.get("/pilots", response_model=Page[public.PublicPilot])
def public_pilots(
    session: SessionDep, settings: Settings, page: Pagination,
    authority: Annotated[uuid.UUID | None, Query(
        description="Only pilots concerning this authority (a commune, an EPCI…)")] = None,
    domain: Annotated[str | None, Query(
        max_length=64, description="Only pilots whose prototype has this domain")] = None,
    q: Annotated[str | None, Query(
        max_length=100, description="A place: matches the names of the pilots' zones and "
                                    "authorities (case and accents ignored)")] = None,
) -> Page[Any]:
    """Running pilots in plain language: what, where, until when, who, what data."""
    return public.running_pilots(session=session, settings=settings, page=page,
                                 authority=authority, domain=domain, q=q)


@public_router.get("/pilots/{pilot_id}", response_model=public.PublicPilot)
def public_pilot(pilot_id: uuid.UUID, session: SessionDep,
                 settings: Settings) -> public.PublicPilot:
    """One running pilot in plain language (the citizen pilot page)."""
    return public.running_pilot(session=session, settings=settings, pilot_id=pilot_id)


@public_router.get("/pilots/{pilot_id}/qr.svg", response_class=Response,
                   responses={200: {"content": {"image/svg+xml": {}}}})
def public_qr_svg(pilot_id: uuid.UUID, session: SessionDep, settings: Settings) -> Response:
    """The QR code of the pilot's quick feedback page, as SVG."""
    body = public.qr_code(session=session, settings=settings, pilot_id=pilot_id, kind="svg")
    return Response(body, media_type="image/svg+xml", headers=_QR_CACHE)


@public_router.get("/pilots/{pilot_id}/qr.png", response_class=Response,
                   responses={200: {"content": {"image/png": {}}}})
def public_qr_png(pilot_id: uuid.UUID, session: SessionDep, settings: Settings) -> Response:
    """The QR code of the pilot's quick feedback page, as PNG."""
    body = public.qr_code(session=session, settings=settings, pilot_id=pilot_id, kind="png")
    return Response(body, media_type="image/png", headers=_QR_CACHE)


_QR_CACHE = {"Cache-Control": "public, max-age=3600"}


__all__ = ["public_router", "router"]
