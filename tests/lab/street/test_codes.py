"""Short codes, signed form tokens and the page's language: pure functions."""

from __future__ import annotations

import uuid

from lab.street import codes
from lab.street.pages import pick_language

SECRET = "k" * 48


def test_a_short_code_finds_its_pilot_and_survives_being_read_aloud() -> None:
    for _ in range(200):
        pilot = uuid.uuid4()
        code = codes.short_code(pilot)
        assert len(code) == 8 and set(code) <= set(codes.ALPHABET)
        low, high = codes.code_range(code) or (None, None)
        assert low is not None and high is not None and low <= pilot <= high
        assert codes.code_range(codes.spaced(code)) == (low, high)  # "ABCD-1234"
    pilot = uuid.UUID("00000000-0000-4000-8000-000000000000")
    assert codes.short_code(pilot) == "00000000"
    assert codes.code_range("OOOOOOOO") == codes.code_range("00000000")  # O read as 0
    assert codes.code_range("0000000u") is None and codes.code_range("0000") is None


def test_a_form_token_is_accepted_only_signed_fresh_and_for_its_pilot() -> None:
    pilot, now = uuid.uuid4(), 1_800_000_000
    token = codes.issue(SECRET, pilot, now)
    read = codes.read(SECRET, token, pilot, now + 60, lifetime=1800)
    assert read is not None and read.pilot_id == pilot and len(read.token_id) == 32
    assert codes.issue(SECRET, pilot, now) != token  # each form its own id
    assert codes.read(SECRET, token, pilot, now + 1801, lifetime=1800) is None  # stale
    assert codes.read("x" * 48, token, pilot, now, lifetime=1800) is None  # another key
    assert codes.read(SECRET, token, uuid.uuid4(), now, lifetime=1800) is None  # another pilot
    body, _, mac = token.rpartition(".")
    forged = body.replace(f".{now}.", f".{now + 3600}.") + "." + mac  # extended lifetime
    assert codes.read(SECRET, forged, pilot, now + 3000, lifetime=1800) is None
    assert codes.read(SECRET, "a.b.c", pilot, now, lifetime=1800) is None
    assert codes.client_hash(SECRET, "203.0.113.7") != codes.client_hash(SECRET, "203.0.113.8")


def test_the_language_follows_the_switch_then_the_browser_preference() -> None:
    assert pick_language("en", "fr-FR") == "en"
    assert pick_language(None, "de, en;q=0.8, fr;q=0.9") == "fr"
    assert pick_language(None, "en-GB,en;q=0.9,fr;q=0.8") == "en"
    assert pick_language(None, "fr;q=0, en;q=0.1") == "en"
    assert pick_language(None, "de") == pick_language(None, None) == "fr"
