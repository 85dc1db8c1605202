"""Request dependencies: the session, the settings, the current user and role checks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from lab.auth import service as auth
from lab.auth.models import Role, User
from lab.db import reader, writer
from lab.exceptions import NotAuthenticated, PermissionDenied
from lab.settings import LabSettings

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def write_turn(request: Request) -> AsyncIterator[None]:
    """On SQLite, requests that write take turns, first come first served, in the event loop.

    Waiting here holds no worker thread: a request that holds the turn always finds a thread
    for its next step (a blocked thread pool would otherwise starve the very writer the
    others wait for). Reads never wait. PostgreSQL needs no turns.
    """
    lock = request.app.state.write_lock
    if lock is None or request.method in READ_METHODS:
        yield
        return
    async with lock:
        yield


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, on the app's engine; a failed request leaves nothing behind.

    Requests that read (GET, HEAD) run in read transactions, the others in write
    transactions (on SQLite: `BEGIN IMMEDIATE`, so concurrent writers wait instead of
    failing); a reading request that must write calls `lab.db.begin_write` first.
    Objects stay loaded after a commit (no reload round trip); services refresh what they
    need after writing.
    """
    engine = request.app.state.engine
    bind = reader(engine) if request.method in READ_METHODS else writer(engine)
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
        except Exception:
            session.rollback()
            raise


def get_settings(request: Request) -> LabSettings:
    """The app's settings."""
    settings: LabSettings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[LabSettings, Depends(get_settings)]


def get_current_user(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> User:
    """The authenticated user (a JWT or an API key as bearer), or 401."""
    if not token:
        raise NotAuthenticated("Authentication required: send 'Authorization: Bearer <token>'.")
    user = auth.user_from_bearer(session=session, settings=settings, credential=token)
    # Hand the connection back to the pool before the route waits for a worker thread: a
    # request holding a connection while queued for a thread can starve the pool under load.
    session.commit()
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_roles(*roles: Role) -> Callable[[User], User]:
    """A dependency that lets only the given roles through."""
    allowed = ", ".join(sorted(r.value for r in roles))

    def _check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise PermissionDenied(f"This action needs one of the roles: {allowed}.")
        return user

    return _check


AdminUser = Annotated[User, Depends(require_roles(Role.admin))]


def client_address(request: Request) -> str:
    """The client's address as seen by the API."""
    return request.client.host if request.client else "unknown"


__all__ = [
    "READ_METHODS",
    "AdminUser",
    "CurrentUser",
    "SessionDep",
    "SettingsDep",
    "client_address",
    "get_current_user",
    "get_session",
    "get_settings",
    "require_roles",
    "write_turn",
]
