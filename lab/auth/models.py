"""Users, API keys and the login throttle."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import EmailStr, field_validator, model_validator
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from lab.auth.emails import normalize_email
from lab.common import PatchModel, timestamp_field


class Role(StrEnum):
    admin = "admin"
    city = "city"
    startup = "startup"
    citizen = "citizen"
    mediator = "mediator"


ROLES_NEEDING_AUTHORITY = frozenset({Role.city, Role.mediator})
ROLES_NEEDING_ORGANIZATION = frozenset({Role.startup})
MIN_PASSWORD_LENGTH = 10


class UserBase(SQLModel):
    email: EmailStr = Field(max_length=254, description="Login email address, stored in normal "
                                                        "form (NFKC, lower-case)")
    full_name: str = Field(default="", max_length=200, description="Name shown to other users")
    role: Role = Field(description="admin, city, startup, citizen or mediator")
    authority_id: uuid.UUID | None = Field(
        default=None, description="The authority of a city or mediator user, else null")
    organization_id: uuid.UUID | None = Field(
        default=None, description="The organization of a startup user, else null")

    @field_validator("email", mode="before")
    @classmethod
    def _normal(cls, value: object) -> object:
        return normalize_email(value) if isinstance(value, str) else value


class UserCreate(UserBase):
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=256,
                          description="Initial password, at least 10 characters")

    @model_validator(mode="after")
    def _membership(self) -> UserCreate:
        if self.role in ROLES_NEEDING_AUTHORITY and self.authority_id is None:
            raise ValueError(f"a {self.role} user must belong to an authority (authority_id)")
        if self.role in ROLES_NEEDING_ORGANIZATION and self.organization_id is None:
            raise ValueError(f"a {self.role} user must belong to an organization "
                             "(organization_id)")
        if self.role not in ROLES_NEEDING_AUTHORITY and self.authority_id is not None:
            raise ValueError(f"a {self.role} user does not belong to an authority")
        if self.role not in ROLES_NEEDING_ORGANIZATION and self.organization_id is not None:
            raise ValueError(f"a {self.role} user does not belong to an organization")
        return self


class UserUpdate(PatchModel):
    full_name: str | None = Field(default=None, max_length=200,
                                  description="New display name; omit to keep the current one")
    is_active: bool | None = Field(
        default=None, description="false to disable the account, true to enable it again")
    password: str | None = Field(default=None, min_length=MIN_PASSWORD_LENGTH, max_length=256,
                                 description="New password, at least 10 characters")
    role: Role | None = Field(
        default=None, description="New role (admin, city, startup or mediator; not to or from "
                                  "citizen, whose accounts come from sign-up); the account's "
                                  "access tokens end at once")
    authority_id: uuid.UUID | None = Field(
        default=None, description="The authority of a city or mediator user (GET /authorities)")
    organization_id: uuid.UUID | None = Field(
        default=None, description="The organization of a startup user (GET /organizations)")


class UserPublic(UserBase):
    id: uuid.UUID = Field(description="Unique identifier of the user")
    is_active: bool = Field(description="Whether the user may sign in")
    created_at: datetime = Field(description="When the account was created (ISO 8601, UTC)")


class User(UserBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    role: Role = Field(sa_type=String(16), index=True)
    authority_id: uuid.UUID | None = Field(default=None, foreign_key="authority.id", index=True)
    organization_id: uuid.UUID | None = Field(
        default=None, foreign_key="organization.id", index=True
    )
    hashed_password: str = Field(max_length=256)
    is_active: bool = True
    # Carried by access tokens; bumped when the password, the role or the active flag
    # changes, so that tokens issued before stop working at once.
    token_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = timestamp_field()


class ApiKeyCreate(SQLModel):
    name: str = Field(min_length=1, max_length=100,
                      description="A label to recognise the key, e.g. the script using it")


class ApiKeyPublic(SQLModel):
    id: uuid.UUID = Field(description="Unique identifier of the key")
    name: str = Field(description="The label given at creation")
    prefix: str = Field(description="First characters of the key, to recognise it")
    created_at: datetime = Field(description="When the key was created (ISO 8601, UTC)")
    last_used_at: datetime | None = Field(
        description="When the key was last used (ISO 8601, UTC), or null if never")
    revoked_at: datetime | None = Field(
        description="When the key was revoked (ISO 8601, UTC), or null if still valid")


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The secret key, shown only once.")


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16, index=True)
    key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = timestamp_field()
    last_used_at: datetime | None = timestamp_field(nullable=True)
    revoked_at: datetime | None = timestamp_field(nullable=True)


class LoginThrottle(SQLModel, table=True):
    """Failed login attempts per key (an account or a client address) in a window."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=300)
    failures: int = 0
    window_started_at: datetime = timestamp_field()
    locked_until: datetime | None = timestamp_field(nullable=True)


class Token(SQLModel):
    access_token: str = Field(description="The bearer token to send in the Authorization header")
    token_type: str = Field(default="bearer", description="Always `bearer`")
    expires_in: int = Field(description="Seconds until the token expires")


__all__ = [
    "ApiKey",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyPublic",
    "LoginThrottle",
    "MIN_PASSWORD_LENGTH",
    "ROLES_NEEDING_AUTHORITY",
    "ROLES_NEEDING_ORGANIZATION",
    "Role",
    "Token",
    "User",
    "UserCreate",
    "UserPublic",
    "UserUpdate",
]
