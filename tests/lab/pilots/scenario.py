"""A small territory: a commune with zones and a streetlight, an EPCI with an energy dataset,
and a startup with a prototype — the setting of the pilot tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from lab.assets import service as assets
from lab.assets.models import AssetCreate, AssetKind
from lab.auth.models import Role, User
from lab.datasets.models import Dataset, DatasetVersion, Sensitivity, VersionStatus
from lab.directory.models import Authority, AuthorityLevel
from lab.prototypes import service as prototypes
from lab.prototypes.models import PrototypeCreate
from tests.factories import make_authority, make_user, make_zone


@dataclass
class Territory:
    commune: Authority
    epci: Authority
    commune_city: User
    epci_city: User
    startup: User
    other_startup: User
    prototype_id: uuid.UUID
    asset_id: uuid.UUID
    dataset_id: uuid.UUID


def make_ready_dataset(session: Session, authority: Authority) -> Dataset:
    """A dataset with one ready version (as the upload path leaves it)."""
    dataset = Dataset(authority_id=authority.id, name="Consommation éclairage", domain="energy",
                      sensitivity=Sensitivity.restricted, licence="Licence Ouverte 2.0",
                      time_column="time", zone_column="zone")
    session.add(dataset)
    session.flush()
    session.add(DatasetVersion(
        dataset_id=dataset.id, number=1, status=VersionStatus.ready, row_count=1000,
        columns=[{"name": "time", "dtype": "Datetime", "numeric": False},
                 {"name": "zone", "dtype": "Categorical", "numeric": False},
                 {"name": "sensor_id", "dtype": "String", "numeric": False},
                 {"name": "energy_kwh", "dtype": "Float64", "numeric": True}],
        zones=["Z-T1", "Z-T2", "Z-C1"]))
    session.commit()
    return dataset


def make_territory(session: Session) -> Territory:
    commune = make_authority(session, name="Commune de Villeurbanne")
    epci = make_authority(session, name="Métropole de Lyon", level=AuthorityLevel.epci)
    for i, code in enumerate(["Z-T1", "Z-T2", "Z-C1", "Z-C2"]):
        make_zone(session, commune, code=code, lon=4.85 + i / 50)
    commune_city = make_user(session, Role.city, authority=commune)
    epci_city = make_user(session, Role.city, authority=epci)
    asset = assets.create_asset(session=session, actor=commune_city, data=AssetCreate(
        kind=AssetKind.streetlight, name="Lampadaire 1", zone_code="Z-T1",
        geometry={"type": "Point", "coordinates": [4.851, 45.751]}))
    dataset = make_ready_dataset(session, epci)
    startup, other = make_user(session, Role.startup), make_user(session, Role.startup)
    prototype = prototypes.create_prototype(session=session, actor=startup, data=PrototypeCreate(
        name="LumiAdapt", domain="lighting", readiness_level=6, contact_name="Ada",
        contact_email="ada@lumi.example"))
    return Territory(commune, epci, commune_city, epci_city, startup, other, prototype.id,
                     asset.id, dataset.id)


def protocol(t: Territory, **changes: Any) -> dict[str, Any]:
    """A valid protocol using the commune's asset and zones and the EPCI's dataset."""
    base: dict[str, Any] = {
        "hypothesis": "Adaptive dimming cuts streetlight energy use by 20% at night.",
        "design": "did",
        "asset_ids": [str(t.asset_id)],
        "treated_zones": ["Z-T1", "Z-T2"],
        "control_zones": ["Z-C1"],
        "baseline": {"start": "2026-01-01T00:00:00+01:00", "end": "2026-03-01T00:00:00+01:00"},
        "pilot": {"start": "2026-03-01T00:00:00+01:00", "end": "2026-06-01T00:00:00+02:00"},
        "kpis": [{"name": "energy_kwh", "source": {"kind": "dataset",
                                                    "dataset_id": str(t.dataset_id),
                                                    "column": "energy_kwh"},
                  "aggregation": "sum", "direction": "decrease", "minimum_effect": 0.05,
                  "success_threshold": 0.15, "primary": True},
                 {"name": "complaints", "source": {"kind": "measurement", "unit": "count"},
                  "direction": "decrease", "minimum_effect": 0.1, "success_threshold": 0.2}],
        "guardrails": [],
        "datasets": [{"dataset_id": str(t.dataset_id), "columns": ["time", "zone", "energy_kwh"],
                      "zones": ["Z-T1", "Z-T2", "Z-C1"],
                      "window": {"start": "2026-01-01T00:00:00+01:00",
                                 "end": "2026-06-01T00:00:00+02:00"}}],
        "questionnaire": {"likert": [{"id": "comfort", "text_fr": "Je me sens en sécurité.",
                                      "text_en": "I feel safe."}], "nps": True, "sus": False},
    }
    base.update(changes)
    return base


def draft_body(t: Territory, **changes: Any) -> dict[str, Any]:
    return {"prototype_id": str(t.prototype_id), "title": "Éclairage adaptatif",
            "public_summary": "Les lampadaires baissent quand la rue est vide.",
            "protocol": protocol(t, **changes)}


NOW = datetime(2026, 1, 1, tzinfo=UTC)
