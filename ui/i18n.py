"""French and English texts for what citizens and city staff read."""

from __future__ import annotations

from typing import Literal

Lang = Literal["fr", "en"]

TEXTS: dict[str, dict[Lang, str]] = {
    "title": {"fr": "Terrain — laboratoire vivant du territoire",
              "en": "Terrain — the territory's living lab"},
    "tagline": {"fr": "Des prototypes testés sur le terrain, mesurés honnêtement.",
                "en": "Prototypes piloted in the field, measured honestly."},
    "status": {"fr": "État de la plateforme", "en": "Platform status"},
    "api": {"fr": "API", "en": "API"},
    "database": {"fr": "Base de données", "en": "Database"},
    "object_store": {"fr": "Stockage d'objets", "en": "Object store"},
    "ok": {"fr": "opérationnel", "en": "operational"},
    "down": {"fr": "indisponible", "en": "unavailable"},
    "unreachable": {"fr": "L'API ne répond pas à {url}.",
                    "en": "The API does not answer at {url}."},
    "all_ok": {"fr": "Tout fonctionne.", "en": "Everything is working."},
    "degraded": {"fr": "Service dégradé.", "en": "Service degraded."},
    "language": {"fr": "Langue", "en": "Language"},
    "sign_in": {"fr": "Se connecter", "en": "Sign in"},
    "sign_out": {"fr": "Se déconnecter", "en": "Sign out"},
    "email": {"fr": "Adresse e-mail", "en": "Email address"},
    "password": {"fr": "Mot de passe", "en": "Password"},
    "signed_in_as": {"fr": "Connecté·e : {email} ({role})", "en": "Signed in: {email} ({role})"},
    "pilots": {"fr": "Pilotes", "en": "Pilots"},
    "no_pilots": {"fr": "Aucun pilote pour l'instant.", "en": "No pilots yet."},
    "sign_in_first": {"fr": "Connectez-vous pour voir vos pilotes.",
                      "en": "Sign in to see your pilots."},
    "awaiting_me": {"fr": "En attente de ma décision", "en": "Awaiting my decision"},
    "status_label": {"fr": "Statut", "en": "Status"},
    "pending": {"fr": "Décisions attendues", "en": "Decisions pending"},
    "decide": {"fr": "Décider", "en": "Decide"},
    "approve": {"fr": "Approuver", "en": "Approve"},
    "refuse": {"fr": "Refuser", "en": "Refuse"},
    "request_changes": {"fr": "Demander des modifications", "en": "Request changes"},
    "comment": {"fr": "Commentaire", "en": "Comment"},
    "decision_saved": {"fr": "Décision enregistrée.", "en": "Decision recorded."},
    "take_part": {"fr": "Participer", "en": "Take part"},
    "running_pilots": {"fr": "Expérimentations en cours près de chez vous",
                       "en": "Pilots running near you"},
    "no_running": {"fr": "Aucune expérimentation en cours pour le moment.",
                   "en": "No pilot is running at the moment."},
    "period": {"fr": "Du {start} au {end}", "en": "From {start} to {end}"},
    "hypothesis": {"fr": "Hypothèse", "en": "Hypothesis"},
    "page": {"fr": "Page", "en": "Page"},
}


def t(key: str, lang: Lang, **values: str) -> str:
    """The text for a key in a language, with placeholders filled."""
    return TEXTS[key][lang].format(**values)


__all__ = ["Lang", "TEXTS", "t"]
