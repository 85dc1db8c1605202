"""Power preview: the minimum detectable effect of a pilot's design, before it is submitted.

The primary KPI's baseline-period data (the dataset's latest ready version, or the current
measurement files) is reduced to zone × day values with the KPI's aggregation, then the
planned design's MDE at 80% power and a 5% level comes from `experiments.power`: a panel
difference-in-differences with the pilot's treated and control zones and its baseline and
pilot lengths in days, a paired before/after on the treated zones, or a two-sample
comparison of zone means for an A/B design.
"""

from __future__ import annotations

import logging
import math
import uuid
from typing import Any

import polars as pl
from minio import Minio
from pydantic import BaseModel, Field
from sqlmodel import Session

from experiments.messages import MESSAGES
from experiments.panel import build_panel
from experiments.power import power_before_after, power_did_panel, power_two_sample
from experiments.results import PowerResult
from lab.auth.models import User
from lab.evaluations.inputs import KpiData, MissingData, dataset_kpi, measurement_kpi
from lab.pilots import service as pilots
from lab.pilots.protocol import DatasetSource, Kpi, Protocol

logger = logging.getLogger("lab.pilots.power")
ALPHA, POWER = 0.05, 0.8
# Reasons of our own, beside the analysis' catalogue (`experiments.messages`).
REASONS = {
    "no_baseline_data": "The primary KPI has no data in the baseline period yet (no ready "
                        "dataset version, or no measurement file covering it).",
    "baseline_unreadable": "The baseline data could not be read from the object store; "
                           "try again later.",
}
_DAY = 86_400


class PowerPreview(BaseModel):
    pilot_id: uuid.UUID = Field(description="The pilot")
    kpi: str = Field(description="The primary KPI the preview is for")
    design: str = Field(description="The protocol's design: did, before_after, ab or "
                                    "synthetic_control (previewed as a DiD)")
    time_grain: str = Field("day", description="Period of the planned analysis (day)")
    n_treated: int = Field(description="Treated zones in the protocol")
    n_control: int = Field(description="Control zones in the protocol")
    n_pre: int = Field(description="Baseline length, in days")
    n_post: int = Field(description="Pilot period length, in days")
    alpha: float = Field(description="Significance level (0.05)")
    power: float = Field(description="Power the MDE is computed for (0.8)")
    baseline_mean: float | None = Field(description="Mean of the KPI over the baseline data")
    mde: float | None = Field(description="Minimum detectable effect, in the KPI's unit")
    relative_mde: float | None = Field(
        description="The MDE relative to the baseline mean (0.05 = 5%), or null")
    minimum_effect: float = Field(description="The KPI's registered minimum effect of "
                                              "interest, relative")
    detectable: bool | None = Field(
        description="Whether relative_mde ≤ minimum_effect: the design can detect the effect "
                    "that matters; null when no MDE could be computed")
    method: str | None = Field(description="How the MDE was computed (English)")
    warnings: list[str] = Field(description="Catalogue codes, e.g. power_randomization")
    reason: str | None = Field(description="Code when no MDE could be computed, e.g. "
                                           "no_baseline_data, too_few_observations")
    reason_message: str | None = Field(description="The reason in English")


def _days(seconds: float) -> int:
    return max(1, math.ceil(seconds / _DAY))


def _data(session: Session, storage: Minio, pilot_id: uuid.UUID, kpi: Kpi,
          protocol: Protocol) -> KpiData:
    zones = sorted(protocol.zones())
    window: dict[str, Any] = dict(zones=zones, start=protocol.baseline.start,
                                  end=protocol.baseline.end, aggregation=kpi.aggregation,
                                  grain="day")
    if isinstance(kpi.source, DatasetSource):
        return dataset_kpi(session=session, client=storage, source=kpi.source, **window)
    return measurement_kpi(session=session, client=storage, pilot_id=pilot_id, kpi=kpi.name,
                           source=kpi.source, **window)


def _plan(frame: pl.LazyFrame, protocol: Protocol, n_pre: int, n_post: int) -> PowerResult:
    treated, control = list(protocol.treated_zones), list(protocol.control_zones)
    if protocol.design == "ab":
        means = frame.group_by("zone").agg(pl.col("y").mean()).collect()
        return power_two_sample(means["y"].to_numpy(), len(treated), max(len(control), 1),
                                alpha=ALPHA, power=POWER)
    # a synthetic control's MDE is approximated by the panel DiD's on the same zones
    with_controls = protocol.design in ("did", "synthetic_control")
    units = control if with_controls else None
    panel = build_panel(frame, unit="zone", time="t", outcome="y", treated_units=treated,
                        control_units=units if units is not None else [],
                        pilot_start=None, time_grain="day")
    if with_controls:
        return power_did_panel(panel, len(treated), len(control), n_pre, n_post, alpha=ALPHA,
                               power=POWER)
    return power_before_after(panel, len(treated), n_pre, n_post, alpha=ALPHA, power=POWER)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def preview(*, session: Session, actor: User, pilot_id: uuid.UUID,
            storage: Minio) -> PowerPreview:
    """The MDE of the pilot's current protocol for its primary KPI (whoever sees the pilot)."""
    pilot = pilots.get_pilot(session=session, actor=actor, pilot_id=pilot_id)
    protocol = Protocol.model_validate(pilot.protocol)
    kpi = next(k for k in protocol.kpis if k.primary)
    n_pre = _days((protocol.baseline.end - protocol.baseline.start).total_seconds())
    n_post = _days((protocol.pilot.end - protocol.pilot.start).total_seconds())
    common: dict[str, Any] = dict(
        pilot_id=pilot.id, kpi=kpi.name, design=protocol.design,
        n_treated=len(protocol.treated_zones), n_control=len(protocol.control_zones),
        n_pre=n_pre, n_post=n_post, alpha=ALPHA, power=POWER,
        minimum_effect=kpi.minimum_effect)
    reason = None
    try:
        data = _data(session, storage, pilot.id, kpi, protocol)
        frame = data.frame.collect()
    except MissingData:
        frame = pl.DataFrame()
    except (pl.exceptions.PolarsError, OSError):
        logger.exception("power preview of pilot %s: baseline unreadable", pilot.id)
        frame, reason = pl.DataFrame(), "baseline_unreadable"
    if frame.height == 0:
        reason = reason or "no_baseline_data"
        return PowerPreview(**common, baseline_mean=None, mde=None, relative_mde=None,
                            detectable=None, method=None, warnings=[], reason=reason,
                            reason_message=REASONS[reason])
    result = _plan(frame.lazy(), protocol, n_pre, n_post)
    relative = _finite(abs(result.relative_mde))
    return PowerPreview(
        **common, baseline_mean=_finite(result.baseline_mean), mde=_finite(result.mde),
        relative_mde=relative,
        detectable=None if relative is None else relative <= kpi.minimum_effect,
        method=result.method, warnings=list(result.warnings), reason=result.reason,
        reason_message=MESSAGES.get(result.reason) if result.reason else None)


__all__ = ["PowerPreview", "REASONS", "preview"]
