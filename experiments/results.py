"""Frozen, typed results of the designs, with a JSON-ready `to_dict()`.

Degenerate data gives a result whose `reason` is a catalogue code (see `messages.py`) and
whose numbers are NaN; `to_dict()` turns NaN and infinities into `None`/strings for JSON.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Literal

from experiments.messages import MESSAGES

Design = Literal["before_after", "did_2x2", "did_panel", "did_staggered", "ab", "ab_cuped"]

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

    def with_warnings(self, *codes: str) -> EffectResult:
        """Return a copy with the catalogue codes appended to `warnings` (deduplicated)."""
        return replace(self, warnings=_merge(self.warnings, codes))

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict (NaN → None) with the warning texts alongside the codes."""
        out = {k: _json_number(v) for k, v in asdict(self).items()
               if k not in ("details", "event_study")}
        out["warnings"] = list(self.warnings)
        out["warning_messages"] = [MESSAGES[c] for c in self.warnings]
        out["reason_message"] = MESSAGES[self.reason] if self.reason else None
        out["details"] = {k: _json_number(v) for k, v in self.details}
        if self.event_study is not None:
            out["event_study"] = self.event_study.to_dict()
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
           "degenerate"]
