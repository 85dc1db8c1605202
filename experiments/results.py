"""Frozen, typed results of the designs, with a JSON-ready `to_dict()`.

Degenerate data gives a result whose `reason` is a catalogue code (see `messages.py`) and
whose numbers are NaN; `to_dict()` turns NaN and infinities into `None`/strings for JSON.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Literal

from experiments.messages import MESSAGES

Design = Literal["before_after", "did_2x2", "did_panel", "did_staggered", "ab", "ab_cuped",
                 "synthetic_control"]

NAN = float("nan")


def _json_number(x: object) -> object:
    """Return a JSON-safe number: NaN → None, ±inf → '+inf'/'-inf'."""
    if isinstance(x, float):
        if math.isnan(x):
            return None
        if math.isinf(x):
            return "+inf" if x > 0 else "-inf"
    return x


def _merge(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[str, ...]:
    """Return `old` followed by the codes of `new` not already in it."""
    for code in new:
        if code not in MESSAGES:
            raise KeyError(f"unknown catalogue code {code!r}")
    return old + tuple(c for c in dict.fromkeys(new) if c not in old)


@dataclass(frozen=True, slots=True)
class EventPoint:
    """One period (or group of periods) relative to the start: effect and interval."""

    relative_period: int
    start: str
    effect: float
    ci_low: float
    ci_high: float
    p_value: float


@dataclass(frozen=True, slots=True)
class EventStudy:
    """Effects by period relative to the pilot start (leads: pre-trend; lags: dynamics)."""

    reference: int
    periods_per_point: int
    points: tuple[EventPoint, ...]
    method: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready series for a chart: one entry per point (NaN → None)."""
        return {"reference": self.reference, "periods_per_point": self.periods_per_point,
                "method": self.method,
                "points": [{k: _json_number(v) for k, v in asdict(p).items()}
                           for p in self.points]}


@dataclass(frozen=True, slots=True)
class SyntheticPoint:
    """One period: the treated zones' mean, its synthetic control and the gap."""

    period: str
    post: bool
    treated: float
    synthetic: float
    gap: float


@dataclass(frozen=True, slots=True)
class SyntheticFit:
    """Weights per control zone, the baseline fit, the path and the placebo ratios."""

    weights: tuple[tuple[str, float], ...]
    weights_by_treated: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]
    pre_rmspe: float
    post_rmspe: float
    rmspe_ratio: float
    pre_rmspe_relative: float
    placebo_pre_rmspe_median: float
    n_placebos: int
    placebo_ratios: tuple[tuple[str, float], ...]
    path: tuple[SyntheticPoint, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: weights as {control zone: weight}, the pre-fit and the path."""
        return {
            "weights": dict(self.weights),
            "weights_by_treated_zone": {z: dict(w) for z, w in self.weights_by_treated},
            "pre_fit": {"rmspe": _json_number(self.pre_rmspe),
                        "rmspe_relative": _json_number(self.pre_rmspe_relative),
                        "placebo_rmspe_median": _json_number(self.placebo_pre_rmspe_median)},
            "post_rmspe": _json_number(self.post_rmspe),
            "rmspe_ratio": _json_number(self.rmspe_ratio),
            "n_placebos": self.n_placebos,
            "placebo_ratios": {k: _json_number(v) for k, v in self.placebo_ratios},
            "path": [{k: _json_number(v) for k, v in asdict(p).items()} for p in self.path],
        }


@dataclass(frozen=True, slots=True)
class EffectResult:
    """The estimate of one design: effect, interval, p-value, counts and warnings."""

    design: Design
    effect: float
    relative_effect: float
    ci_low: float
    ci_high: float
    relative_ci_low: float
    relative_ci_high: float
    p_value: float
    se: float
    baseline_mean: float
    method: str
    n_obs: int
    n_units: int | None = None
    n_periods: int | None = None
    n_treated: int | None = None
    n_control: int | None = None
    warnings: tuple[str, ...] = ()
    reason: str | None = None
    details: tuple[tuple[str, float], ...] = ()
    event_study: EventStudy | None = None
    synthetic: SyntheticFit | None = None

    def with_warnings(self, *codes: str) -> EffectResult:
        """Return a copy with the catalogue codes appended to `warnings` (deduplicated)."""
        return replace(self, warnings=_merge(self.warnings, codes))

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict (NaN → None) with the warning texts alongside the codes."""
        out = {k: _json_number(v) for k, v in asdict(self).items()
               if k not in ("details", "event_study", "synthetic")}
        out["warnings"] = list(self.warnings)
        out["warning_messages"] = [MESSAGES[c] for c in self.warnings]
        out["reason_message"] = MESSAGES[self.reason] if self.reason else None
        out["details"] = {k: _json_number(v) for k, v in self.details}
        if self.event_study is not None:
            out["event_study"] = self.event_study.to_dict()
        if self.synthetic is not None:
            out["synthetic_control"] = self.synthetic.to_dict()
        return out


def degenerate(
    design: Design,
    reason: str,
    *,
    method: str,
    n_obs: int,
    effect: float = NAN,
    baseline_mean: float = NAN,
    n_units: int | None = None,
    n_periods: int | None = None,
    n_treated: int | None = None,
    n_control: int | None = None,
    warnings: tuple[str, ...] = (),
) -> EffectResult:
    """Return a result for data that cannot support an estimate, carrying `reason`."""
    if reason not in MESSAGES:
        raise KeyError(f"unknown catalogue code {reason!r}")
    rel = effect / baseline_mean if baseline_mean not in (0.0,) and math.isfinite(effect) else NAN
    return EffectResult(
        design=design, effect=effect, relative_effect=rel, ci_low=NAN, ci_high=NAN,
        relative_ci_low=NAN, relative_ci_high=NAN, p_value=NAN, se=NAN,
        baseline_mean=baseline_mean, method=method, n_obs=n_obs, n_units=n_units,
        n_periods=n_periods, n_treated=n_treated, n_control=n_control,
        warnings=_merge((), warnings), reason=reason,
    )


@dataclass(frozen=True, slots=True)
class PowerResult:
    """Minimum detectable effect of a planned design, from baseline variance."""

    design: Design
    mde: float
    relative_mde: float
    se: float
    baseline_mean: float
    sd: float
    alpha: float
    power: float
    df: float
    method: str
    n_treated: int | None = None
    n_control: int | None = None
    n_pre: int | None = None
    n_post: int | None = None
    warnings: tuple[str, ...] = ()
    reason: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict (NaN → None)."""
        out = {k: _json_number(v) for k, v in asdict(self).items()}
        out["warnings"] = list(self.warnings)
        out["warning_messages"] = [MESSAGES[c] for c in self.warnings]
        out["reason_message"] = MESSAGES[self.reason] if self.reason else None
        return out


@dataclass(frozen=True, slots=True)
class QualityReport:
    """Data-quality checks of a panel; `flags` are catalogue codes."""

    flags: tuple[str, ...]
    min_unit_coverage: float
    min_period_coverage: float
    longest_gap: int
    n_outliers: int
    baseline_smd: float
    baseline_p_value: float
    pre_trend_p_value: float
    coverage_by_unit: tuple[tuple[str, float], ...] = ()
    not_checkable: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict (NaN → None)."""
        out = {k: _json_number(v) for k, v in asdict(self).items()
               if k not in ("coverage_by_unit", "not_checkable")}
        out["flags"] = list(self.flags)
        out["not_checkable"] = dict(self.not_checkable)
        out["coverage_by_unit"] = {u: c for u, c in self.coverage_by_unit}
        return out


__all__ = ["Design", "EffectResult", "EventPoint", "EventStudy", "PowerResult", "QualityReport",
           "SyntheticFit", "SyntheticPoint", "degenerate"]
