"""E-mail addresses: one normal form, and the skeleton that tells look-alikes apart.

`ａｄｍｉｎ@…` (full-width) and `admin@…` are the same address once normalised (NFKC); a
Cyrillic `а` or an accented `é` survive NFKC, so an address that differs from an existing
one only by such letters is refused as a look-alike rather than accepted as a second,
confusable account.
"""

from __future__ import annotations

import unicodedata

# Letters of other scripts drawn like Latin ones (after NFKD; from Unicode's confusables).
_CONFUSABLE = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ј": "j", "к": "k", "м": "m",
    "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "ӏ": "l", "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ı": "i", "ɡ": "g", "ℓ": "l",
})


def normalize_email(value: str) -> str:
    """The stored form of an address: NFKC (full-width and compatibility characters folded),
    trimmed, lower-case (the domain always; the local part too, as one account per person)."""
    return unicodedata.normalize("NFKC", value).strip().lower()


def skeleton(email: str) -> str:
    """What an address looks like: accents dropped, confusable letters mapped to Latin."""
    decomposed = unicodedata.normalize("NFKD", normalize_email(email))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.translate(_CONFUSABLE)


__all__ = ["normalize_email", "skeleton"]
