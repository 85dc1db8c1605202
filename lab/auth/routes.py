"""Login, the current user, API keys and user administration."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from lab.auth import service
from lab.auth.models import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    Role,
    Token,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from lab.common import Page, PageParams, page_params, utcnow
from lab.deps import AdminUser, CurrentUser, SessionDep, SettingsDep, client_address

# Public: logging in cannot require being logged in.
public_router = APIRouter(prefix="/auth", tags=["auth"])
router = APIRouter(tags=["auth"])
admin_router = APIRouter(prefix="/admin/users", tags=["admin"])
Pagination = Annotated[PageParams, Depends(page_params)]


@public_router.post("/token", response_model=Token)
def login(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> Token:
    """Exchange email (as `username`) and password for a short-lived access token."""
    token = service.authenticate(session=session, settings=settings, email=form.username,
                                 password=form.password, client=client_address(request))
    return Token(access_token=token.token,
                 expires_in=int((token.expires_at - utcnow()).total_seconds()))


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser) -> UserPublic:
    """The authenticated user."""
    return UserPublic.model_validate(user)


@router.post("/me/api-keys", response_model=ApiKeyCreated, status_code=201)
def create_api_key(data: ApiKeyCreate, user: CurrentUser, session: SessionDep) -> ApiKeyCreated:
    """Create an API key for scripts; the key is shown only in this response."""
    key, secret = service.create_api_key(session=session, actor=user, name=data.name)
    return ApiKeyCreated.model_validate(key, update={"key": secret})


@router.get("/me/api-keys", response_model=Page[ApiKeyPublic])
def list_api_keys(user: CurrentUser, session: SessionDep, page: Pagination) -> Page[ApiKeyPublic]:
    """The user's API keys, without their secrets."""
    result = service.list_api_keys(session=session, actor=user, page=page)
    return Page(items=[ApiKeyPublic.model_validate(k) for k in result.items], total=result.total,
                limit=result.limit, offset=result.offset)


@router.delete("/me/api-keys/{key_id}", response_model=ApiKeyPublic)
def revoke_api_key(key_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> ApiKeyPublic:
    """Revoke an API key at once."""
    return ApiKeyPublic.model_validate(
        service.revoke_api_key(session=session, actor=user, key_id=key_id)
    )


@admin_router.post("", response_model=UserPublic, status_code=201)
def create_user(data: UserCreate, admin: AdminUser, session: SessionDep) -> UserPublic:
    """Create a user of any role."""
    return UserPublic.model_validate(service.create_user(session=session, actor=admin, data=data))


@admin_router.get("", response_model=Page[UserPublic])
def list_users(admin: AdminUser, session: SessionDep, page: Pagination,
               role: Role | None = None) -> Page[UserPublic]:
    """Users, optionally of one role."""
    result = service.list_users(session=session, actor=admin, page=page, role=role)
    return Page(items=[UserPublic.model_validate(u) for u in result.items], total=result.total,
                limit=result.limit, offset=result.offset)


@admin_router.patch("/{user_id}", response_model=UserPublic)
def update_user(user_id: uuid.UUID, data: UserUpdate, admin: AdminUser,
                session: SessionDep) -> UserPublic:
    """Rename, disable or reset the password of a user."""
    return UserPublic.model_validate(
        service.update_user(session=session, actor=admin, user_id=user_id, data=data)
    )


__all__ = ["admin_router", "public_router", "router"]
