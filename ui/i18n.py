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
}


def t(key: str, lang: Lang, **values: str) -> str:
    """The text for a key in a language, with placeholders filled."""
    return TEXTS[key][lang].format(**values)


__all__ = ["Lang", "TEXTS", "t"]
