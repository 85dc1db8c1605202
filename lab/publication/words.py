"""The primary effect in plain words, in English and French."""

from __future__ import annotations

from typing import Any

RECOMMENDATION = {"scale_up": ("Scale up", "Passer à l'échelle"),
                  "iterate": ("Iterate", "Itérer"), "stop": ("Stop", "Arrêter")}


def _num(value: float, fr: bool) -> str:
    text = f"{value:+.3g}"
    return text.replace(".", ",").replace("-", "−") if fr else text


def _pct(value: float | None, fr: bool) -> str:
    if value is None:
        return ""
    text = f"{value * 100:+.1f}"
    return f" ({text.replace('.', ',').replace('-', '−')} %)" if fr else f" ({text}%)"


def summaries(label: str, result: dict[str, Any] | None,
              missing: str | None) -> tuple[str, str]:
    """One sentence or two per language: the effect, its 95% interval, what the interval says."""
    found = result or {}
    effect, low, high = found.get("effect"), found.get("ci_low"), found.get("ci_high")
    if found.get("reason") or effect is None or low is None or high is None:
        why = found.get("reason") or missing or "no data"
        return (f"No estimate could be made for {label} ({why}).",
                f"Aucune estimation n'a pu être faite pour {label} ({why}).")
    rel = found.get("relative_effect")
    clear = low > 0 or high < 0
    en = (f"{label}: the pilot changed it by {_num(effect, False)}{_pct(rel, False)} compared "
          f"with what was expected without it; the 95% confidence interval runs from "
          f"{_num(low, False)} to {_num(high, False)}. "
          + ("The interval excludes zero: the change is unlikely to be chance."
             if clear else "The interval includes zero: the data cannot tell this change "
                           "apart from no change at all."))
    fr = (f"{label} : le pilote l'a fait varier de {_num(effect, True)}{_pct(rel, True)} par "
          f"rapport à ce qui était attendu sans lui ; l'intervalle de confiance à 95 % va de "
          f"{_num(low, True)} à {_num(high, True)}. "
          + ("L'intervalle exclut zéro : il est peu probable que ce changement soit dû au "
             "hasard." if clear else "L'intervalle inclut zéro : les données ne permettent "
                                     "pas de distinguer ce changement d'une absence d'effet."))
    return en, fr


__all__ = ["RECOMMENDATION", "summaries"]
