"""French and English for everything a person reads: one `t` over the texts of every area."""

from __future__ import annotations

import re
import string
from typing import Literal

from ui.texts import citizens, common, workspace

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")


def _merge(*parts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for part in parts:
        if clash := merged.keys() & part.keys():
            raise KeyError(f"text keys defined twice: {sorted(clash)}")
        merged.update(part)
    return merged


TEXTS = _merge(common.TEXTS, workspace.TEXTS, citizens.TEXTS)
STATUSES = common.STATUSES
FLAGS = common.FLAGS


def placeholders(text: str) -> set[str]:
    """The names of the `{placeholders}` of a text."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t(key: str, lang: Lang, **values: object) -> str:
    """The text for a key in a language, with placeholders filled."""
    return TEXTS[key][lang].format(**values)


def status(value: str, lang: Lang) -> str:
    """A status (`running`, `ready`, …) in plain words; unknown ones shown as they are."""
    entry = STATUSES.get(value)
    return entry[lang] if entry else value.replace("_", " ")


def flag(code: str, lang: Lang, fallback: str | None = None) -> str:
    """A quality flag or warning code in plain words (the API's English text as fallback)."""
    entry = FLAGS.get(code)
    if entry:
        return entry[lang]
    return fallback or code.replace("_", " ")


# The recommendation's reasons come from the analysis in English sentences of a fixed shape
# (experiments/recommend.py); each shape, in French.
REASONS_FR = [
    (re.compile(r"^guardrail (?P<n>.+) breached$"), "garde-fou {n} franchi"),
    (re.compile(r"^primary KPI (?P<n>.+) could not be estimated$"),
     "l'indicateur principal {n} n'a pas pu être estimé"),
    (re.compile(r"^(?P<n>.+) moved significantly the wrong way$"),
     "{n} a nettement évolué dans le mauvais sens"),
    (re.compile(r"^(?P<n>.+): the interval rules out the minimum effect of interest "
                r"\((?P<m>[^)]+)\)$"),
     "{n} : l'intervalle exclut l'effet minimal visé ({m})"),
    (re.compile(r"^(?P<n>.+) improved by (?P<g>\S+), at or above the success threshold "
                r"\((?P<s>[^)]+)\)$"),
     "{n} s'est amélioré de {g}, au niveau du seuil de réussite ({s}) ou au-delà"),
    (re.compile(r"^(?P<n>.+) improved by (?P<g>\S+), below the success threshold "
                r"\((?P<s>[^)]+)\)$"),
     "{n} s'est amélioré de {g}, sous le seuil de réussite ({s})"),
    (re.compile(r"^(?P<n>.+): the improvement is not statistically established$"),
     "{n} : l'amélioration n'est pas établie statistiquement"),
    (re.compile(r"^interim evaluation: (?P<f>\S+) of the pilot period observed; no scale-up "
                r"is recommended before the pilot ends$"),
     "évaluation intermédiaire : {f} de la période du pilote observée ; pas de déploiement "
     "recommandé avant la fin du pilote"),
]


def reason(text: str, lang: Lang) -> str:
    """A reason of the recommendation in the reader's language (the English as it came when
    its shape is unknown)."""
    if lang != "fr":
        return text
    for shape, french in REASONS_FR:
        if found := shape.match(text):
            parts = {k: re.sub(r"(\d)%", r"\1 %", v) for k, v in found.groupdict().items()}
            return french.format(**parts)
    return text


__all__ = ["FLAGS", "LANGS", "STATUSES", "TEXTS", "Lang", "flag", "placeholders", "reason",
           "status", "t"]
