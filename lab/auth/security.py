"""Password hashing (Argon2), access tokens (JWT) and API key material."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lab.common import utcnow

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("timing-equaliser-not-a-password")
JWT_ALGORITHM = "HS256"
API_KEY_PREFIX = "tk_"


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password: str, hashed: str | None) -> bool:
    """Check a password; spends the same time when there is no user (no account probing)."""
    try:
        return _hasher.verify(hashed or _DUMMY_HASH, password) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    role: str
    generation: int


def create_access_token(*, user_id: uuid.UUID, role: str, secret: str, lifetime: timedelta,
                        generation: int = 0) -> AccessToken:
    """A signed, short-lived JWT naming the user and the account's token generation."""
    now = utcnow()
    expires = now + lifetime
    payload = {"sub": str(user_id), "role": role, "gen": generation, "iat": now,
               "exp": expires, "jti": secrets.token_hex(8), "typ": "access"}
    return AccessToken(jwt.encode(payload, secret, algorithm=JWT_ALGORITHM), expires)


def decode_access_claims(token: str, *, secret: str) -> AccessClaims | None:
    """The claims of a valid token, or None when it is expired, tampered or malformed.

    The role and generation are what they were at issue; callers compare the generation
    with the account's (a token older than a password, role or status change is refused).
    """
    try:
        payload = jwt.decode(token, secret, algorithms=[JWT_ALGORITHM],
                             options={"require": ["exp", "iat", "sub"]})
        generation = payload.get("gen", 0)
        if payload.get("typ") != "access" or type(generation) is not int:
            return None
        return AccessClaims(uuid.UUID(payload["sub"]), str(payload.get("role", "")), generation)
    except (jwt.PyJWTError, ValueError, KeyError, TypeError):
        return None


@dataclass(frozen=True)
class NewApiKey:
    key: str
    prefix: str
    key_hash: str


def new_api_key() -> NewApiKey:
    """Fresh key material: `tk_<prefix>_<secret>`, stored only as a SHA-256 hash."""
    prefix = secrets.token_hex(4)
    key = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return NewApiKey(key=key, prefix=prefix, key_hash=hash_api_key(key))


def hash_api_key(key: str) -> str:
    """SHA-256 of a high-entropy key (a slow hash adds nothing for 256-bit secrets)."""
    return hashlib.sha256(key.encode()).hexdigest()


def looks_like_api_key(value: str) -> bool:
    """Whether a bearer value is an API key rather than a JWT."""
    return value.startswith(API_KEY_PREFIX)


__all__ = [
    "AccessClaims",
    "AccessToken",
    "NewApiKey",
    "create_access_token",
    "decode_access_claims",
    "hash_api_key",
    "hash_password",
    "looks_like_api_key",
    "new_api_key",
    "verify_password",
]
