"""French and English for everything a person reads: one `t` over the texts of every area."""

from __future__ import annotations

import string
from typing import Any, Literal

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


_WHOLE_PERCENT = {"minimum", "threshold", "fraction"}


def percent(value: object, lang: Lang, digits: int = 1, *, signed: bool = False) -> str:
    """A fraction as a percentage the reader's way: 12,5 % in French, 12.5% in English
    (— when there is no number)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "—"
    text = f"{100 * value:{'+' if signed else ''}.{digits}f}"
    return f"{text.replace('.', ',')} %" if lang == "fr" else f"{text}%"


def colon(lang: Lang) -> str:
    """What goes between a label and its value: « Données : … » in French, "Data: …"."""
    return " : " if lang == "fr" else ": "


def number(value: object, lang: Lang, spec: str = ".3g") -> str:
    """A number the reader's way: 0,232 in French, 0.232 in English (— when there is none)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "—"
    text = format(value, spec)
    return text.replace(".", ",") if lang == "fr" else text


def reason(entry: dict[str, Any] | str, lang: Lang) -> str:
    """A reason of the recommendation from its code and figures (`reason_codes` of the
    results), in the reader's language; a bare sentence (results stored before the codes)
    is shown as it came."""
    if isinstance(entry, str):
        return entry
    code = str(entry.get("code", ""))
    if f"reason_{code}" not in TEXTS:
        return code.replace("_", " ")
    values = {k: percent(float(v), lang, 0 if k in _WHOLE_PERCENT else 1)
              for k, v in (entry.get("values") or {}).items()}
    return t(f"reason_{code}", lang, kpi=entry.get("kpi", ""), detail=entry.get("detail", ""),
             **values)


__all__ = ["FLAGS", "LANGS", "STATUSES", "TEXTS", "Lang", "colon", "flag", "number",
           "percent", "placeholders", "reason", "status", "t"]
