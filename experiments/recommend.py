"""From pre-registered success criteria and guardrails to a recommendation.

The rule, applied to relative effects (effect / counterfactual or baseline mean), with the
primary KPI judged on its p-value as registered (unadjusted), significant meaning p ≤ α
(`experiments.inference.significant`, the convention of the intervals and of Holm), and
"improvement" meaning the change in the desired direction:

- **stop** when a guardrail is breached (its change in the harmful direction exceeds its
  tolerance and is significant), when the primary KPI moved significantly the wrong way, or
  when its interval rules out the minimum effect of interest (the best plausible
  improvement is smaller than what matters);
- **scale_up** when the primary KPI improved significantly and its estimated improvement
  reaches the success threshold, with no guardrail breached;
- **iterate** otherwise (promising but unproven, or not estimable), with the reasons.

An interim evaluation (`interim_fraction`, the share of the pilot period observed, given)
never recommends scaling up: what would have been `scale_up` becomes `iterate`, saying
"interim" and the fraction observed. Stopping on a breached guardrail stays possible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from experiments.inference import significant
from experiments.results import EffectResult

Recommendation = Literal["scale_up", "iterate", "stop"]
Direction = Literal["increase", "decrease"]


@dataclass(frozen=True, slots=True)
class Criterion:
    """A registered KPI's success criteria (relative, e.g. 0.05 = 5%)."""

    name: str
    direction: Direction
    minimum_effect: float
    success_threshold: float


@dataclass(frozen=True, slots=True)
class GuardrailCriterion:
    """A guardrail: the harmful direction and the relative change tolerated."""

    name: str
    must_not: Direction
    tolerance: float


@dataclass(frozen=True, slots=True)
class Verdict:
    recommendation: Recommendation
    reasons: tuple[str, ...]


def _sign(direction: Direction) -> float:
    return 1.0 if direction == "increase" else -1.0


def _oriented(result: EffectResult, direction: Direction) -> tuple[float, float, float]:
    """(point, low, high) of the relative change, oriented so positive means `direction`."""
    s = _sign(direction)
    lo, hi = sorted((s * result.relative_ci_low, s * result.relative_ci_high))
    return s * result.relative_effect, lo, hi


def guardrail_breached(result: EffectResult, guardrail: GuardrailCriterion,
                       alpha: float = 0.05) -> bool:
    """Whether the harmful change exceeds the tolerance and is significant."""
    if result.reason is not None or math.isnan(result.relative_effect):
        return False
    harm, low, _ = _oriented(result, guardrail.must_not)
    return harm > guardrail.tolerance and low > 0 and significant(result.p_value, alpha)


def recommend(
    primary: EffectResult,
    criterion: Criterion,
    guardrails: tuple[tuple[EffectResult, GuardrailCriterion], ...] = (),
    *,
    alpha: float = 0.05,
    interim_fraction: float | None = None,
) -> Verdict:
    """Scale up, iterate or stop, with the reasons in plain words."""
    verdict = _recommend(primary, criterion, guardrails, alpha)
    if interim_fraction is None:
        return verdict
    note = (f"interim evaluation: {interim_fraction:.0%} of the pilot period observed; "
            "no scale-up is recommended before the pilot ends")
    if verdict.recommendation == "scale_up":
        return Verdict("iterate", (*verdict.reasons, note))
    return Verdict(verdict.recommendation, (*verdict.reasons, note))


def _recommend(
    primary: EffectResult, criterion: Criterion,
    guardrails: tuple[tuple[EffectResult, GuardrailCriterion], ...], alpha: float,
) -> Verdict:
    breached = [g.name for r, g in guardrails if guardrail_breached(r, g, alpha)]
    if breached:
        return Verdict("stop", tuple(f"guardrail {n} breached" for n in breached))
    if primary.reason is not None or math.isnan(primary.relative_effect):
        return Verdict("iterate", (f"primary KPI {criterion.name} could not be estimated",))
    gain, low, high = _oriented(primary, criterion.direction)
    moved = significant(primary.p_value, alpha)
    if moved and high < 0:
        return Verdict("stop", (f"{criterion.name} moved significantly the wrong way",))
    if not math.isinf(high) and high < criterion.minimum_effect:
        return Verdict("stop", (f"{criterion.name}: the interval rules out the minimum "
                                f"effect of interest ({criterion.minimum_effect:.0%})",))
    if moved and low > 0 and gain >= criterion.success_threshold:
        return Verdict("scale_up", (f"{criterion.name} improved by {gain:.1%}, at or above "
                                    f"the success threshold ({criterion.success_threshold:.0%})",))
    if moved and low > 0:
        return Verdict("iterate", (f"{criterion.name} improved by {gain:.1%}, below the "
                                   f"success threshold ({criterion.success_threshold:.0%})",))
    return Verdict("iterate", (f"{criterion.name}: the improvement is not statistically "
                               "established",))


__all__ = ["Criterion", "GuardrailCriterion", "Recommendation", "Verdict", "guardrail_breached",
           "recommend"]
