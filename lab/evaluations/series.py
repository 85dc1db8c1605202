"""What the results charts draw, read from what the evaluation stored (never recomputed).

Per KPI the treated and control means per period with the pilot start; the forest plot of
every KPI's and guardrail's relative effect, interval and minimum effect of interest; the
method used and why, as catalogue codes a client words in its own language.

Series come from the stored results: `results.series[<kpi>]` or `results.kpis[<kpi>].series`
when the evaluation kept them, else `results.chart` (the primary KPI, kept by every
evaluation so far). A KPI without a stored series gets an empty list and `series_reason`.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from lab.auth.models import User
from lab.evaluations import service
from lab.evaluations.models import EvaluationStatus
from lab.exceptions import Conflict
from lab.pilots.models import ProtocolVersion
from lab.pilots.protocol import Protocol

Role = Literal["primary", "secondary", "guardrail"]
# Inference codes: how the interval and p-value were computed, and the warnings saying why.
_INFERENCE_WHY = {"few_clusters_randomization": "randomization",
                  "few_clusters_cluster_robust": "cluster_robust",
                  "no_cluster_hc1": "hc1"}


class SeriesPoint(BaseModel):
    t: datetime = Field(description="Start of the period (ISO 8601, UTC)")
    treated: float | None = Field(description="Mean over treated zones, or null if none")
    control: float | None = Field(description="Mean over control zones, or null if none")


class KpiSeries(BaseModel):
    name: str = Field(description="The KPI or guardrail")
    label: str = Field(description="Its human-readable name")
    role: Role = Field(description="primary, secondary (another registered KPI) or guardrail")
    points: list[SeriesPoint] = Field(description="Treated vs control means per period, oldest "
                                                  "first; empty when not stored")
    series_reason: str | None = Field(
        description="Why `points` is empty: `not_stored` (the evaluation kept no series for "
                    "this KPI) or `no_data` (the KPI had no data); null otherwise")
    event_study: Any = Field(
        default=None, description="Effects per period relative to the pilot start, as the "
                                  "analysis stored them (`event_study` of the KPI's result), "
                                  "or null when it did not")


class ForestRow(BaseModel):
    name: str = Field(description="The KPI or guardrail")
    label: str = Field(description="Its human-readable name")
    role: Role = Field(description="primary, secondary or guardrail")
    exploratory: bool = Field(description="Whether the evaluation departs from the "
                                          "registered plan (the result is exploratory)")
    relative_effect: float | None = Field(description="Effect relative to the baseline mean "
                                                      "(0.1 = +10%), or null")
    relative_ci_low: float | None = Field(description="Lower bound of its 95% interval")
    relative_ci_high: float | None = Field(description="Upper bound of its 95% interval")
    effect: float | None = Field(description="Effect in the KPI's unit, or null")
    ci_low: float | None = Field(description="Lower bound, in the KPI's unit")
    ci_high: float | None = Field(description="Upper bound, in the KPI's unit")
    p_value: float | None = Field(description="Unadjusted p-value, or null")
    p_adjusted: float | None = Field(description="Holm-adjusted p-value across the KPIs "
                                                 "(null for guardrails)")
    direction: str = Field(description="KPIs: the desired direction; guardrails: the harmful "
                                       "one (increase or decrease)")
    minimum_effect: float = Field(description="Minimum effect of interest (KPIs) or tolerance "
                                              "(guardrails), relative, positive")
    threshold: float = Field(description="The same, signed in `direction`: where the plot "
                                         "draws its reference line")
    reason: str | None = Field(description="Catalogue code when no estimate could be made")
    warnings: list[str] = Field(description="Catalogue codes of the data-quality warnings")


class Method(BaseModel):
    design: str | None = Field(description="Design of the primary estimate: did_panel, "
                                           "did_2x2, did_staggered, before_after, ab, ab_cuped, "
                                           "synthetic_control")
    inference: str = Field(description="How the interval was computed: randomization, "
                                       "cluster_robust, hc1, placebo (synthetic control) "
                                       "or default")
    why: list[str] = Field(description="Catalogue codes explaining the choice (e.g. "
                                       "few_clusters_randomization)")
    text: str | None = Field(description="The method in English, as the analysis wrote it")


class ReasonCode(BaseModel):
    code: str = Field(description="Catalogue code (experiments.recommend.REASON_TEXTS): "
                                  "success, below_success_threshold, not_established, "
                                  "below_minimum_effect, wrong_way, guardrail_breached, "
                                  "primary_not_estimated, no_primary_data, interim")
    kpi: str = Field(description="The KPI or guardrail it is about (empty for interim)")
    values: dict[str, float] = Field(description="Figures quoted, relative changes as "
                                                 "fractions: gain, threshold, minimum, fraction")
    detail: str = Field(default="", description="Words quoted as they are (why data is "
                                                "missing)")


class EvaluationSeries(BaseModel):
    evaluation_id: uuid.UUID = Field(description="The evaluation")
    pilot_id: uuid.UUID = Field(description="Its pilot")
    design: str = Field(description="Registered or requested design: did, before_after, ab, "
                                    "synthetic_control")
    time_grain: str = Field(description="Period of the series: hour, day or week")
    baseline_start: datetime = Field(description="Start of the baseline (ISO 8601, UTC)")
    pilot_start: datetime = Field(description="Start of the pilot period: mark it on charts")
    pilot_end: datetime = Field(description="End of the pilot period (ISO 8601, UTC)")
    exploratory: bool = Field(description="Whether the evaluation is exploratory")
    recommendation: str | None = Field(description="scale_up, iterate or stop")
    reasons: list[str] = Field(description="The criteria the recommendation came from "
                                           "(English)")
    reason_codes: list[ReasonCode] = Field(
        description="The same reasons as catalogue codes with their figures, for readers in "
                    "other languages (empty for evaluations stored before the codes)")
    quality_flags: list[str] = Field(description="Catalogue codes of data-quality flags")
    method: Method = Field(description="The primary KPI's method and why")
    series: list[KpiSeries] = Field(description="One per KPI and guardrail, primary first")
    forest: list[ForestRow] = Field(description="One per KPI and guardrail, primary first")


def _points(raw: list[dict[str, Any]]) -> list[SeriesPoint]:
    by_t: dict[str, dict[str, float | None]] = defaultdict(dict)
    for p in raw:
        by_t[p["t"]]["treated" if p.get("treated") else "control"] = p.get("y")
    return [SeriesPoint(t=datetime.fromisoformat(t), treated=v.get("treated"),
                        control=v.get("control")) for t, v in sorted(by_t.items())]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _method(result: dict[str, Any] | None) -> Method:
    if not result:
        return Method(design=None, inference="default", why=[], text=None)
    why = [c for c in result.get("warnings", []) if c in _INFERENCE_WHY]
    text = result.get("method") or ""
    inference = (_INFERENCE_WHY[why[0]] if why else
                 "cluster_robust" if "CR1" in text or "cluster-robust" in text else
                 "placebo" if "placebo-in-space" in text else "default")
    return Method(design=result.get("design"), inference=inference, why=why, text=text or None)


def evaluation_series(*, session: Session, actor: User, pilot_id: uuid.UUID,
                      evaluation_id: uuid.UUID) -> EvaluationSeries:
    """The charts' data of a finished evaluation the actor may see."""
    evaluation = service.get_evaluation(session=session, actor=actor, pilot_id=pilot_id,
                                        evaluation_id=evaluation_id)
    results = evaluation.results
    if evaluation.status != EvaluationStatus.done or not results:
        raise Conflict(f"The evaluation is {evaluation.status}; its series exist once it is "
                       "done.", field="status")
    frozen = session.exec(select(ProtocolVersion).where(
        ProtocolVersion.pilot_id == evaluation.pilot_id,
        ProtocolVersion.version == evaluation.protocol_version)).one()
    protocol = Protocol.model_validate(frozen.protocol)
    primary = results.get("primary_kpi")
    stored = results.get("series") or {}
    adjusted = {k["name"]: k.get("p_adjusted")
                for k in (results.get("multiple_testing") or {}).get("kpis", [])}
    entries = [(n, e, "primary" if n == primary else "secondary")
               for n, e in (results.get("kpis") or {}).items()]
    entries.sort(key=lambda x: x[2] != "primary")
    entries += [(n, e, "guardrail") for n, e in (results.get("guardrails") or {}).items()]
    series, forest = [], []
    for name, entry, role in entries:
        result = entry.get("result") or {}
        raw = stored.get(name) or entry.get("series") or (
            results.get("chart") if role == "primary" else None)
        why = None if raw else ("no_data" if entry.get("result") is None else "not_stored")
        label = entry.get("label") or name
        series.append(KpiSeries(name=name, label=label, role=role,  # type: ignore[arg-type]
                                points=_points(raw or []), series_reason=why,
                                event_study=entry.get("event_study")
                                or result.get("event_study")))
        criteria = entry.get("criteria") or {}
        direction = criteria.get("direction") or criteria.get("must_not") or "increase"
        mei = float(criteria.get("minimum_effect") or criteria.get("tolerance") or 0.0)
        forest.append(ForestRow(
            name=name, label=label, role=role, exploratory=evaluation.exploratory,  # type: ignore[arg-type]
            relative_effect=_number(result.get("relative_effect")),
            relative_ci_low=_number(result.get("relative_ci_low")),
            relative_ci_high=_number(result.get("relative_ci_high")),
            effect=_number(result.get("effect")), ci_low=_number(result.get("ci_low")),
            ci_high=_number(result.get("ci_high")), p_value=_number(result.get("p_value")),
            p_adjusted=_number(adjusted.get(name)), direction=direction, minimum_effect=mei,
            threshold=-mei if direction == "decrease" else mei,
            reason=result.get("reason") or ("no_data" if not result else None),
            warnings=list(result.get("warnings") or [])))
    primary_result = (results.get("kpis") or {}).get(primary, {}).get("result")
    return EvaluationSeries(
        evaluation_id=evaluation.id, pilot_id=evaluation.pilot_id,
        design=results.get("design") or protocol.design,
        time_grain=results.get("time_grain") or "day",
        baseline_start=protocol.baseline.start, pilot_start=protocol.pilot.start,
        pilot_end=protocol.pilot.end, exploratory=evaluation.exploratory,
        recommendation=evaluation.recommendation, reasons=list(results.get("reasons") or []),
        reason_codes=[ReasonCode(**r) for r in results.get("reason_codes") or []],
        quality_flags=list(results.get("quality_flags") or []),
        method=_method(primary_result), series=series, forest=forest)


__all__ = ["EvaluationSeries", "ForestRow", "KpiSeries", "Method", "SeriesPoint",
           "evaluation_series"]
