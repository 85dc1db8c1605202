"""Testers: sign-up (public), profile, enrollment, export and erasure; the same for a
pseudonymous tester through a mediator (by the code the person keeps); consent texts."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session

from lab.auth.models import Role, User
from lab.citizens import privacy, service
from lab.citizens.models import (
    CodeBody,
    ConsentCreate,
    ConsentPublic,
    Enrollment,
    EnrollmentCreate,
    EnrollmentPublic,
    EnrollmentState,
    Erasure,
    MediatedEnrollment,
    MediatedErasure,
    MediatedWithdrawal,
    ProfileUpdate,
    PseudonymousCreate,
    PseudonymousCreated,
    SignUp,
    Tester,
    TesterPublic,
)
from lab.common import Page, PageParams, page_params
from lab.deps import CurrentUser, SessionDep, SettingsDep, client_address, require_roles
from lab.exceptions import InvalidInput, NotFound
from lab.feedback import loop

# Public: a citizen cannot be logged in before having an account. Rate-limited per address.
public_router = APIRouter(prefix="/public", tags=["public"])
router = APIRouter(prefix="/citizens", tags=["citizens"])
consent_router = APIRouter(prefix="/pilots", tags=["citizens"])
Pagination = Annotated[PageParams, Depends(page_params)]
Citizen = Annotated[User, Depends(require_roles(Role.citizen))]
Mediator = Annotated[User, Depends(require_roles(Role.mediator))]


def _storage(request: Request) -> Any:
    return request.app.state.storage


Storage = Annotated[Any, Depends(_storage)]


def _me(session: Session, user: User) -> Tester:
    return service.own_tester(session=session, actor=user)


def _state(enrollment: Enrollment) -> EnrollmentState:
    return EnrollmentState.model_validate(enrollment)


def _confirmed(body: Erasure) -> None:
    if not body.confirm:
        raise InvalidInput("Erasure cannot be undone: send confirm=true.", field="confirm")


@public_router.post("/testers", response_model=TesterPublic, status_code=201)
def sign_up(data: SignUp, request: Request, session: SessionDep,
            settings: SettingsDep) -> TesterPublic:
    """Create a tester account (email and password); bands are optional."""
    tester = service.sign_up(session=session, settings=settings, data=data,
                             client=client_address(request))
    return TesterPublic.model_validate(tester)


@router.get("/me", response_model=TesterPublic)
def me(user: Citizen, session: SessionDep) -> TesterPublic:
    """Your tester profile."""
    return TesterPublic.model_validate(_me(session, user))


@router.patch("/me", response_model=TesterPublic)
def update_me(data: ProfileUpdate, user: Citizen, session: SessionDep) -> TesterPublic:
    """Change your optional bands or name."""
    tester = service.update_profile(session=session, actor=user, tester=_me(session, user),
                                    data=data)
    return TesterPublic.model_validate(tester)


@router.get("/me/pilots", response_model=Page[EnrollmentPublic])
def my_pilots(user: Citizen, session: SessionDep, page: Pagination) -> Page[EnrollmentPublic]:
    """Your pilots: consent, what you can do now, and the city's summary once published."""
    return loop.tester_pilots(session=session, tester=_me(session, user), page=page)


@router.post("/me/enrollments/{pilot_id}", response_model=EnrollmentState)
def enroll(pilot_id: uuid.UUID, data: EnrollmentCreate, user: Citizen,
           session: SessionDep) -> EnrollmentState:
    """Take part in a running pilot by accepting its current consent text version."""
    return _state(service.enroll(session=session, actor=user, tester=_me(session, user),
                                 pilot_id=pilot_id, consent_version=data.consent_version))


@router.delete("/me/enrollments/{pilot_id}", response_model=EnrollmentState)
def withdraw(pilot_id: uuid.UUID, user: Citizen, session: SessionDep) -> EnrollmentState:
    """Withdraw your consent: no new feedback from you is accepted for this pilot."""
    return _state(service.withdraw(session=session, actor=user, tester=_me(session, user),
                                   pilot_id=pilot_id))


@router.get("/me/export")
def export_me(user: Citizen, session: SessionDep, storage: Storage) -> dict[str, Any]:
    """Everything held about you, as JSON (photos included)."""
    return privacy.export(session=session, storage=storage, actor=user,
                          tester=_me(session, user))


@router.post("/me/erase")
def erase_me(body: Erasure, user: Citizen, session: SessionDep,
             storage: Storage) -> dict[str, int]:
    """Erase your answers, photos, enrollments and account (cannot be undone)."""
    _confirmed(body)
    return privacy.erase(session=session, storage=storage, actor=user,
                         tester=_me(session, user))


@router.post("/testers", response_model=PseudonymousCreated, status_code=201)
def register(data: PseudonymousCreate, user: Mediator,
             session: SessionDep) -> PseudonymousCreated:
    """Register a person without email; give them the code (shown only now) on paper."""
    tester, code = service.register_pseudonymous(session=session, actor=user, data=data)
    return PseudonymousCreated.model_validate(tester, update={"code": code})


def _by_code(session: Session, user: User, code: str) -> Tester:
    return service.tester_by_code(session=session, actor=user, code=code)


@router.post("/testers/lookup", response_model=TesterPublic)
def lookup(data: CodeBody, user: Mediator, session: SessionDep) -> TesterPublic:
    """The tester holding a code."""
    return TesterPublic.model_validate(_by_code(session, user, data.code))


@router.post("/testers/pilots", response_model=Page[EnrollmentPublic])
def tester_pilots(data: CodeBody, user: Mediator, session: SessionDep,
                  page: Pagination) -> Page[EnrollmentPublic]:
    """A pseudonymous tester's pilots, to read them the city's summary."""
    return loop.tester_pilots(session=session, tester=_by_code(session, user, data.code),
                              page=page)


@router.post("/testers/enrollments", response_model=EnrollmentState)
def enroll_for(data: MediatedEnrollment, user: Mediator, session: SessionDep) -> EnrollmentState:
    """Record the consent a person gave you (after reading them the text)."""
    return _state(service.enroll(session=session, actor=user,
                                 tester=_by_code(session, user, data.code),
                                 pilot_id=data.pilot_id, consent_version=data.consent_version))


@router.post("/testers/withdrawals", response_model=EnrollmentState)
def withdraw_for(data: MediatedWithdrawal, user: Mediator,
                 session: SessionDep) -> EnrollmentState:
    """Record a person's withdrawal of consent."""
    return _state(service.withdraw(session=session, actor=user,
                                   tester=_by_code(session, user, data.code),
                                   pilot_id=data.pilot_id))


@router.post("/testers/export")
def export_for(data: CodeBody, user: Mediator, session: SessionDep,
               storage: Storage) -> dict[str, Any]:
    """Everything held about a pseudonymous tester, to print or hand over."""
    return privacy.export(session=session, storage=storage, actor=user,
                          tester=_by_code(session, user, data.code))


@router.post("/testers/erase")
def erase_for(data: MediatedErasure, user: Mediator, session: SessionDep,
              storage: Storage) -> dict[str, int]:
    """Erase a pseudonymous tester at their request (cannot be undone)."""
    _confirmed(data)
    return privacy.erase(session=session, storage=storage, actor=user,
                         tester=_by_code(session, user, data.code))


@consent_router.post("/{pilot_id}/consent", response_model=ConsentPublic, status_code=201)
def publish_consent(pilot_id: uuid.UUID, data: ConsentCreate, user: CurrentUser,
                    session: SessionDep) -> ConsentPublic:
    """Publish a new consent text version (city members of an authority concerned)."""
    return ConsentPublic.model_validate(service.publish_consent(
        session=session, actor=user, pilot_id=pilot_id, data=data))


@consent_router.get("/{pilot_id}/consent", response_model=ConsentPublic)
def current_consent(pilot_id: uuid.UUID, _user: CurrentUser,
                    session: SessionDep) -> ConsentPublic:
    """The current consent text of a pilot."""
    consent = service.current_consent(session, pilot_id)
    if consent is None:
        raise NotFound("This pilot has no consent text yet.")
    return ConsentPublic.model_validate(consent)


__all__ = ["consent_router", "public_router", "router"]
