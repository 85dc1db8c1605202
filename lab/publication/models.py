"""The city's hold on a pilot's publication, and what the public reads of its results."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from lab.common import timestamp_field


class PublicationHold(SQLModel, table=True):
    """Whether a city holds an evaluated pilot's results back, and why (one row per pilot)."""

    __tablename__ = "publication_hold"

    pilot_id: uuid.UUID = Field(foreign_key="pilot.id", primary_key=True)
    held: bool = False
    reason: str = Field(default="", max_length=2000)
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                         ondelete="SET NULL")
    updated_at: datetime = timestamp_field()


class HoldBody(SQLModel):
    hold: bool = Field(description="true holds the results back; false releases them")
    reason: str = Field(default="", max_length=2000,
                        description="Why (required to hold; kept in the audit log)")


class PublicationStatus(SQLModel):
    pilot_id: uuid.UUID = Field(description="The pilot")
    held: bool = Field(description="Whether the city holds the results back")
    reason: str = Field(description="The city's reason for the hold, empty if none")
    published: bool = Field(description="Whether the results are public now (evaluated, "
                                        "not held)")
    updated_at: datetime | None = Field(description="When the hold last changed, or null")


class ProtocolDates(BaseModel):
    version: int = Field(description="The registered protocol version evaluated")
    sha256: str = Field(description="SHA-256 of that frozen protocol")
    registered_at: datetime | None = Field(description="When it was frozen (ISO 8601, UTC)")
    design: str = Field(description="did, before_after or ab")
    baseline_start: datetime = Field(description="Start of the baseline period")
    baseline_end: datetime = Field(description="End of the baseline period (exclusive)")
    pilot_start: datetime = Field(description="Start of the pilot period")
    pilot_end: datetime = Field(description="End of the pilot period (exclusive)")


class PrimaryEffect(BaseModel):
    kpi: str = Field(description="Name of the primary KPI")
    label: str = Field(description="Readable label of the primary KPI")
    direction: str | None = Field(description="The desired direction: increase or decrease")
    effect: float | None = Field(description="Estimated effect, in the KPI's unit")
    ci_low: float | None = Field(description="Lower bound of the 95% confidence interval")
    ci_high: float | None = Field(description="Upper bound of the 95% confidence interval")
    relative_effect: float | None = Field(description="Effect relative to the baseline mean")
    relative_ci_low: float | None = Field(description="Lower bound, relative")
    relative_ci_high: float | None = Field(description="Upper bound, relative")
    p_value: float | None = Field(description="p-value of the test of no effect")
    method: str | None = Field(description="Estimator used")
    reason: str | None = Field(description="Why there is no estimate, when there is none")


class PublicResult(BaseModel):
    pilot_id: uuid.UUID = Field(description="The evaluated pilot")
    title: str = Field(description="Title of the pilot")
    organization: str = Field(description="The organization that ran it")
    domain: str = Field(description="Domain of its prototype (mobility, energy…)")
    hypothesis: str = Field(description="The registered hypothesis")
    protocol: ProtocolDates = Field(description="The registered protocol: hash and dates")
    evaluation_number: int = Field(description="Which evaluation of the pilot is published")
    evaluated_at: datetime | None = Field(description="When it finished (ISO 8601, UTC)")
    primary: PrimaryEffect = Field(description="The primary KPI's effect and interval")
    summary_en: str = Field(description="The primary effect in plain words, in English")
    summary_fr: str = Field(description="The primary effect in plain words, in French")
    recommendation: str = Field(description="scale_up, iterate or stop")
    recommendation_en: str = Field(description="The recommendation in English")
    recommendation_fr: str = Field(description="The recommendation in French")
    respondents: dict[str, Any] = Field(
        description="Testers who answered, as {value, reason}: a multiple of 5 above 7, or "
                    "null with the reason it is withheld")
    nps: dict[str, Any] | None = Field(description="Overall NPS as {value, reason}, or null "
                                                   "when not asked")
    sus: dict[str, Any] | None = Field(description="Overall SUS mean as {value, reason}, or "
                                                   "null when not asked")


class PublicResultDetail(PublicResult):
    feedback: dict[str, Any] = Field(
        description="The feedback summary as a startup sees it (disclosure-controlled), "
                    "without free-text answers")


__all__ = ["HoldBody", "PrimaryEffect", "ProtocolDates", "PublicResult", "PublicResultDetail",
           "PublicationHold", "PublicationStatus"]
