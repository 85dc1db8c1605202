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
class Reason:
    """Why: a catalogue code, the KPI it is about, and the figures the sentence quotes
    (relative changes as fractions, e.g. 0.05 = 5%). Readers in other languages render the
    code; `text` is the English sentence."""

    code: str
    kpi: str = ""
    values: tuple[tuple[str, float], ...] = ()
    detail: str = ""  # words from elsewhere quoted as they are (e.g. why data is missing)

    @property
    def text(self) -> str:
        figures = {k: f"{x:.0%}" if k in _WHOLE_PERCENT else f"{x:.1%}"
                   for k, x in self.values}
        return REASON_TEXTS[self.code].format(kpi=self.kpi, detail=self.detail, **figures)

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "kpi": self.kpi, "values": dict(self.values),
                "detail": self.detail}


REASON_TEXTS = {
    "no_primary_data": "no data for the primary KPI {kpi}: {detail}",
    "guardrail_breached": "guardrail {kpi} breached",
    "primary_not_estimated": "primary KPI {kpi} could not be estimated",
    "wrong_way": "{kpi} moved significantly the wrong way",
    "below_minimum_effect": "{kpi}: the interval rules out the minimum effect of interest "
                            "({minimum})",
    "success": "{kpi} improved by {gain}, at or above the success threshold ({threshold})",
    "below_success_threshold": "{kpi} improved by {gain}, below the success threshold "
                               "({threshold})",
    "not_established": "{kpi}: the improvement is not statistically established",
    "interim": "interim evaluation: {fraction} of the pilot period observed; no scale-up is "
               "recommended before the pilot ends",
}
"""The catalogue of reason codes and their English sentences."""
_WHOLE_PERCENT = {"minimum", "threshold", "fraction"}


@dataclass(frozen=True, slots=True)
class Verdict:
    recommendation: Recommendation
    why: tuple[Reason, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """The reasons as English sentences."""
        return tuple(r.text for r in self.why)


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
    note = Reason("interim", values=(("fraction", interim_fraction),))
    if verdict.recommendation == "scale_up":
        return Verdict("iterate", (*verdict.why, note))
    return Verdict(verdict.recommendation, (*verdict.why, note))


def _recommend(
    primary: EffectResult, criterion: Criterion,
    guardrails: tuple[tuple[EffectResult, GuardrailCriterion], ...], alpha: float,
) -> Verdict:
    breached = [g.name for r, g in guardrails if guardrail_breached(r, g, alpha)]
    if breached:
        return Verdict("stop", tuple(Reason("guardrail_breached", n) for n in breached))
    name = criterion.name
    if primary.reason is not None or math.isnan(primary.relative_effect):
        return Verdict("iterate", (Reason("primary_not_estimated", name),))
    gain, low, high = _oriented(primary, criterion.direction)
    moved = significant(primary.p_value, alpha)
    if moved and high < 0:
        return Verdict("stop", (Reason("wrong_way", name),))
    if not math.isinf(high) and high < criterion.minimum_effect:
        return Verdict("stop", (Reason("below_minimum_effect", name,
                                       (("minimum", criterion.minimum_effect),)),))
    achieved = (("gain", gain), ("threshold", criterion.success_threshold))
    if moved and low > 0 and gain >= criterion.success_threshold:
        return Verdict("scale_up", (Reason("success", name, achieved),))
    if moved and low > 0:
        return Verdict("iterate", (Reason("below_success_threshold", name, achieved),))
    return Verdict("iterate", (Reason("not_established", name),))


__all__ = ["REASON_TEXTS", "Criterion", "GuardrailCriterion", "Reason", "Recommendation",
           "Verdict", "guardrail_breached", "recommend"]
