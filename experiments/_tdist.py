"""Student t and normal tails through `scipy.special` (exactly what `scipy.stats` computes,
without importing `scipy.stats`, which costs half a second at start-up)."""

from __future__ import annotations

import math

from scipy import special


def t_ppf(q: float, df: float) -> float:
    """Quantile of Student's t (the normal one when df is infinite)."""
    return float(special.ndtri(q)) if math.isinf(df) else float(special.stdtrit(df, q))


def t_sf(x: float, df: float) -> float:
    """Upper tail of Student's t (the normal one when df is infinite)."""
    return float(special.ndtr(-x)) if math.isinf(df) else float(special.stdtr(df, -x))


__all__ = ["t_ppf", "t_sf"]
