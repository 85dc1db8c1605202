"""Demo data for `make run`: a small territory, a dataset, and pilots in several states.

Everything goes through the services (rules, audit, the real upload and conversion path).
It runs once, on an empty database, in development; accounts are written to
`LAB_HOME/demo-accounts.txt` (mode 0600).
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from minio import Minio
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from lab.assets import service as assets
from lab.assets.models import AssetCreate, AssetKind
from lab.auth import service as auth
from lab.auth.models import Role, User, UserCreate
from lab.datasets import service as datasets
from lab.datasets import versions
from lab.datasets.models import DatasetCreate, DatasetVersion, Sensitivity
from lab.datasets.upload import ReceivedFile
from lab.directory import service as directory
from lab.directory.models import Authority, AuthorityCreate, AuthorityLevel, OrganizationCreate
from lab.jobs import runtime
from lab.jobs.queue import huey
from lab.pilots import lifecycle
from lab.pilots import service as pilots
from lab.pilots.models import Decision, PilotCreate
from lab.pilots.protocol import Protocol
from lab.prototypes import service as prototypes
from lab.prototypes.models import PrototypeCreate
from lab.zones import service as zones
from lab.zones.models import ZoneCreate

TREATED = [f"VLB-{i:02d}" for i in range(1, 7)]
CONTROL = [f"VLB-{i:02d}" for i in range(7, 13)]
PLANTED_EFFECT = -0.18


def _periods(today: datetime) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
    """Eight weeks of baseline, then a pilot that started five weeks ago and runs four more:
    the demo pilot is always running, its grant active, its data up to today."""
    monday = (today - timedelta(days=today.weekday())).replace(hour=0, minute=0, second=0,
                                                                 microsecond=0)
    start = monday - timedelta(weeks=5)
    return (start - timedelta(weeks=8), start), (start, monday + timedelta(weeks=4))


BASELINE, PILOT = _periods(datetime.now(UTC))


@contextmanager
def _inline_jobs(engine: Engine, client: Minio) -> Iterator[None]:
    previous = huey.immediate
    huey.immediate = True
    runtime.set_engine(engine)
    runtime.set_storage(client)
    try:
        yield
    finally:
        huey.immediate = previous


def _square(lon: float, lat: float, size: float = 0.006) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size],
            [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _readings_csv(path: Path) -> None:
    """Hourly streetlight energy per zone; treated zones use less during the pilot."""
    rng = random.Random(2026)
    levels = {z: rng.uniform(40, 60) for z in TREATED + CONTROL}
    # Readings exist up to the last full hour: the pilot is still running.
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start, hours = BASELINE[0], int((min(PILOT[1], now) - BASELINE[0]) / timedelta(hours=1))
    with path.open("w") as out:
        out.write("time,zone,energy_kwh,lamps_on\n")
        for zone in TREATED + CONTROL:
            for h in range(hours):
                t = start + timedelta(hours=h)
                night = 1.0 if t.hour >= 19 or t.hour < 7 else 0.1
                season = 1.0 + 0.25 * math.cos(2 * math.pi * (h / 24) / 365)
                value = levels[zone] * night * season * rng.gauss(1.0, 0.05)
                if zone in TREATED and t >= PILOT[0]:
                    value *= 1 + PLANTED_EFFECT
                out.write(f"{t.isoformat()},{zone},{value:.3f},{int(night > 0.5) * 40}\n")


def _user(session: Session, email: str, role: Role, password: str, **ids: Any) -> User:
    return auth.create_user(session=session, actor=None, data=UserCreate(
        email=email, role=role, password=password, full_name=email.split("@")[0].title(),
        **ids))


def seed(*, engine: Engine, client: Minio, home: Path) -> Path | None:
    """Fill an empty database with the demo territory; None when it already holds data."""
    with Session(engine) as session:
        if session.exec(select(Authority)).first() is not None:
            return None
    password = secrets.token_urlsafe(9)
    with _inline_jobs(engine, client), Session(engine, expire_on_commit=False) as session:
        commune = directory.create_authority(session=session, actor=None, data=AuthorityCreate(
            name="Commune de Villeurbanne", level=AuthorityLevel.commune, code="69266"))
        metropole = directory.create_authority(session=session, actor=None,
                                               data=AuthorityCreate(
            name="Métropole de Lyon", level=AuthorityLevel.epci, code="200046977"))
        org = directory.create_organization(session=session, actor=None,
                                            data=OrganizationCreate(name="LumiAdapt"))
        accounts = {
            "city@villeurbanne.example": _user(session, "city@villeurbanne.example", Role.city,
                                               password, authority_id=commune.id),
            "city@grandlyon.example": _user(session, "city@grandlyon.example", Role.city,
                                            password, authority_id=metropole.id),
            "mediator@villeurbanne.example": _user(session, "mediator@villeurbanne.example",
                                                   Role.mediator, password,
                                                   authority_id=commune.id),
            "team@lumiadapt.example": _user(session, "team@lumiadapt.example", Role.startup,
                                            password, organization_id=org.id),
            "citizen@terrain.example": _user(session, "citizen@terrain.example", Role.citizen,
                                             password),
        }
        commune_city, metro_city = (accounts["city@villeurbanne.example"],
                                    accounts["city@grandlyon.example"])
        startup = accounts["team@lumiadapt.example"]
        lights = []
        for i, code in enumerate(TREATED + CONTROL):
            lon, lat = 4.86 + (i % 4) * 0.007, 45.76 + (i // 4) * 0.007
            zones.create_zone(session=session, actor=commune_city, data=ZoneCreate(
                code=code, name=f"Quartier {code[-2:]}", geometry=_square(lon, lat)))
            for j in range(2):
                light = assets.create_asset(session=session, actor=commune_city, data=AssetCreate(
                    kind=AssetKind.streetlight, name=f"Lampadaire {code}-{j + 1}",
                    zone_code=code, attributes={"power_w": 70},
                    geometry={"type": "Point", "coordinates": [lon + 0.002 * (j + 1),
                                                               lat + 0.003]}))
                if code in TREATED:
                    lights.append(str(light.id))
        dataset = datasets.create_dataset(session=session, actor=metro_city, data=DatasetCreate(
            name="Consommation de l'éclairage public", domain="energy",
            sensitivity=Sensitivity.restricted, licence="Licence Ouverte 2.0",
            description="Énergie horaire par quartier (kWh)", time_column="time",
            zone_column="zone"))
        work = home / "work"
        work.mkdir(parents=True, exist_ok=True)
        csv = work / "demo-eclairage.csv"
        _readings_csv(csv)
        versions.start_upload(session=session, actor=metro_city, dataset=dataset,
                              upload=ReceivedFile(csv, csv.name, csv.stat().st_size),
                              client=client, work_dir=work)
        csv.unlink(missing_ok=True)
        session.commit()
        ready = datasets.latest_ready_version(session=session, dataset_id=dataset.id)
        if not isinstance(ready, DatasetVersion):
            raise RuntimeError("the demo dataset did not convert")
        proto = prototypes.create_prototype(session=session, actor=startup, data=PrototypeCreate(
            name="LumiAdapt", domain="lighting", readiness_level=7, contact_name="Équipe",
            contact_email="team@lumiadapt.example",
            description="Gradation de l'éclairage selon la présence."))
        running = pilots.create_pilot(session=session, actor=startup, data=PilotCreate(
            prototype_id=proto.id, title="Éclairage adaptatif à Villeurbanne",
            public_summary="Les lampadaires baissent quand la rue est vide et remontent "
                           "dès qu'on passe.", protocol=_protocol(dataset.id, lights)))
        lifecycle.submit(session=session, actor=startup, pilot_id=running.id)
        for city in (commune_city, metro_city):
            lifecycle.decide(session=session, actor=city, pilot_id=running.id,
                             decision=Decision.approved, comment="Accord")
        lifecycle.start(session=session, actor=startup, pilot_id=running.id)
        waiting = pilots.create_pilot(session=session, actor=startup, data=PilotCreate(
            prototype_id=proto.id, title="Extension aux parcs",
            public_summary="Le même principe dans les parcs.",
            protocol=_protocol(dataset.id, [])))
        lifecycle.submit(session=session, actor=startup, pilot_id=waiting.id)
    path = home / "demo-accounts.txt"
    path.touch(mode=0o600)
    path.write_text("".join(f"{email}\t{user.role}\t{password}\n"
                            for email, user in accounts.items()))
    return path


def _protocol(dataset_id: Any, asset_ids: list[str]) -> Protocol:
    return Protocol.model_validate({
        "hypothesis": "La gradation réduit la consommation nocturne d'au moins 15 %.",
        "design": "did", "asset_ids": asset_ids,
        "treated_zones": TREATED, "control_zones": CONTROL,
        "baseline": {"start": BASELINE[0].isoformat(), "end": BASELINE[1].isoformat()},
        "pilot": {"start": PILOT[0].isoformat(), "end": PILOT[1].isoformat()},
        "kpis": [{"name": "energy_kwh", "label": "Énergie (kWh)", "primary": True,
                  "aggregation": "sum", "direction": "decrease", "minimum_effect": 0.05,
                  "success_threshold": 0.15,
                  "source": {"kind": "dataset", "dataset_id": str(dataset_id),
                             "column": "energy_kwh"}}],
        "datasets": [{"dataset_id": str(dataset_id), "columns": ["energy_kwh"],
                      "zones": TREATED + CONTROL,
                      "window": {"start": BASELINE[0].isoformat(),
                                 "end": PILOT[1].isoformat()},
                      "purpose": "Mesurer l'effet de la gradation"}],
        "questionnaire": {"likert": [{"id": "safety", "text_fr": "Je me sens en sécurité "
                                      "dans la rue la nuit.",
                                      "text_en": "I feel safe in the street at night."}],
                          "nps": True, "sus": False},
    })


__all__ = ["PLANTED_EFFECT", "seed"]
