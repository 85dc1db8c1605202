"""Several KPIs: Holm and Benjamini–Hochberg adjusted p-values, primary KPI as registered.

Holm (1979) controls the family-wise error rate; Benjamini & Hochberg (1995) the false
discovery rate. A missing p-value (NaN or None: the KPI could not be tested) is left out of
the family, so m counts only the KPIs that were tested, and its adjusted value is NaN.
The primary KPI is adjusted with the rest and also reported unadjusted, as registered: a
pre-registered single primary test at level α needs no correction on its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from experiments.inference import significant
from experiments.messages import MESSAGES

AdjustMethod = Literal["holm", "bh"]


def _valid(p_values: Sequence[float | None]) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray([np.nan if v is None else v for v in p_values], dtype=float)
    ok = ~np.isnan(p)
    if ((p[ok] < 0) | (p[ok] > 1)).any():
        raise ValueError("p-values must lie in [0, 1]")
    return p, ok


def holm(p_values: Sequence[float | None]) -> tuple[float, ...]:
    """Holm step-down adjusted p-values, in the input order (NaN stays NaN)."""
    p, ok = _valid(p_values)
    out = np.full(p.shape, np.nan)
    m = int(ok.sum())
    if m:
        order = np.argsort(p[ok], kind="stable")
        ranked = p[ok][order] * (m - np.arange(m))
        adjusted = np.minimum(np.maximum.accumulate(ranked), 1.0)
        valid = np.empty(m)
        valid[order] = adjusted
        out[ok] = valid
    return tuple(float(x) for x in out)


def benjamini_hochberg(p_values: Sequence[float | None]) -> tuple[float, ...]:
    """Benjamini–Hochberg step-up adjusted p-values (q-values), in the input order."""
    p, ok = _valid(p_values)
    out = np.full(p.shape, np.nan)
    m = int(ok.sum())
    if m:
        order = np.argsort(p[ok], kind="stable")
        ranked = p[ok][order] * m / np.arange(1, m + 1)
        adjusted = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
        valid = np.empty(m)
        valid[order] = adjusted
        out[ok] = valid
    return tuple(float(x) for x in out)


def adjust(p_values: Sequence[float | None], method: AdjustMethod) -> tuple[float, ...]:
    """Adjusted p-values by Holm (`holm`) or Benjamini–Hochberg (`bh`)."""
    return holm(p_values) if method == "holm" else benjamini_hochberg(p_values)


@dataclass(frozen=True, slots=True)
class KpiTest:
    """One KPI's test: its name, p-value (None or NaN if untested) and whether it is primary."""

    name: str
    p_value: float | None
    is_primary: bool = False


@dataclass(frozen=True, slots=True)
class AdjustedKpi:
    """One KPI after correction; the primary also carries its p-value as registered."""

    name: str
    is_primary: bool
    p_value: float | None
    p_adjusted: float | None
    p_as_registered: float | None
    significant: bool | None
    significant_as_registered: bool | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class MultipleTestingResult:
    """Adjusted p-values of a family of KPIs."""

    method: AdjustMethod
    alpha: float
    n_tests: int
    kpis: tuple[AdjustedKpi, ...]
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form, with the catalogue texts of the codes."""
        return {
            "method": self.method, "alpha": self.alpha, "n_tests": self.n_tests,
            "kpis": [
                {**asdict(k), "reason_message": MESSAGES[k.reason] if k.reason else None}
                for k in self.kpis
            ],
            "warnings": list(self.warnings),
            "warning_messages": [MESSAGES[c] for c in self.warnings],
        }


def adjust_kpis(
    kpis: Sequence[KpiTest], *, method: AdjustMethod = "holm", alpha: float = 0.05
) -> MultipleTestingResult:
    """Adjust the KPIs' p-values as one family; report the primary KPI also as registered."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    names = [k.name for k in kpis]
    if len(set(names)) != len(names):
        raise ValueError("KPI names must be unique")
    adjusted = adjust([k.p_value for k in kpis], method)
    out = []
    for kpi, adj in zip(kpis, adjusted, strict=True):
        raw = None if kpi.p_value is None or math.isnan(kpi.p_value) else float(kpi.p_value)
        registered = raw if kpi.is_primary else None
        out.append(AdjustedKpi(
            name=kpi.name, is_primary=kpi.is_primary, p_value=raw,
            p_adjusted=None if raw is None else adj, p_as_registered=registered,
            significant=None if raw is None else significant(adj, alpha),
            significant_as_registered=(None if registered is None
                                       else significant(registered, alpha)),
            reason="no_p_value" if raw is None else None,
        ))
    primaries = sum(k.is_primary for k in kpis)
    return MultipleTestingResult(
        method=method, alpha=alpha, n_tests=sum(k.p_value is not None for k in out),
        kpis=tuple(out), warnings=("several_primary_kpis",) if primaries > 1 else (),
    )


__all__ = [
    "AdjustMethod",
    "AdjustedKpi",
    "KpiTest",
    "MultipleTestingResult",
    "adjust",
    "adjust_kpis",
    "benjamini_hochberg",
    "holm",
]
