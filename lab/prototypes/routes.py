"""Prototypes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from lab.common import Page, PageParams, page_params
from lab.deps import CurrentUser, SessionDep
from lab.prototypes import service
from lab.prototypes.models import PrototypeCreate, PrototypePublic, PrototypeUpdate

router = APIRouter(prefix="/prototypes", tags=["prototypes"])


@router.get("", response_model=Page[PrototypePublic])
def list_prototypes(user: CurrentUser, session: SessionDep,
                    page: Annotated[PageParams, Depends(page_params)]) -> Page[PrototypePublic]:
    """Your organization's prototypes (all of them for city members)."""
    result = service.list_prototypes(session=session, actor=user, page=page)
    return Page(items=[PrototypePublic.model_validate(p) for p in result.items],
                total=result.total, limit=result.limit, offset=result.offset)


@router.post("", response_model=PrototypePublic, status_code=201)
def create_prototype(data: PrototypeCreate, user: CurrentUser,
                     session: SessionDep) -> PrototypePublic:
    """Register a prototype."""
    return PrototypePublic.model_validate(
        service.create_prototype(session=session, actor=user, data=data))


@router.get("/{prototype_id}", response_model=PrototypePublic)
def get_prototype(prototype_id: uuid.UUID, user: CurrentUser,
                  session: SessionDep) -> PrototypePublic:
    """One prototype."""
    return PrototypePublic.model_validate(
        service.get_prototype(session=session, actor=user, prototype_id=prototype_id))


@router.patch("/{prototype_id}", response_model=PrototypePublic)
def update_prototype(prototype_id: uuid.UUID, data: PrototypeUpdate, user: CurrentUser,
                     session: SessionDep) -> PrototypePublic:
    """Edit a prototype."""
    return PrototypePublic.model_validate(service.update_prototype(
        session=session, actor=user, prototype_id=prototype_id, data=data))


__all__ = ["router"]
