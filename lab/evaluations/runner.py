"""The evaluation job: every KPI through the registered design, corrected, judged, reported."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal

import polars as pl
from sqlmodel import Session

from experiments.ab import estimate_ab
from experiments.before_after import estimate_before_after
from experiments.did import estimate_did_panel
from experiments.multiple import KpiTest, adjust_kpis
from experiments.recommend import Criterion, GuardrailCriterion, Reason, recommend
from experiments.results import EffectResult
from experiments.staggered import estimate_did_staggered
from experiments.synthetic import estimate_synthetic_control
from lab.audit import service as audit
from lab.common import utcnow
from lab.evaluations import report
from lab.evaluations.inputs import KpiData, MissingData, dataset_kpi, measurement_kpi
from lab.evaluations.models import Evaluation, EvaluationRequest, EvaluationStatus
from lab.feedback import views as feedback_views
from lab.jobs import runtime
from lab.jobs.service import JobContext, job_kind, on_abandon
from lab.objectstore import bucket_prefix
from lab.pilots.models import Pilot, PilotStatus
from lab.pilots.protocol import DatasetSource, Guardrail, Kpi, Protocol
from lab.pilots.service import registered_protocol
from lab.reports import service as problem_reports
from storage import bucket_name, delete_prefix

Grain = Literal["hour", "day", "week"]
SEED = 0  # resampling (randomization inference) is seeded: same inputs, same results


def _estimate(data: KpiData, design: str, protocol: Protocol, grain: Grain) -> EffectResult:
    treated, control = list(protocol.treated_zones), list(protocol.control_zones)
    start = protocol.pilot.start
    if design == "did" and (starts := protocol.zone_starts()) is not None:
        source = data.readings if data.aggregation == "mean" and not data.rollup else data.frame
        return estimate_did_staggered(source, unit="zone", time="t", outcome="y",
                                      starts=starts, control_units=control, time_grain=grain,
                                      seed=SEED)
    if design == "did":
        # Bucket means come straight from the readings (build_panel reduces the stored
        # layout, sorted by zone then time, without hashing); other aggregations first.
        source = data.readings if data.aggregation == "mean" and not data.rollup else data.frame
        return estimate_did_panel(source, unit="zone", time="t", outcome="y",
                                  treated_units=treated, control_units=control,
                                  pilot_start=start, time_grain=grain, seed=SEED,
                                  with_event_study=True)
    if design == "synthetic_control":
        source = data.readings if data.aggregation == "mean" and not data.rollup else data.frame
        return estimate_synthetic_control(source, unit="zone", time="t", outcome="y",
                                          treated_units=treated, control_units=control,
                                          pilot_start=start, time_grain=grain, seed=SEED)
    if design == "before_after":
        return estimate_before_after(data.frame.filter(pl.col("zone").is_in(treated)),
                                     outcome="y", time="t", pilot_start=start, unit="zone")
    frame = data.frame.with_columns(pl.col("zone").is_in(treated).alias("g"))
    return estimate_ab(frame, outcome="y", group="g", unit="zone", time="t", pilot_start=start)


def _without_gap(data: KpiData, protocol: Protocol) -> tuple[KpiData, int]:
    """Drop the readings between the baseline end and the pilot start (installation weeks
    belong to neither period); return the data and how many readings were left out."""
    gap_start, gap_end = protocol.baseline.end, protocol.pilot.start
    if gap_end <= gap_start:
        return data, 0
    in_gap = (pl.col("t") >= pl.lit(gap_start)) & (pl.col("t") < pl.lit(gap_end))
    left_out = int(data.readings.filter(in_gap).select(pl.len()).collect().item())
    if left_out == 0:
        return data, 0
    return replace(data, readings=data.readings.filter(~in_gap)), left_out


def interim_fraction(protocol: Protocol, now: datetime) -> float:
    """Share of the pilot period elapsed at `now` (0 to 1)."""
    pilot = protocol.pilot
    done = (min(max(now, pilot.start), pilot.end) - pilot.start) / (pilot.end - pilot.start)
    return float(done)


def _series(data: KpiData, treated: list[str]) -> list[dict[str, Any]]:
    """Daily means of treated and control zones, for the report's chart."""
    rows = (data.frame.with_columns(pl.col("zone").is_in(treated).alias("treated"))
            .group_by("t", "treated").agg(pl.col("y").mean()).sort("t", "treated").collect())
    return [{"t": r["t"].isoformat(), "treated": r["treated"], "y": r["y"]}
            for r in rows.iter_rows(named=True)]


def _load(session: Session, ctx: JobContext) -> tuple[Evaluation, Pilot]:
    evaluation = session.get(Evaluation, uuid.UUID(ctx.params["evaluation_id"]))
    if evaluation is None:
        raise RuntimeError("the evaluation was deleted before it ran")
    pilot = session.get(Pilot, evaluation.pilot_id)
    assert pilot is not None
    return evaluation, pilot


def _kpi_data(session: Session, ctx: JobContext, pilot: Pilot, kpi: Kpi | Guardrail,
              protocol: Protocol, grain: Grain) -> KpiData:
    zones = sorted(protocol.zones())
    start, end = protocol.baseline.start, protocol.pilot.end
    if isinstance(kpi.source, DatasetSource):
        return dataset_kpi(session=session, client=ctx.storage, source=kpi.source, zones=zones,
                           start=start, end=end, aggregation=kpi.aggregation, grain=grain)
    return measurement_kpi(session=session, client=ctx.storage, pilot_id=pilot.id, kpi=kpi.name,
                           source=kpi.source, zones=zones, start=start, end=end,
                           aggregation=kpi.aggregation, grain=grain)


def evaluate(session: Session, ctx: JobContext, evaluation: Evaluation,
             pilot: Pilot) -> dict[str, Any]:
    """Compute every KPI and guardrail; return the results document."""
    _frozen, protocol = registered_protocol(session=session, pilot=pilot)
    request = EvaluationRequest.model_validate(evaluation.request)
    design, grain = request.design or protocol.design, request.time_grain
    kpis = [k for k in protocol.kpis if request.kpis is None or k.name in request.kpis]
    items: list[Kpi | Guardrail] = [*kpis, *protocol.guardrails]
    estimates: dict[str, EffectResult | None] = {}
    inputs: dict[str, Any] = {"protocol_hash": evaluation.protocol_hash, "kpis": {}}
    missing: dict[str, str] = {}
    chart: list[dict[str, Any]] = []
    events: dict[str, Any] | None = None
    synthetic: dict[str, Any] | None = None
    gap: dict[str, Any] = {"start": protocol.baseline.end.isoformat(),
                           "end": protocol.pilot.start.isoformat(), "readings_left_out": {}}
    for i, kpi in enumerate(items):
        ctx.progress(0.05 + 0.8 * i / len(items), f"estimating {kpi.name}")
        try:
            data = _kpi_data(session, ctx, pilot, kpi, protocol, grain)
        except MissingData as exc:
            estimates[kpi.name], missing[kpi.name] = None, str(exc)
            continue
        inputs["kpis"][kpi.name] = data.inputs
        data, left_out = _without_gap(data, protocol)
        gap["readings_left_out"][kpi.name] = left_out
        estimates[kpi.name] = _estimate(data, design, protocol, grain)
        if isinstance(kpi, Kpi) and kpi.primary:
            chart = _series(data, list(protocol.treated_zones))
            study = estimates[kpi.name].event_study  # type: ignore[union-attr]
            events = study.to_dict() if study is not None else None
            fit = estimates[kpi.name].synthetic  # type: ignore[union-attr]
            synthetic = fit.to_dict() if fit is not None else None
    tests = [KpiTest(k.name, _p(estimates[k.name]), k.primary) for k in kpis]
    family = adjust_kpis(tests, method="holm")
    primary = next(k for k in protocol.kpis if k.primary)
    guardrails = tuple((r, GuardrailCriterion(g.name, g.must_not, g.tolerance))
                       for g in protocol.guardrails if (r := estimates.get(g.name)) is not None)
    fraction = interim_fraction(protocol, utcnow()) if evaluation.interim else None
    verdict = (recommend(estimates[primary.name],  # type: ignore[arg-type]
                         Criterion(primary.name, primary.direction, primary.minimum_effect,
                                   primary.success_threshold), guardrails,
                         interim_fraction=fraction)
               if estimates.get(primary.name) is not None else None)
    why = verdict.why if verdict else (
        Reason("no_primary_data", primary.name, detail=str(missing.get(primary.name))),)
    return _rounded({
        "design": design,
        "time_grain": grain,
        "kpis": {k.name: _kpi_entry(k, estimates[k.name], missing) for k in kpis},
        "guardrails": {g.name: _kpi_entry(g, estimates[g.name], missing)
                       for g in protocol.guardrails},
        "multiple_testing": family.to_dict(),
        "primary_kpi": primary.name,
        "recommendation": verdict.recommendation if verdict else "iterate",
        # English sentences, and the same as codes with their figures for other languages
        "reasons": [r.text for r in why],
        "reason_codes": [r.to_dict() for r in why],
        "interim": None if fraction is None else {"fraction_observed": fraction},
        # Readings between the baseline end and the pilot start are in neither period.
        "gap": {**gap, "reason": "between the baseline end and the pilot start (installation):"
                " counted in neither period"},
        "quality_flags": sorted({w for r in estimates.values() if r for w in r.warnings}),
        "chart": chart,
        # the primary KPI's effects by period relative to the start (also in its result)
        "event_study": events,
        # the primary KPI's synthetic control: weights per control zone, baseline fit, path
        "synthetic_control": synthetic,
        "inputs": inputs,
        # The report is read by the startup too: feedback goes through disclosure control.
        "feedback": feedback_views.summarize(session=session, pilot=pilot, view="disclosed"),
        # Problem reports on the pilot's assets count as incidents.
        "incidents": problem_reports.incidents(session=session, pilot_id=pilot.id),
    })


SIGNIFICANT = 10


def _rounded(value: Any) -> Any:
    """Floats to 10 significant digits: parallel aggregation may change the last bits of a
    sum, and reported results must not depend on thread scheduling."""
    if isinstance(value, float):
        return float(f"{value:.{SIGNIFICANT}g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def _p(result: EffectResult | None) -> float | None:
    return None if result is None or result.reason is not None else result.p_value


def _kpi_entry(kpi: Kpi | Guardrail, result: EffectResult | None,
               missing: dict[str, str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"label": kpi.label or kpi.name, "aggregation": kpi.aggregation,
                             "criteria": kpi.model_dump(exclude={"source", "label", "name"})}
    if result is None:
        entry.update(result=None, missing=missing.get(kpi.name))
    else:
        entry["result"] = result.to_dict()
    return entry


@job_kind("evaluation")
def run_evaluation(ctx: JobContext) -> dict[str, Any]:
    """Run one evaluation; results and reports are stored, or the error is recorded.

    Safe to run again after a worker was killed mid-way: the reports have fixed keys per
    evaluation (overwritten, never added), and the results, the report keys, `done` and the
    pilot's move to `evaluated` are written in one final transaction, so a killed attempt
    leaves the evaluation `running` with nothing half-recorded. A retry of an evaluation
    already `done` (its worker died after that commit) returns what was recorded.
    """
    with Session(runtime.get_engine()) as session:
        evaluation, pilot = _load(session, ctx)
        if evaluation.status == EvaluationStatus.done:
            return {"evaluation_id": str(evaluation.id),
                    "recommendation": evaluation.recommendation}
        evaluation.status = EvaluationStatus.running
        session.add(evaluation)
        session.commit()
        try:
            results = evaluate(session, ctx, evaluation, pilot)
            ctx.progress(0.9, "writing the reports")
            keys = report.store(ctx.storage, pilot=pilot, evaluation=evaluation,
                                results=results)
            error = None
        except Exception as exc:  # noqa: BLE001 - recorded on the evaluation, then re-raised
            error = exc
        # A late attempt whose job was taken over stops here (LeaseLost), recording nothing.
        ctx.ensure_lease()
        # End the reading transaction: progress was written meanwhile by other connections,
        # and SQLite refuses to upgrade a stale snapshot to a write.
        session.rollback()
        evaluation, pilot = _load(session, ctx)
        evaluation.finished_at = utcnow()
        if error is not None:
            evaluation.status, evaluation.error = EvaluationStatus.failed, str(error)[:2000]
            session.add(evaluation)
            session.commit()
            raise error
        evaluation.results, evaluation.inputs = results, results["inputs"]
        evaluation.recommendation = results["recommendation"]
        evaluation.report_json_key, evaluation.report_html_key = keys
        evaluation.status = EvaluationStatus.done
        session.add(evaluation)
        if pilot.status == PilotStatus.completed and not evaluation.exploratory:
            pilot.status = PilotStatus.evaluated
            session.add(pilot)
            audit.record(session=session, actor=None, action="pilot.evaluated",
                         object_type="pilot", object_id=pilot.id,
                         before={"status": "completed"},
                         after={"status": "evaluated", "evaluation_id": evaluation.id,
                                "recommendation": evaluation.recommendation})
        session.commit()
        return {"evaluation_id": str(evaluation.id), "recommendation": results["recommendation"]}


@on_abandon("evaluation")
def abandon_evaluation(params: dict[str, Any], reason: str) -> None:
    """An evaluation given up after its workers were lost: failed, and no report left."""
    with Session(runtime.get_engine()) as session:
        evaluation = session.get(Evaluation, uuid.UUID(params["evaluation_id"]))
        if evaluation is None or evaluation.status == EvaluationStatus.done:
            return
        client = runtime.get_storage()
        if client is not None:
            delete_prefix(client, bucket_name("reports", bucket_prefix()),
                          report.prefix(evaluation.pilot_id, evaluation.id))
        evaluation.status, evaluation.error = EvaluationStatus.failed, reason[:2000]
        evaluation.finished_at = utcnow()
        session.add(evaluation)
        session.commit()


__all__ = ["abandon_evaluation", "evaluate", "run_evaluation"]
