"""The pilot protocol: what a startup commits to before the data is seen.

Structural rules (ordered periods, disjoint zones, unique KPI names, one primary KPI, scopes
inside the pilot) are checked here, without the database; rules that need the catalog
(known zones, assets, datasets and numeric columns) are checked in `lab.pilots.service`.
The frozen form is canonical JSON, hashed with SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lab.exceptions import Problems

SLUG = r"^[a-z][a-z0-9_]{0,62}$"
ZONE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Strict):
    start: datetime = Field(description="Inclusive start (ISO 8601 with a time zone)")
    end: datetime = Field(description="Exclusive end (ISO 8601 with a time zone)")

    @field_validator("start", "end")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC) if value.tzinfo is not None else value

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("dates must carry a time zone (e.g. 2026-05-01T00:00:00+02:00)")
        if self.end <= self.start:
            raise ValueError("the period ends before it starts")
        return self

    def contains(self, other: Period) -> bool:
        """Whether `other` lies within this period."""
        return self.start <= other.start and other.end <= self.end


class DatasetSource(_Strict):
    kind: Literal["dataset"] = Field(
        default="dataset", description="Always `dataset`: values come from a catalog dataset")
    dataset_id: uuid.UUID = Field(description="The catalog dataset the KPI is computed from")
    column: str = Field(min_length=1, max_length=63, description="A numeric column")


class MeasurementSource(_Strict):
    kind: Literal["measurement"] = Field(
        default="measurement",
        description="Always `measurement`: the startup uploads the KPI values itself")
    unit: str = Field(min_length=1, max_length=32, description="Unit of the uploaded values")


Source = Annotated[DatasetSource | MeasurementSource, Field(discriminator="kind")]


class Kpi(_Strict):
    name: str = Field(pattern=SLUG, description="Short identifier, e.g. `energy_kwh`")
    label: str = Field(default="", max_length=200,
                       description="Human-readable name shown in reports")
    source: Source = Field(description="Where the values come from: a dataset or measurements")
    aggregation: Literal["mean", "sum", "median", "p95"] = Field(
        default="mean", description="How values are combined per zone and time bucket")
    direction: Literal["increase", "decrease"] = Field(description="The desired direction")
    minimum_effect: float = Field(gt=0, le=10,
                                  description="Smallest relative change that matters (0.05 = 5%)")
    success_threshold: float = Field(gt=0, le=10,
                                     description="Relative change that counts as success")
    primary: bool = Field(
        default=False, description="Whether this is the one KPI that decides the recommendation")


class Guardrail(_Strict):
    name: str = Field(pattern=SLUG, description="Short identifier, e.g. `complaints`")
    label: str = Field(default="", max_length=200,
                       description="Human-readable name shown in reports")
    source: Source = Field(description="Where the values come from: a dataset or measurements")
    aggregation: Literal["mean", "sum", "median", "p95"] = Field(
        default="mean", description="How values are combined per zone and time bucket")
    must_not: Literal["increase", "decrease"] = Field(description="The harmful direction")
    tolerance: float = Field(ge=0, le=10, description="Relative change tolerated (0.02 = 2%)")


class DatasetRequest(_Strict):
    dataset_id: uuid.UUID = Field(description="The catalog dataset the startup asks to access")
    columns: list[Annotated[str, Field(min_length=1, max_length=63)]] = Field(
        min_length=1, description="Columns requested; others are never shared")
    zones: list[Annotated[str, Field(pattern=ZONE)]] = Field(
        min_length=1, description="Zone codes requested, among the pilot's own zones")
    window: Period = Field(description="Time window requested, within baseline start and pilot end")
    purpose: str = Field(default="", max_length=1000,
                         description="Why the startup needs this data, for the city team")


class LikertItem(_Strict):
    id: str = Field(pattern=SLUG, description="Short identifier of the statement")
    text_fr: str = Field(min_length=1, max_length=500,
                         description="Statement shown to testers, in French")
    text_en: str = Field(min_length=1, max_length=500,
                         description="Statement shown to testers, in English")


class FreeTextQuestion(_Strict):
    id: str = Field(pattern=SLUG, description="Short identifier of the question")
    text_fr: str = Field(min_length=1, max_length=500,
                         description="Question shown to testers, in French")
    text_en: str = Field(min_length=1, max_length=500,
                         description="Question shown to testers, in English")


class Questionnaire(_Strict):
    likert: list[LikertItem] = Field(default_factory=list, max_length=30,
                                     description="Agree/disagree statements, answered 1 to 5")
    nps: bool = Field(default=False,
                      description="Whether to ask the Net Promoter Score question (0 to 10)")
    sus: bool = Field(default=False,
                      description="Whether to ask the 10 System Usability Scale questions")
    free_text: list[FreeTextQuestion] = Field(default_factory=list, max_length=10,
                                              description="Open questions answered in free text")

    @model_validator(mode="after")
    def _unique_ids(self) -> Questionnaire:
        ids = [q.id for q in self.likert] + [q.id for q in self.free_text]
        if len(ids) != len(set(ids)):
            raise ValueError("question ids must be unique")
        return self


class ProtocolDraft(_Strict):
    """The protocol's fields, each valid on its own; the rules across fields are `problems()`.

    Request bodies carry a draft so that the service reports the broken rules and the
    unknown catalog references in one 422; a stored protocol is always a `Protocol`.
    """

    hypothesis: str = Field(min_length=10, max_length=5000,
                            description="What the startup expects to change, and why")
    design: Literal["did", "before_after", "ab", "synthetic_control"] = Field(
        default="did",
        description="Evaluation design the startup registers: `did` (difference-in-"
                    "differences; staggered starts with `treated_starts`), `before_after`, "
                    "`ab`, or `synthetic_control` (one or two treated zones: a weighted "
                    "average of control zones fitted on the baseline, placebo inference)")
    asset_ids: list[uuid.UUID] = Field(default_factory=list, max_length=10_000,
                                       description="City assets the pilot uses")
    treated_zones: list[Annotated[str, Field(pattern=ZONE)]] = Field(
        min_length=1, description="Codes of the zones where the prototype is deployed")
    control_zones: list[Annotated[str, Field(pattern=ZONE)]] = Field(
        default_factory=list, description="Codes of comparable zones left untreated")
    treated_starts: dict[Annotated[str, Field(pattern=ZONE)], datetime] | None = Field(
        default=None,
        description="Staggered roll-out: each listed treated zone's own start (ISO 8601 with a "
                    "time zone, within the pilot period); unlisted treated zones start at the "
                    "pilot start. Evaluated by the imputation estimator")
    baseline: Period = Field(description="Period before the pilot, used as the reference")
    pilot: Period = Field(description="Period during which the prototype runs in the field")
    kpis: list[Kpi] = Field(min_length=1, max_length=20,
                            description="Indicators the pilot should improve; exactly one primary")
    guardrails: list[Guardrail] = Field(default_factory=list, max_length=20,
                                        description="Indicators that must not get worse")
    datasets: list[DatasetRequest] = Field(default_factory=list, max_length=20,
                                           description="Catalog data the startup asks to access")
    questionnaire: Questionnaire = Field(default_factory=Questionnaire,
                                         description="Questions put to citizen testers")

    @field_validator("treated_starts")
    @classmethod
    def _starts_utc(cls, value: dict[str, datetime] | None) -> dict[str, datetime] | None:
        if value is None:
            return None
        return {z: t.astimezone(UTC) if t.tzinfo is not None else t for z, t in value.items()}

    def problems(self) -> list[tuple[str, str]]:
        """Every cross-field rule broken, as (field path, message): all of them at once."""
        found: list[tuple[str, str]] = []
        treated, control = set(self.treated_zones), set(self.control_zones)
        if overlap := treated & control:
            found.append(("control_zones", "treated_zones and control_zones overlap: "
                                           f"{sorted(overlap)}"))
        if self.design == "did" and not control:
            found.append(("control_zones", "a difference-in-differences needs control zones"))
        if self.design == "synthetic_control":
            found += synthetic_problems(len(treated), len(control), bool(self.treated_starts))
        for zone, start in (self.treated_starts or {}).items():
            if zone not in treated:
                found.append((f"treated_starts.{zone}", f"{zone} is not a treated zone"))
            elif start.tzinfo is None:
                found.append((f"treated_starts.{zone}", "dates must carry a time zone"))
            elif not self.pilot.start <= start < self.pilot.end:
                found.append((f"treated_starts.{zone}",
                              f"{zone} must start within the pilot period"))
        if self.baseline.end > self.pilot.start:
            found.append(("baseline", "the baseline must end before the pilot period starts"))
        seen: set[str] = set()
        named = [("kpis", i, k.name) for i, k in enumerate(self.kpis)]
        named += [("guardrails", i, g.name) for i, g in enumerate(self.guardrails)]
        for group, i, name in named:
            if name in seen:
                found.append((f"{group}[{i}].name", "KPI and guardrail names must be unique "
                                                    f"({name!r} is repeated)"))
            seen.add(name)
        if sum(k.primary for k in self.kpis) != 1:
            found.append(("kpis", "exactly one KPI must be marked primary"))
        for i, k in enumerate(self.kpis):
            if k.success_threshold < k.minimum_effect:
                found.append((f"kpis[{i}].success_threshold",
                              f"{k.name}: success_threshold is below minimum_effect"))
        span = Period(start=self.baseline.start, end=self.pilot.end)
        for i, request in enumerate(self.datasets):
            if outside := set(request.zones) - treated - control:
                found.append((f"datasets[{i}].zones",
                              f"not zones of the pilot: {sorted(outside)}"))
            if not span.contains(request.window):
                found.append((f"datasets[{i}].window", "must lie within the baseline start "
                                                       "and the pilot end"))
        return found

    def zone_starts(self) -> dict[str, datetime] | None:
        """Each treated zone's start when the roll-out is staggered (else None)."""
        if not self.treated_starts:
            return None
        return {z: self.treated_starts.get(z, self.pilot.start) for z in self.treated_zones}

    def zones(self) -> set[str]:
        """Treated and control zone codes."""
        return set(self.treated_zones) | set(self.control_zones)

    def dataset_ids(self) -> set[uuid.UUID]:
        """Datasets the pilot requests or measures KPIs on."""
        ids = {r.dataset_id for r in self.datasets}
        sources = [k.source for k in self.kpis] + [g.source for g in self.guardrails]
        ids |= {s.dataset_id for s in sources if isinstance(s, DatasetSource)}
        return ids


SYNTHETIC_MAX_TREATED = 2


def synthetic_problems(n_treated: int, n_control: int,
                        staggered: bool) -> list[tuple[str, str]]:
    """The synthetic control's rules: one or two treated zones, at least two controls."""
    found = []
    if n_treated > SYNTHETIC_MAX_TREATED:
        found.append(("treated_zones", f"a synthetic control is built for one or two treated "
                                       f"zones, not {n_treated}: use the difference-in-"
                                       "differences design (did) for more"))
    if n_control < max(2, n_treated + 1):
        found.append(("control_zones", "a synthetic control needs at least two control zones, "
                                       "three with two treated zones (it weights them; about "
                                       "19 for one treated zone, 7 for two, before its test "
                                       "can reach the 5% level)"))
    if staggered:
        found.append(("treated_starts", "staggered starts are evaluated with the "
                                        "difference-in-differences design (did)"))
    return found


class Protocol(ProtocolDraft):
    """A protocol that keeps every rule across its fields."""

    @model_validator(mode="after")
    def _rules(self) -> Protocol:
        if found := self.problems():
            raise Problems(found)
        return self


def canonical_json(protocol: Protocol) -> str:
    """The protocol as canonical JSON: sorted keys, no spaces, UTC instants."""
    data = protocol.model_dump(mode="json")
    if data.get("treated_starts") is None:  # absent: hashes of earlier protocols unchanged
        data.pop("treated_starts", None)
    return json.dumps(data, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False)


def protocol_hash(protocol: Protocol) -> str:
    """SHA-256 of the canonical JSON."""
    return hashlib.sha256(canonical_json(protocol).encode()).hexdigest()


__all__ = [
    "DatasetRequest",
    "DatasetSource",
    "FreeTextQuestion",
    "Guardrail",
    "Kpi",
    "LikertItem",
    "MeasurementSource",
    "Period",
    "Protocol",
    "ProtocolDraft",
    "Questionnaire",
    "canonical_json",
    "protocol_hash",
    "synthetic_problems",
]
