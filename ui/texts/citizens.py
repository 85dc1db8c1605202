"""Texts of the citizen, mediator and public pages (the citizens' issue fills this in)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "citizen_space": {"fr": "Mon espace", "en": "My space"},
    "mediator_desk": {"fr": "Guichet", "en": "Desk"},
    "coming_soon": {"fr": "Cette page arrive bientôt.", "en": "This page is coming soon."},
}
