"""Feedback on a pilot: the questionnaire, submissions (web and mediated), what each role may
read, and closing the loop once the pilot ends."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from sqlmodel import Session

from lab.auth import security
from lab.auth import service as auth
from lab.auth.models import Role, User
from lab.citizens import service as citizens
from lab.citizens.access import load_pilot
from lab.common import Page, PageParams, page_params
from lab.deps import CurrentUser, SessionDep, oauth2_scheme, require_roles
from lab.exceptions import NotAuthenticated, NotFound
from lab.feedback import loop, questionnaire, service, views
from lab.feedback.models import (
    Channel,
    FeedbackIndividual,
    FeedbackReceipt,
    KeepAnswer,
    KeepAnswerPublic,
    KeepBody,
    MediatedKeepBody,
    MediatedSubmission,
    OutcomeCreate,
    OutcomePublic,
    PilotOutcome,
    Submission,
)
from lab.feedback.views import Band
from lab.settings import LabSettings

router = APIRouter(prefix="/pilots", tags=["feedback"])
# Authenticated too, but by the route itself (lab/api.py includes it without the shared
# dependency): a web tester's token is checked by the admission UPDATE that also counts the
# rate limit, which spares the user lookup on the busiest route; other credentials go
# through `_submitter`, the same check as `lab.deps.get_current_user`.
submit_router = APIRouter(prefix="/pilots", tags=["feedback"])
Pagination = Annotated[PageParams, Depends(page_params)]
Citizen = Annotated[User, Depends(require_roles(Role.citizen))]
Mediator = Annotated[User, Depends(require_roles(Role.mediator))]
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", description="A fresh UUID per submission, reused on retry")]


async def _storage(request: Request) -> Any:
    # async: reading app state needs no worker thread (the submission path is kept lean).
    return request.app.state.storage


async def _settings(request: Request) -> LabSettings:
    settings: LabSettings = request.app.state.settings
    return settings


Storage = Annotated[Any, Depends(_storage)]
Settings = Annotated[LabSettings, Depends(_settings)]


async def _bearer(token: Annotated[str | None, Depends(oauth2_scheme)]) -> str:
    # Refuse a request without credentials before its body is even read (401, not 422).
    if not token:
        raise NotAuthenticated("Authentication required: send 'Authorization: Bearer <token>'.")
    return token


def _submitter(session: Session, settings: LabSettings, token: str) -> User:
    """The authenticated user, as `lab.deps.get_current_user` checks it (JWT or API key)."""
    return auth.user_from_bearer(session=session, settings=settings, credential=token)


Token = Annotated[str, Depends(_bearer)]


def _answer(outcome: service.Outcome) -> Response:
    # 201 when stored now, 200 with the same body when a retry finds it stored. Serialised
    # here once (returning a Response skips FastAPI's second validation of the model).
    body = FeedbackReceipt(**outcome.receipt).model_dump_json()
    if outcome.created:
        return Response(body, status_code=201, media_type="application/json")
    return Response(body, status_code=200, media_type="application/json",
                    headers={"Idempotent-Replayed": "true"})


@router.get("/{pilot_id}/questionnaire")
def get_questionnaire(pilot_id: uuid.UUID, _user: CurrentUser,
                      session: SessionDep) -> dict[str, Any]:
    """The pilot's questionnaire in French and English, with the scales' labels."""
    pilot = load_pilot(session, pilot_id)
    asked, _zones = questionnaire.parse(pilot.id, pilot.protocol_hash, pilot.protocol)
    return {"pilot_id": str(pilot.id), **questionnaire.view(asked)}


@submit_router.post("/{pilot_id}/feedback", response_model=FeedbackReceipt, status_code=201,
                    responses={200: {"description": "A retry: the stored submission"}})
def submit(pilot_id: uuid.UUID, data: Submission, token: Token, session: SessionDep,
           settings: Settings, storage: Storage,
           idempotency_key: IdempotencyKey = None) -> Response:
    """Answer a running pilot's questionnaire (enrolled testers; Idempotency-Key required)."""
    claims = (None if security.looks_like_api_key(token)
              else security.decode_access_claims(token, secret=settings.jwt_secret()))
    if claims is not None and claims.role == Role.citizen:
        # The hot path: the admission UPDATE checks the account is an active citizen.
        outcome = service.submit_as_token_user(
            session=session, settings=settings, storage=storage, user_id=claims.user_id,
            pilot_id=pilot_id, data=data, key=idempotency_key, generation=claims.generation)
        return _answer(outcome)
    user = _submitter(session, settings, token)
    outcome = service.submit(session=session, settings=settings, storage=storage, actor=user,
                             pilot_id=pilot_id, data=data, key=idempotency_key)
    return _answer(outcome)


@submit_router.post("/{pilot_id}/feedback/mediated", response_model=FeedbackReceipt,
                    status_code=201,
                    responses={200: {"description": "A retry: the stored submission"}})
def submit_mediated(pilot_id: uuid.UUID, data: MediatedSubmission, token: Token,
                    session: SessionDep, settings: Settings, storage: Storage,
                    idempotency_key: IdempotencyKey = None) -> Response:
    """Record feedback given by phone, at a counter, on paper or in person, for a tester's
    code or anonymously."""
    user = _submitter(session, settings, token)
    outcome = service.submit_mediated(session=session, settings=settings, storage=storage,
                                      actor=user, pilot_id=pilot_id, data=data,
                                      key=idempotency_key)
    return _answer(outcome)


@router.get("/{pilot_id}/feedback/summary")
def summary(pilot_id: uuid.UUID, user: CurrentUser, session: SessionDep,
            by: Band | None = None) -> dict[str, Any]:
    """Aggregates by channel (and a band on request): disclosure-controlled for the startup,
    exact for city members concerned."""
    return views.summary(session=session, actor=user, pilot_id=pilot_id, by=by)


@router.get("/{pilot_id}/feedback", response_model=Page[FeedbackIndividual])
def list_feedback(pilot_id: uuid.UUID, user: CurrentUser, session: SessionDep,
                  page: Pagination, channel: Channel | None = None) -> Page[FeedbackIndividual]:
    """Individual answers under tester pseudonyms (city members concerned)."""
    return views.list_feedback(session=session, actor=user, pilot_id=pilot_id, page=page,
                               channel=channel)


@router.get("/{pilot_id}/feedback/{feedback_id}/photo", response_class=Response)
def photo(pilot_id: uuid.UUID, feedback_id: uuid.UUID, user: CurrentUser, session: SessionDep,
          storage: Storage) -> Response:
    """The photo sent with an answer (city members concerned)."""
    data, media_type = views.photo_of(session=session, storage=storage, actor=user,
                                      pilot_id=pilot_id, feedback_id=feedback_id)
    return Response(data, media_type=media_type)


def _keep(row: KeepAnswer) -> KeepAnswerPublic:
    return KeepAnswerPublic.model_validate(row)


@router.post("/{pilot_id}/keep", response_model=KeepAnswerPublic)
def answer_keep(pilot_id: uuid.UUID, data: KeepBody, user: Citizen,
                session: SessionDep) -> KeepAnswerPublic:
    """Once the pilot ended: should the city keep it? (yes, no or unsure; may be changed)."""
    tester = citizens.own_tester(session=session, actor=user)
    return _keep(loop.answer_keep(session=session, actor=user, tester=tester,
                                  pilot_id=pilot_id, answer=data.answer))


@router.post("/{pilot_id}/keep/mediated", response_model=KeepAnswerPublic)
def answer_keep_for(pilot_id: uuid.UUID, data: MediatedKeepBody, user: Mediator,
                    session: SessionDep) -> KeepAnswerPublic:
    """Record a pseudonymous tester's answer to the closing question."""
    tester = citizens.tester_by_code(session=session, actor=user, code=data.tester_code)
    return _keep(loop.answer_keep(session=session, actor=user, tester=tester,
                                  pilot_id=pilot_id, answer=data.answer,
                                  channel=Channel(data.channel)))


@router.put("/{pilot_id}/outcome", response_model=OutcomePublic)
def publish_outcome(pilot_id: uuid.UUID, data: OutcomeCreate, user: CurrentUser,
                    session: SessionDep) -> OutcomePublic:
    """Publish what testers will read about the ended pilot (city members concerned)."""
    return OutcomePublic.model_validate(loop.publish_outcome(
        session=session, actor=user, pilot_id=pilot_id, data=data))


@router.get("/{pilot_id}/outcome", response_model=OutcomePublic)
def get_outcome(pilot_id: uuid.UUID, _user: CurrentUser, session: SessionDep) -> OutcomePublic:
    """The published summary of an ended pilot."""
    published = loop.outcome_public(session.get(PilotOutcome, pilot_id))
    if published is None:
        raise NotFound("No summary has been published for this pilot yet.")
    return published


__all__ = ["router", "submit_router"]
