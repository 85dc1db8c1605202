"""Pseudonyms and the codes pseudonymous testers keep (pure functions).

A code is ten characters of Crockford's base 32 (no I, L, O or U: nothing to misread when
it is dictated on the phone or copied from paper), about 50 bits, shown as `XXXXX-XXXXX`.
It is a bearer secret: whoever holds it can have a mediator act for the tester, so it is
sent in request bodies, never in URLs. Decided (issue 13): for the person's own record
(lookup, their pilots, export, erasure) the code is honoured by a mediator of *any*
authority, because the person carries it from counter to counter (the commune's, the
EPCI's) and 50 random bits cannot be guessed online; every use is audited with the
mediator. Acting on a pilot (enrolling, feedback) needs in addition a mediator of an
authority the pilot concerns; a withdrawal is also taken by the authority that registered
the tester (`lab.citizens.service`). Only a scrypt digest is stored: 50 bits are few
enough that a fast hash could be reversed by trying every code against a stolen database
(2^50 SHA-256 take about a day on one GPU); at about 16 MiB and tens of milliseconds per try,
scrypt makes that millions of CPU-years. Codes issued before it were stored as SHA-256
(`legacy_digest`) and are still looked up.
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


# RFC 7914 scrypt, N = 2^14, r = 8, p = 1 (16 MiB): the parameters the RFC and Python's
# documentation use for interactive logins. The salt is fixed: the digest is looked up.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_SALT = b"terrain-tester-code"


def digest(code: str) -> str:
    """What is stored and looked up for a code (64 hex characters)."""
    return hashlib.scrypt(normalize(code).encode(), salt=_SALT, n=_SCRYPT_N, r=_SCRYPT_R,
                          p=_SCRYPT_P, dklen=32).hex()


def legacy_digest(code: str) -> str:
    """How codes issued before scrypt were stored (SHA-256); looked up, never written."""
    return hashlib.sha256(f"terrain-tester-code:{normalize(code)}".encode()).hexdigest()


def lookup_digests(code: str) -> tuple[str, str]:
    """Every stored form a code may have."""
    return digest(code), legacy_digest(code)


def new_pseudonym() -> str:
    """A pseudonym shown to city members instead of any identity (`T-` and 6 characters)."""
    return "T-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


__all__ = ["CODE_LENGTH", "digest", "legacy_digest", "lookup_digests", "new_code",
           "new_pseudonym", "normalize"]
