"""The recommendation follows the registered criteria; each branch is reached on purpose."""

from __future__ import annotations

import math

from experiments.recommend import Criterion, GuardrailCriterion, recommend
from experiments.results import EffectResult

ENERGY = Criterion(name="energy", direction="decrease", minimum_effect=0.05,
                   success_threshold=0.15)
NOISE = GuardrailCriterion(name="complaints", must_not="increase", tolerance=0.10)


def _result(rel: float, lo: float, hi: float, p: float, reason: str | None = None
            ) -> EffectResult:
    return EffectResult(design="did_panel", effect=rel * 100, relative_effect=rel,
                        ci_low=lo * 100, ci_high=hi * 100, relative_ci_low=lo,
                        relative_ci_high=hi, p_value=p, se=1.0, baseline_mean=100.0,
                        method="test", n_obs=100, reason=reason)


def test_significant_improvement_above_threshold_scales_up() -> None:
    verdict = recommend(_result(-0.20, -0.26, -0.14, 0.001), ENERGY)
    assert verdict.recommendation == "scale_up"
    assert "20.0%" in verdict.reasons[0]


def test_significant_but_small_improvement_iterates() -> None:
    assert recommend(_result(-0.08, -0.12, -0.04, 0.01), ENERGY).recommendation == "iterate"


def test_unproven_improvement_iterates() -> None:
    assert recommend(_result(-0.10, -0.25, 0.05, 0.2), ENERGY).recommendation == "iterate"


def test_wrong_direction_stops() -> None:
    assert recommend(_result(0.10, 0.04, 0.16, 0.002), ENERGY).recommendation == "stop"


def test_interval_ruling_out_minimum_effect_stops() -> None:
    verdict = recommend(_result(-0.01, -0.03, 0.01, 0.4), ENERGY)
    assert verdict.recommendation == "stop" and "minimum effect" in verdict.reasons[0]


def test_breached_guardrail_stops_even_a_winner() -> None:
    harm = _result(0.30, 0.15, 0.45, 0.001)
    verdict = recommend(_result(-0.20, -0.26, -0.14, 0.001), ENERGY, ((harm, NOISE),))
    assert verdict.recommendation == "stop" and "complaints" in verdict.reasons[0]
    within_tolerance = _result(0.05, 0.01, 0.09, 0.02)
    assert recommend(_result(-0.20, -0.26, -0.14, 0.001), ENERGY,
                     ((within_tolerance, NOISE),)).recommendation == "scale_up"


def test_degenerate_primary_iterates_with_the_reason() -> None:
    nan = math.nan
    verdict = recommend(_result(nan, nan, nan, nan, reason="no_control"), ENERGY)
    assert verdict.recommendation == "iterate" and "could not be estimated" in verdict.reasons[0]


def test_unbounded_interval_does_not_stop_for_minimum_effect() -> None:
    result = _result(-0.1, -math.inf, math.inf, 0.3)
    assert recommend(result, ENERGY).recommendation == "iterate"
