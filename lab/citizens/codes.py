"""Pseudonyms and the codes pseudonymous testers keep (pure functions).

A code is ten characters of Crockford's base 32 (no I, L, O or U: nothing to misread when
it is dictated on the phone or copied from paper), about 50 bits, shown as `XXXXX-XXXXX`.
Only its SHA-256 is stored. It is a bearer secret: whoever holds it can have a mediator act
for the tester, so it is sent in request bodies, never in URLs.
"""

from __future__ import annotations

import hashlib
import secrets

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
CODE_LENGTH = 10


def new_code() -> str:
    """A fresh code, grouped for reading aloud."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalize(code: str) -> str:
    """The code as typed, without separators, upper case, common misreadings fixed."""
    return "".join(c for c in code.upper() if c.isalnum()).translate(_READ_AS)


def digest(code: str) -> str:
    """What is stored and looked up for a code."""
    return hashlib.sha256(f"terrain-tester-code:{normalize(code)}".encode()).hexdigest()


def new_pseudonym() -> str:
    """A pseudonym shown to city members instead of any identity (`T-` and 6 characters)."""
    return "T-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


__all__ = ["CODE_LENGTH", "digest", "new_code", "new_pseudonym", "normalize"]
