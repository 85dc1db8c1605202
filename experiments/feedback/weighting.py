"""Reweighting respondents to population margins supplied by the city (raking).

Raking, or iterative proportional fitting (Deming & Stephan 1940), scales the weights of
each margin's categories in turn until the weighted shares of every margin match the
targets. Weights are returned with mean 1 (or the mean of the base weights), so they can
be passed as `weight=` to the count reductions; intervals then use the Kish effective
sample size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from experiments.feedback._common import Frame, fields_dict, lazy, require_columns
from experiments.feedback.exceptions import InvalidValueError


@dataclass(frozen=True)
class RakingResult:
    """Raked weights (None when raking is impossible) and how well the margins were met."""

    weights: pl.Series | None = field(compare=False, repr=False)
    n: int
    converged: bool
    iterations: int
    max_margin_error: float | None
    n_effective: float | None
    design_effect: float | None
    reason: str | None = None
    warnings: tuple[str, ...] = ()
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (diagnostics only, not the weights)."""
        return fields_dict(self)


def _targets(variable: str, shares: Mapping[Any, float]) -> tuple[dict[str, int], np.ndarray]:
    labels = {str(k): i for i, k in enumerate(shares)}
    target = np.asarray(list(shares.values()), dtype=float)
    if len(labels) != len(shares) or (target < 0).any() or target.sum() <= 0:
        raise ValueError(f"margin {variable!r} needs distinct categories and non-negative shares")
    return labels, target / target.sum()


def rake(
    data: Frame,
    margins: Mapping[str, Mapping[Any, float]],
    *,
    base_weight: str | None = None,
    name: str = "weight",
    max_iterations: int = 1000,
    tolerance: float = 1e-12,
) -> RakingResult:
    """Rake respondents' weights so each column's weighted shares match the given margins.

    `margins` maps a column to its population shares per category (counts are accepted and
    normalised); categories are compared as text. Every respondent's category must appear
    in the margin; a category with a positive target needs at least one respondent.
    """
    if not margins:
        raise ValueError("raking needs at least one margin")
    lf = lazy(data)
    require_columns(lf, list(margins) + ([base_weight] if base_weight else []))
    frame = lf.select(
        *[pl.col(v).cast(pl.String) for v in margins],
        (pl.col(base_weight).cast(pl.Float64) if base_weight else pl.lit(1.0)).alias("_w"),
    ).collect()
    n = frame.height

    def failed(reason: str, detail: str | None = None) -> RakingResult:
        return RakingResult(weights=None, n=n, converged=False, iterations=0,
                            max_margin_error=None, n_effective=None, design_effect=None,
                            reason=reason, detail=detail)

    if n == 0:
        return failed("no_responses")
    weights = frame["_w"].to_numpy().copy()
    if np.isnan(weights).any() or (weights < 0).any() or weights.sum() <= 0:
        raise InvalidValueError("base weights must be present, non-negative and not all zero")
    codes, targets = [], []
    for variable, shares in margins.items():
        labels, target = _targets(variable, shares)
        code = frame[variable].replace_strict(labels, default=-1, return_dtype=pl.Int64)
        code_np = code.fill_null(-1).to_numpy()
        if (code_np < 0).any():
            unknown = sorted({str(v) for v in frame[variable].filter(code == -1).to_list()})
            unknown += ["(missing)"] if frame[variable].null_count() else []
            return failed("raking_unknown_category", f"{variable}: {', '.join(unknown[:5])}")
        present = np.bincount(code_np, weights=weights, minlength=len(target))
        if ((present <= 0) & (target > 0)).any():
            empty = [k for k, i in labels.items() if present[i] <= 0 and target[i] > 0]
            return failed("raking_empty_category", f"{variable}: {', '.join(empty[:5])}")
        codes.append(code_np)
        targets.append(target)

    total = float(weights.sum())
    error, iteration = np.inf, 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 (used after the loop)
        for code_np, target in zip(codes, targets, strict=True):
            achieved = np.bincount(code_np, weights=weights, minlength=len(target))
            factor = np.divide(target * total, achieved, out=np.zeros_like(target),
                               where=achieved > 0)
            weights = weights * factor[code_np]
        error = max(
            float(np.abs(np.bincount(c, weights=weights, minlength=len(t)) / total - t).max())
            for c, t in zip(codes, targets, strict=True)
        )
        if error < tolerance:
            break
    converged = error < tolerance
    n_eff = total * total / float((weights * weights).sum())
    return RakingResult(
        weights=pl.Series(name, weights), n=n, converged=converged, iterations=iteration,
        max_margin_error=error, n_effective=n_eff, design_effect=n / n_eff,
        warnings=() if converged else ("raking_not_converged",),
    )
