"""Removing personal data from free text before a startup reads it.

Removed: email addresses; telephone numbers (French forms +33 X XX XX XX XX, 0033…,
0X XX XX XX XX with spaces, dots or dashes, and any other long run of digits such as
international numbers); the names testers gave in their profile (each word of three letters
or more, as a whole word, whatever its case or accents). What is removed becomes a marker,
so a reader knows something was there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

EMAIL_MARK, PHONE_MARK, NAME_MARK = "[email]", "[phone]", "[name]"

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\.[\w-]+)+",
                    re.IGNORECASE)
# +33 6 12 34 56 78, +33 (0)6…, 0033 6…, 06.12.34.56.78, 06-12-34-56-78, 0612345678.
_PHONE_FR = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?33\s?(?:\(0\)\s?)?|0)[1-9](?:[\s.\-]?\d{2}){4}(?!\d)")
# Any other run of 8 or more digits, possibly grouped (international numbers, odd forms).
_LONG_DIGITS = re.compile(r"(?<![\w])\+?\d(?:[\s.\-/]?\d){7,}(?!\d)")
_MIN_NAME = 3
_WORD = re.compile(r"[^\W\d_]+")


def _fold(text: str) -> str:
    """Lower case without accents (so 'Hélène' also catches 'helene')."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_words(names: Iterable[str | None]) -> frozenset[str]:
    """The words of the given names worth removing (folded)."""
    words: set[str] = set()
    for name in names:
        for word in _WORD.findall(name or ""):
            if len(word) >= _MIN_NAME:
                words.add(_fold(word))
    return frozenset(words)


def scrub(text: str, names: frozenset[str] = frozenset()) -> str:
    """The text with emails, phone numbers and the given names replaced by markers."""
    text = _EMAIL.sub(EMAIL_MARK, text)
    text = _PHONE_FR.sub(PHONE_MARK, text)
    text = _LONG_DIGITS.sub(PHONE_MARK, text)
    if names:
        def _replace(match: re.Match[str]) -> str:
            return NAME_MARK if _fold(match.group(0)) in names else match.group(0)

        text = _WORD.sub(_replace, text)
    return text


__all__ = ["EMAIL_MARK", "NAME_MARK", "PHONE_MARK", "name_words", "scrub"]
