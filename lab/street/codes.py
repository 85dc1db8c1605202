"""Short codes of pilots and signed form tokens: pure functions, no database.

A pilot's short code is the first 40 bits of its UUID in Crockford's base 32 (8 characters,
no I, L, O or U, so it survives being read aloud or typed from a poster): stable, and found
again with a range query on the primary key, without a table of codes.

A form token carries the pilot, the time it was issued and a random id, signed with
HMAC-SHA256 under a key derived from the application secret. It is accepted once (the
caller stores spent ids) and only for a short time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
CODE_LENGTH = 8
_BITS = CODE_LENGTH * 5
_TYPO = str.maketrans({"o": "0", "i": "1", "l": "1"})


def short_code(pilot_id: uuid.UUID) -> str:
    """The pilot's 8-character code (its UUID's first 40 bits)."""
    value = pilot_id.int >> (128 - _BITS)
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(CODE_LENGTH)))


def code_range(code: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The smallest and largest UUID with this code, or None if it is not a code."""
    code = code.strip().lower().translate(_TYPO).replace("-", "")
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    value = 0
    for c in code:
        value = value << 5 | ALPHABET.index(c)
    low = value << (128 - _BITS)
    return uuid.UUID(int=low), uuid.UUID(int=low | ((1 << (128 - _BITS)) - 1))


def spaced(code: str) -> str:
    """The code as people read it: two groups of four, upper case (ABCD-1234)."""
    return f"{code[:4]}-{code[4:]}".upper()


@dataclass(frozen=True)
class FormToken:
    pilot_id: uuid.UUID
    issued_at: int  # seconds since the epoch
    token_id: str  # 32 hex characters, random


def _key(secret: str) -> bytes:
    # A key of its own: a form token can never pass for an access token or the reverse.
    return hmac.new(secret.encode(), b"terrain street form token", hashlib.sha256).digest()


def _mac(secret: str, body: str) -> str:
    digest = hmac.new(_key(secret), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue(secret: str, pilot_id: uuid.UUID, now: int) -> str:
    """A fresh signed token for one answer to this pilot."""
    body = f"{pilot_id.hex}.{now}.{secrets.token_hex(16)}"
    return f"{body}.{_mac(secret, body)}"


def read(secret: str, token: str, pilot_id: uuid.UUID, now: int,
         lifetime: int) -> FormToken | None:
    """The token's content if it is well formed, signed by us, for this pilot and fresh."""
    parts = token.split(".")
    if len(parts) != 4 or len(token) > 200:
        return None
    body, mac = ".".join(parts[:3]), parts[3]
    if not hmac.compare_digest(mac, _mac(secret, body)):
        return None
    pilot_hex, issued, token_id = parts[:3]
    if pilot_hex != pilot_id.hex or not issued.isdigit():
        return None
    issued_at = int(issued)
    if not issued_at - 60 <= now <= issued_at + lifetime:  # a minute of clock skew
        return None
    return FormToken(pilot_id, issued_at, token_id)


def client_hash(secret: str, address: str) -> str:
    """A keyed hash of the client's address: rate limits without storing addresses."""
    return hmac.new(_key(secret), f"client|{address}".encode(), hashlib.sha256).hexdigest()


__all__ = ["ALPHABET", "CODE_LENGTH", "FormToken", "client_hash", "code_range", "issue",
           "read", "short_code", "spaced"]
