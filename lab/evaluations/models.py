"""Evaluations: one run of the analysis for a pilot, with its inputs, results and reports."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from lab.common import timestamp_field


class EvaluationStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class EvaluationRequest(SQLModel):
    design: Literal["did", "before_after", "ab", "synthetic_control"] | None = Field(
        default=None, description="Another design than the registered one (exploratory)")
    kpis: list[str] | None = Field(
        default=None, description="A subset of the registered KPIs (exploratory)")
    time_grain: Literal["hour", "day", "week"] = Field(
        default="day", description="Bucket of the zone × time means")


class EvaluationPublic(SQLModel):
    id: uuid.UUID = Field(description="Unique identifier of the evaluation")
    pilot_id: uuid.UUID = Field(description="The evaluated pilot")
    number: int = Field(description="1, 2, … within the pilot")
    status: EvaluationStatus = Field(description="queued, running, done or failed")
    job_id: uuid.UUID | None = Field(
        description="The job running the analysis (GET /api/v1/jobs/{id})")
    protocol_version: int = Field(description="The registered protocol version evaluated")
    protocol_hash: str = Field(description="SHA-256 of that frozen protocol")
    exploratory: bool = Field(
        description="Whether the request departs from the registered protocol")
    interim: bool = Field(description="Whether it ran while the pilot was still running")
    departures: list[str] = Field(description="How the request departs from the protocol")
    inputs: dict[str, Any] | None = Field(
        description="Description of the data the analysis used per KPI, once computed")
    results: dict[str, Any] | None = Field(
        description="Estimates per KPI and guardrail, tests and reasons, once done")
    recommendation: str | None = Field(
        description="scale_up, iterate or stop, once done")
    error: str | None = Field(description="Why the evaluation failed, when it did")
    report_json_key: str | None = Field(
        description="Storage key of the JSON report (download via report.json), once done")
    report_html_key: str | None = Field(
        description="Storage key of the HTML report (download via report.html), once done")
    created_at: datetime = Field(description="When the evaluation was requested (ISO 8601, UTC)")
    finished_at: datetime | None = Field(
        description="When it ended (ISO 8601, UTC), or null while unfinished")


class Evaluation(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("pilot_id", "number"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    pilot_id: uuid.UUID = Field(foreign_key="pilot.id", index=True)
    number: int
    status: EvaluationStatus = Field(default=EvaluationStatus.queued, sa_type=String(16))
    job_id: uuid.UUID | None = Field(default=None, foreign_key="job.id", ondelete="SET NULL")
    protocol_version: int
    protocol_hash: str = Field(max_length=64)
    request: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    exploratory: bool = False
    interim: bool = False
    departures: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    inputs: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    results: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    recommendation: str | None = Field(default=None, max_length=16)
    error: str | None = Field(default=None, max_length=2000)
    report_json_key: str | None = Field(default=None, max_length=500)
    report_html_key: str | None = Field(default=None, max_length=500)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user.id",
                                         ondelete="SET NULL")
    created_at: datetime = timestamp_field()
    finished_at: datetime | None = timestamp_field(nullable=True)


__all__ = ["Evaluation", "EvaluationPublic", "EvaluationRequest", "EvaluationStatus"]
