"""Likert, NPS and SUS statistics from counts per level, with intervals.

Weighted counts use the Kish effective sample size n_eff = (Σw)²/Σw² wherever an interval
needs a sample size (Kish 1965, *Survey Sampling*); unweighted, n_eff = n.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from experiments.feedback._common import (
    check_confidence,
    fields_dict,
    t_interval,
    wilson_interval,
    z_value,
)
from experiments.feedback.summaries import ScaleCounts, SusCounts

NpsMethod = Literal["wald", "adjusted_wald"]
SusGrade = Literal["A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D", "F"]
SusAcceptability = Literal["acceptable", "marginal", "not_acceptable"]

# Sauro & Lewis curved grading scale (Quantifying the User Experience, 2nd ed., 2016;
# Lewis & Sauro 2018, "Item benchmarks for the System Usability Scale", JUS 13(3)):
# lower bound of each grade. A mean between two printed bands (e.g. 84.05) takes the lower.
_SUS_GRADES: tuple[tuple[float, SusGrade], ...] = (
    (84.1, "A+"), (80.8, "A"), (78.9, "A-"), (77.2, "B+"), (74.1, "B"), (72.6, "B-"),
    (71.1, "C+"), (65.0, "C"), (62.7, "C-"), (51.7, "D"),
)
_EPS = 1e-9  # so that 84.1 computed as 84.09999999999999 still earns an A+


@dataclass(frozen=True, slots=True)
class LevelShare:
    """One answer level: respondents, and their share (weighted when weights were given)."""

    level: int
    count: int
    share: float | None


@dataclass(frozen=True, slots=True)
class LikertResult:
    """Distribution, mean with t-interval and top-2-box share with Wilson interval."""

    low: int
    high: int
    n: int
    n_effective: float
    n_missing: int
    distribution: tuple[LevelShare, ...]
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    top2_count: int
    top2_share: float | None
    top2_ci_low: float | None
    top2_ci_high: float | None
    confidence: float
    weighted: bool
    reason: str | None = None
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return fields_dict(self)


@dataclass(frozen=True, slots=True)
class NpsResult:
    """Net Promoter Score (−100..100) with its interval and the three groups."""

    n: int
    n_effective: float
    n_missing: int
    detractors: int
    passives: int
    promoters: int
    share_detractors: float | None
    share_passives: float | None
    share_promoters: float | None
    score: float | None
    ci_low: float | None
    ci_high: float | None
    method: NpsMethod
    confidence: float
    weighted: bool
    reason: str | None = None
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return fields_dict(self)


@dataclass(frozen=True, slots=True)
class SusResult:
    """Mean SUS score (0–100) with t-interval, its grade and the grades the interval spans."""

    n: int
    n_excluded: int
    n_effective: float
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    grade: SusGrade | None
    grade_ci_low: SusGrade | None
    grade_ci_high: SusGrade | None
    acceptability: SusAcceptability | None
    confidence: float
    weighted: bool
    reason: str | None = None
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return fields_dict(self)


def sus_grade(score: float) -> SusGrade:
    """Letter grade of a mean SUS score on the Sauro–Lewis curved grading scale."""
    for bound, grade in _SUS_GRADES:
        if score >= bound - _EPS:
            return grade
    return "F"


def sus_acceptability(score: float) -> SusAcceptability:
    """Acceptability range (Bangor, Kortum & Miller 2008) as aligned with the curved grades."""
    if score >= 71.1 - _EPS:
        return "acceptable"
    return "marginal" if score >= 51.7 - _EPS else "not_acceptable"


@dataclass(frozen=True, slots=True)
class _Moments:
    mean: float
    sd: float | None
    ci: tuple[float, float] | None
    warnings: tuple[str, ...]


def _moments(counts: ScaleCounts, confidence: float) -> _Moments:
    """Mean, sample SD and t-interval (clipped to the scale) from counts per level."""
    masses = counts.masses
    levels = np.asarray(counts.levels, dtype=float)
    total = float(masses.sum())
    mean = float((masses * levels).sum() / total)
    n_eff = counts.n_effective
    if n_eff < 2:
        return _Moments(mean, None, None, ("too_few_observations",))
    # Population variance scaled by n_eff/(n_eff − 1): the usual s² when unweighted.
    var = float((masses * (levels - mean) ** 2).sum() / total) * n_eff / (n_eff - 1)
    sd = math.sqrt(max(var, 0.0))
    if sd < 1e-12:
        return _Moments(mean, 0.0, None, ("zero_variance",))
    low, high = t_interval(mean, sd, n_eff, confidence)
    # A mean cannot leave the scale; with very few answers the t-interval can.
    return _Moments(mean, sd, (max(low, float(counts.low)), min(high, float(counts.high))), ())


def likert(counts: ScaleCounts, *, confidence: float = 0.95) -> LikertResult:
    """Summarise a Likert item: distribution, mean with t-interval, top-2-box with Wilson."""
    check_confidence(confidence)
    if counts.high - counts.low < 2:
        raise ValueError("a Likert scale needs at least three levels")
    n, masses = counts.n, counts.masses
    total = float(masses.sum())
    shares = [float(m / total) if total > 0 else None for m in masses]
    distribution = tuple(
        LevelShare(level, count, share)
        for level, count, share in zip(counts.levels, counts.counts, shares, strict=True)
    )
    empty = LikertResult(
        low=counts.low, high=counts.high, n=n, n_effective=counts.n_effective,
        n_missing=counts.n_missing, distribution=distribution, mean=None, sd=None,
        ci_low=None, ci_high=None, top2_count=counts.counts[-1] + counts.counts[-2],
        top2_share=None, top2_ci_low=None, top2_ci_high=None, confidence=confidence,
        weighted=counts.weighted, reason="no_responses",
    )
    if n == 0 or total <= 0:
        return empty
    m = _moments(counts, confidence)
    top2 = float((masses[-1] + masses[-2]) / total)
    t_low, t_high = wilson_interval(top2, counts.n_effective, confidence)
    return replace(
        empty, reason=None, mean=m.mean, sd=m.sd,
        ci_low=m.ci[0] if m.ci else None, ci_high=m.ci[1] if m.ci else None,
        top2_share=top2, top2_ci_low=t_low, top2_ci_high=t_high, warnings=m.warnings,
    )


def nps(counts: ScaleCounts, *, confidence: float = 0.95, method: NpsMethod = "wald") -> NpsResult:
    """Net Promoter Score with a normal interval from the trinomial variance.

    NPS = 100 (p_P − p_D) with promoters 9–10 and detractors 0–6, and
    Var = (p_P + p_D − (p_P − p_D)²) / n (Rocks 2016, The American Statistician 70(4)).
    `adjusted_wald` adds 3/4 to promoters and detractors and 3 to n before computing the
    interval (Sauro & Lewis, MeasuringU 2021), which behaves better when n is small or all
    answers fall in one group.
    """
    check_confidence(confidence)
    if (counts.low, counts.high) != (0, 10):
        raise ValueError("NPS counts must be on the 0–10 scale")
    c, masses = counts.counts, counts.masses
    detractors, passives, promoters = sum(c[:7]), c[7] + c[8], c[9] + c[10]
    total, n_eff = float(masses.sum()), counts.n_effective
    empty = NpsResult(
        n=counts.n, n_effective=n_eff, n_missing=counts.n_missing, detractors=detractors,
        passives=passives, promoters=promoters, share_detractors=None, share_passives=None,
        share_promoters=None, score=None, ci_low=None, ci_high=None, method=method,
        confidence=confidence, weighted=counts.weighted, reason="no_responses",
    )
    if counts.n == 0 or total <= 0:
        return empty
    p_d = float(masses[:7].sum() / total)
    p_p = float(masses[9:].sum() / total)
    result = replace(
        empty, reason=None, share_detractors=p_d, share_passives=float(masses[7:9].sum() / total),
        share_promoters=p_p, score=100.0 * (p_p - p_d),
    )
    if method == "adjusted_wald":
        n_adj = n_eff + 3.0
        p_p, p_d = (p_p * n_eff + 0.75) / n_adj, (p_d * n_eff + 0.75) / n_adj
        n_eff = n_adj
    var = (p_p + p_d - (p_p - p_d) ** 2) / n_eff if n_eff > 0 else 0.0
    if method == "wald" and n_eff < 2:
        return replace(result, warnings=("too_few_observations",))
    if var <= 1e-15:
        return replace(result, warnings=("zero_variance",))
    half = z_value(confidence) * math.sqrt(var)
    centre = p_p - p_d
    return replace(
        result, ci_low=100.0 * max(-1.0, centre - half), ci_high=100.0 * min(1.0, centre + half)
    )


def sus(counts: SusCounts, *, confidence: float = 0.95) -> SusResult:
    """Mean SUS score with a t-interval, graded on the Sauro–Lewis curved scale."""
    check_confidence(confidence)
    points = counts.points
    if (points.low, points.high) != (0, 40):
        raise ValueError("SUS counts must be raw points 0–40")
    warnings = ("sus_incomplete_excluded",) if counts.n_excluded else ()
    empty = SusResult(
        n=points.n, n_excluded=counts.n_excluded, n_effective=points.n_effective, mean=None,
        sd=None, ci_low=None, ci_high=None, grade=None, grade_ci_low=None, grade_ci_high=None,
        acceptability=None, confidence=confidence, weighted=points.weighted,
        reason="no_responses", warnings=warnings,
    )
    if points.n == 0 or float(points.masses.sum()) <= 0:
        return empty
    m = _moments(points, confidence)
    mean = 2.5 * m.mean
    ci = (2.5 * m.ci[0], 2.5 * m.ci[1]) if m.ci else None
    return replace(
        empty, reason=None, mean=mean, sd=None if m.sd is None else 2.5 * m.sd,
        ci_low=ci[0] if ci else None, ci_high=ci[1] if ci else None,
        grade=sus_grade(mean),
        grade_ci_low=sus_grade(ci[0]) if ci else None,
        grade_ci_high=sus_grade(ci[1]) if ci else None,
        acceptability=sus_acceptability(mean), warnings=warnings + m.warnings,
    )
