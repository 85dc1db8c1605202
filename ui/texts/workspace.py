"""Texts of the startup, city and admin workspace pages."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "pilots": {"fr": "Pilotes", "en": "Pilots"},
    "no_pilots": {"fr": "Aucun pilote pour l'instant.", "en": "No pilots yet."},
    "awaiting_me": {"fr": "En attente de ma décision", "en": "Awaiting my decision"},
    "status_label": {"fr": "Statut", "en": "Status"},
    "pending": {"fr": "Décisions attendues", "en": "Decisions pending"},
    "decide": {"fr": "Décider", "en": "Decide"},
    "approve": {"fr": "Approuver", "en": "Approve"},
    "refuse": {"fr": "Refuser", "en": "Refuse"},
    "request_changes": {"fr": "Demander des modifications", "en": "Request changes"},
    "comment": {"fr": "Commentaire", "en": "Comment"},
    "decision_saved": {"fr": "Décision enregistrée.", "en": "Decision recorded."},
    "nothing_to_review": {"fr": "Aucun pilote n'attend votre décision.",
                          "en": "No pilot is awaiting your decision."},
    "hypothesis": {"fr": "Hypothèse", "en": "Hypothesis"},
    "version": {"fr": "Version {version}", "en": "Version {version}"},
}
