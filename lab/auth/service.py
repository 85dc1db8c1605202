"""Authentication, login throttling, users and API keys."""

from __future__ import annotations

import math
import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from lab.audit import service as audit
from lab.auth import emails, security
from lab.auth.models import (
    ROLES_NEEDING_AUTHORITY,
    ROLES_NEEDING_ORGANIZATION,
    ApiKey,
    LoginThrottle,
    Role,
    User,
    UserCreate,
    UserUpdate,
)
from lab.common import Page, PageParams, get_or_create, paginate, utcnow
from lab.db import try_begin_write
from lab.directory.models import Authority, Organization
from lab.exceptions import (
    Conflict,
    InvalidCredentials,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyRequests,
)
from lab.settings import LabSettings

# A shared address (a town hall's NAT) gets more room than one account.
_ADDRESS_FACTOR = 4
# How precisely an API key's last use is kept (a write at most this often per key).
API_KEY_USE_RESOLUTION = timedelta(minutes=1)


def authenticate(
    *, session: Session, settings: LabSettings, email: str, password: str, client: str
) -> security.AccessToken:
    """Check a login and issue an access token, throttling repeated failures."""
    email = emails.normalize_email(email)
    keys = {f"email:{email}": settings.login_max_failures,
            f"addr:{client}": settings.login_max_failures * _ADDRESS_FACTOR}
    window = timedelta(minutes=settings.login_window_minutes)
    for key in keys:
        _refuse_if_locked(session, key)
    user = session.exec(select(User).where(User.email == email)).first()
    valid = security.verify_password(password, user.hashed_password if user else None)
    if not valid or user is None or not user.is_active:
        for key, limit in keys.items():
            _count_failure(session, key, limit=limit, window=window)
        session.commit()
        if valid and user is not None and not user.is_active:
            raise InvalidCredentials("This account is disabled; ask an administrator.")
        raise InvalidCredentials("Incorrect email or password.")
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row is not None:
            session.delete(row)
    session.commit()
    return security.create_access_token(
        user_id=user.id, role=str(user.role), secret=settings.jwt_secret(),
        lifetime=timedelta(minutes=settings.access_token_minutes),
        generation=user.token_generation,
    )


def _refuse_if_locked(session: Session, key: str) -> None:
    row = session.get(LoginThrottle, key)
    if row is not None and row.locked_until is not None:
        remaining = (row.locked_until - utcnow()).total_seconds()
        if remaining > 0:
            raise TooManyRequests(
                "Too many failed logins; try again later.", retry_after=math.ceil(remaining)
            )


def _count_failure(session: Session, key: str, *, limit: int, window: timedelta) -> None:
    now = utcnow()
    row = get_or_create(session, LoginThrottle, key, key=key, failures=0, window_started_at=now)
    if now - row.window_started_at > window:
        row.failures, row.window_started_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= limit:
        row.locked_until = row.window_started_at + window
    session.add(row)


def user_from_bearer(*, session: Session, settings: LabSettings, credential: str) -> User:
    """The active user behind a JWT or an API key."""
    if security.looks_like_api_key(credential):
        key = session.exec(
            select(ApiKey).where(ApiKey.key_hash == security.hash_api_key(credential))
        ).first()
        if key is None or key.revoked_at is not None:
            raise NotAuthenticated("Invalid or revoked API key.")
        user = session.get(User, key.user_id)
        if user is None or not user.is_active:
            raise NotAuthenticated("Invalid or revoked API key.")
        now = utcnow()
        if key.last_used_at is None or now - key.last_used_at > API_KEY_USE_RESOLUTION:
            # The read transaction ends before the write begins (no upgrade, see lab.db);
            # once a minute is precise enough and keeps busy keys from queueing on writes.
            key_id = key.id
            if not try_begin_write(session):  # other writers first: the next use records it
                return user
            session.execute(update(ApiKey).where(col(ApiKey.id) == key_id)
                            .values(last_used_at=now))
            session.commit()
        return user
    claims = security.decode_access_claims(credential, secret=settings.jwt_secret())
    if claims is None:
        raise NotAuthenticated("Invalid or expired token; log in again.")
    user = session.get(User, claims.user_id)
    if user is None or not user.is_active or claims.generation != user.token_generation:
        raise NotAuthenticated("Invalid or expired token; log in again.")
    return user


def create_user(*, session: Session, actor: User | None, data: UserCreate) -> User:
    """Create a user (admin only, or `actor=None` from the command line)."""
    if actor is not None and actor.role != Role.admin:
        raise PermissionDenied("Only administrators create users.")
    if data.authority_id and session.get(Authority, data.authority_id) is None:
        raise InvalidInput("Unknown authority.", field="authority_id")
    if data.organization_id and session.get(Organization, data.organization_id) is None:
        raise InvalidInput("Unknown organization.", field="organization_id")
    require_free_email(session=session, email=data.email)
    user = User.model_validate(
        data, update={"hashed_password": security.hash_password(data.password)}
    )
    session.add(user)
    session.flush()
    audit.record(session=session, actor=actor, action="user.create", object_type="user",
                 object_id=user.id, after=_public(user))
    session.commit()
    session.refresh(user)
    return user


def require_free_email(*, session: Session, email: str,
                       taken: str = "A user with this email already exists.") -> None:
    """Refuse (409) an address in use, or one that only looks like an address in use."""
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise Conflict(taken, field="email")
    look = emails.skeleton(email)
    if look != email and session.exec(select(User.id).where(User.email == look)).first():
        raise Conflict("This email looks like the address of an existing account (letters of "
                       "another alphabet or accents); use a plain address.", field="email")


def update_user(*, session: Session, actor: User, user_id: uuid.UUID, data: UserUpdate) -> User:
    """Change a user's name, password, active flag, role or membership (admin only)."""
    if actor.role != Role.admin:
        raise PermissionDenied("Only administrators change users.")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    if user.id == actor.id and data.is_active is False:
        raise InvalidInput("An administrator cannot disable their own account.",
                           field="is_active")
    before = _public(user)
    changes = data.model_dump(exclude_unset=True)
    changes |= _membership(session, actor, user, changes)
    revoke_tokens = "password" in changes or changes.get("is_active", user.is_active) != (
        user.is_active) or changes.get("role", user.role) != user.role
    if "password" in changes:
        user.hashed_password = security.hash_password(changes.pop("password"))
    for name, value in changes.items():
        setattr(user, name, value)
    if revoke_tokens:
        user.token_generation += 1  # access tokens issued before now answer 401
    session.add(user)
    audit.record(session=session, actor=actor, action="user.update", object_type="user",
                 object_id=user.id, before=before, after=_public(user))
    session.commit()
    session.refresh(user)
    return user


def _membership(session: Session, actor: User, user: User,
                changes: dict[str, object]) -> dict[str, object]:
    """Check a change of role, authority or organization; the membership the new role needs
    (an authority for city and mediator users, an organization for startups, none otherwise)."""
    role = Role(str(changes.get("role") or user.role))
    if role != user.role:
        if user.id == actor.id:
            raise InvalidInput("An administrator cannot change their own role.", field="role")
        if Role.citizen in (role, user.role):
            raise InvalidInput("Citizen accounts come from sign-up and hold a tester's data: "
                               "their role does not change, nor does another become one.",
                               field="role")
    authority = changes.get("authority_id", user.authority_id)
    organization = changes.get("organization_id", user.organization_id)
    if role in ROLES_NEEDING_AUTHORITY:
        if authority is None:
            raise InvalidInput(f"A {role} user belongs to an authority: give authority_id.",
                               field="authority_id")
        if session.get(Authority, authority) is None:
            raise InvalidInput("No such authority.", field="authority_id")
    else:
        authority = None
    if role in ROLES_NEEDING_ORGANIZATION:
        if organization is None:
            raise InvalidInput(f"A {role} user belongs to an organization: give "
                               "organization_id.", field="organization_id")
        if session.get(Organization, organization) is None:
            raise InvalidInput("No such organization.", field="organization_id")
    else:
        organization = None
    return {"role": role, "authority_id": authority, "organization_id": organization}


def list_users(*, session: Session, actor: User, page: PageParams,
               role: Role | None = None) -> Page[User]:
    """Users, by email (admin only)."""
    if actor.role != Role.admin:
        raise PermissionDenied("Only administrators list users.")
    query = select(User)
    if role is not None:
        query = query.where(User.role == role)
    return paginate(session, query, page, col(User.email))


def _public(user: User) -> dict[str, object]:
    return {"email": user.email, "role": str(user.role), "is_active": user.is_active,
            "authority_id": user.authority_id, "organization_id": user.organization_id}


def create_api_key(*, session: Session, actor: User, name: str) -> tuple[ApiKey, str]:
    """A new API key for the actor; the secret is returned once and stored hashed."""
    material = security.new_api_key()
    key = ApiKey(user_id=actor.id, name=name, prefix=material.prefix, key_hash=material.key_hash)
    session.add(key)
    session.flush()
    audit.record(session=session, actor=actor, action="api_key.create", object_type="api_key",
                 object_id=key.id, after={"name": name, "prefix": material.prefix})
    session.commit()
    session.refresh(key)
    return key, material.key


def list_api_keys(*, session: Session, actor: User, page: PageParams) -> Page[ApiKey]:
    """The actor's own API keys (never the secrets)."""
    query = select(ApiKey).where(ApiKey.user_id == actor.id)
    return paginate(session, query, page, col(ApiKey.created_at).desc())


def revoke_api_key(*, session: Session, actor: User, key_id: uuid.UUID) -> ApiKey:
    """Revoke one of the actor's keys (an admin may revoke anyone's)."""
    key = session.get(ApiKey, key_id)
    if key is None or (key.user_id != actor.id and actor.role != Role.admin):
        raise NotFound("No such API key.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
        audit.record(session=session, actor=actor, action="api_key.revoke",
                     object_type="api_key", object_id=key.id)
        session.commit()
        session.refresh(key)
    return key


__all__ = [
    "authenticate",
    "create_api_key",
    "create_user",
    "list_api_keys",
    "list_users",
    "require_free_email",
    "revoke_api_key",
    "update_user",
    "user_from_bearer",
]
