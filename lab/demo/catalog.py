"""The demo's authorities, accounts, districts, assets and datasets, through the services."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from minio import Minio
from sqlmodel import Session

from lab.assets import service as assets
from lab.assets.models import AssetCreate, AssetKind
from lab.auth import service as auth
from lab.auth.models import Role, User, UserCreate
from lab.datasets import service as datasets
from lab.datasets import versions
from lab.datasets.models import Dataset, DatasetCreate, DatasetVersion, Sensitivity
from lab.datasets.upload import ReceivedFile
from lab.demo import readings, territory
from lab.directory import service as directory
from lab.directory.models import Authority, AuthorityCreate, AuthorityLevel, OrganizationCreate
from lab.zones import service as zones
from lab.zones.models import ZoneCreate

AUTHORITIES = {
    "commune": ("Commune de Villeurbanne", AuthorityLevel.commune, "69266", "04 78 03 67 67"),
    "epci": ("Métropole de Lyon", AuthorityLevel.epci, "200046977", "04 78 63 40 40"),
    "region": ("Région Auvergne-Rhône-Alpes", AuthorityLevel.region, "84", "04 26 73 40 00"),
}
STARTUPS = {
    "lumiadapt": "LumiAdapt",
    "parksense": "ParkSense",
    "aircapt": "AirCapt",
}
# (email, role, authority key or organization key, full name)
ACCOUNTS = [
    ("city@villeurbanne.example", Role.city, "commune", "Camille Durand"),
    ("city@grandlyon.example", Role.city, "epci", "Karim Benali"),
    ("city@auvergnerhonealpes.example", Role.city, "region", "Hélène Faure"),
    ("mediator@villeurbanne.example", Role.mediator, "commune", "Sophie Martin"),
    ("team@lumiadapt.example", Role.startup, "lumiadapt", "Léa Moreau"),
    ("team@parksense.example", Role.startup, "parksense", "Hugo Lambert"),
    ("team@aircapt.example", Role.startup, "aircapt", "Inès Roux"),
]
CITIZEN_EMAIL = "citizen@terrain.example"


@dataclass
class World:
    """What the catalog step made, handed to the story step."""

    authorities: dict[str, Authority]
    users: dict[str, User]  # by e-mail
    passwords: dict[str, str]  # by e-mail
    organizations: dict[str, Any]
    assets: dict[str, list[str]] = field(default_factory=dict)  # kind:owner -> ids
    datasets: dict[str, Dataset] = field(default_factory=dict)

    def user(self, key: str) -> User:
        """The demo account of an authority or startup key (its first one)."""
        for email, _role, owner, _name in ACCOUNTS:
            if owner == key:
                return self.users[email]
        raise KeyError(key)


def build_directory(session: Session) -> World:
    """Authorities, startups and their accounts, each with its own generated password."""
    authorities = {
        key: directory.create_authority(session=session, actor=None, data=AuthorityCreate(
            name=name, level=level, code=code, phone=phone))
        for key, (name, level, code, phone) in AUTHORITIES.items()}
    organizations = {key: directory.create_organization(
        session=session, actor=None, data=OrganizationCreate(name=name))
        for key, name in STARTUPS.items()}
    users, passwords = {}, {}
    for email, role, owner, full_name in ACCOUNTS:
        passwords[email] = secrets.token_urlsafe(9)
        ids = ({"authority_id": authorities[owner].id} if owner in authorities
               else {"organization_id": organizations[owner].id})
        users[email] = auth.create_user(session=session, actor=None, data=UserCreate(
            email=email, role=role, password=passwords[email], full_name=full_name, **ids))
    return World(authorities, users, passwords, organizations)


def build_map(session: Session, world: World) -> None:
    """The districts (drawn by the commune) and the assets of each authority."""
    commune = world.user("commune")
    for i, code in enumerate(territory.CODES):
        zones.create_zone(session=session, actor=commune, data=ZoneCreate(
            code=code, name=territory.NAMES[i], geometry=territory.polygon(i)))
    for plan in territory.asset_plan():
        asset = assets.create_asset(session=session, actor=world.user(plan.owner),
                                    data=AssetCreate(
            kind=AssetKind(plan.kind), name=plan.name, zone_code=territory.CODES[plan.zone_index],
            attributes=plan.attributes, geometry=territory.point_near(plan.zone_index, plan.k)))
        world.assets.setdefault(f"{plan.kind}:{plan.owner}", []).append(str(asset.id))
        world.assets.setdefault(f"zone:{territory.CODES[plan.zone_index]}", []).append(
            str(asset.id))


@dataclass(frozen=True)
class DatasetPlan:
    key: str
    owner: str
    name: str
    domain: str
    sensitivity: Sensitivity
    description: str
    series: readings.Series


def upload(session: Session, world: World, plan: DatasetPlan, *, start: datetime,
           end: datetime, client: Minio, work: Path) -> DatasetVersion:
    """Create the dataset and upload its readings through the real upload and conversion."""
    owner = world.user(plan.owner)
    dataset = datasets.create_dataset(session=session, actor=owner, data=DatasetCreate(
        name=plan.name, domain=plan.domain, sensitivity=plan.sensitivity,
        licence="Licence Ouverte 2.0" if plan.sensitivity == Sensitivity.open
        else "Usage restreint — convention d'expérimentation",
        description=plan.description, time_column="time", zone_column="zone"))
    world.datasets[plan.key] = dataset
    csv = work / f"demo-{plan.key}.csv"
    readings.write_csv(plan.series, start, end, csv)
    try:
        versions.start_upload(session=session, actor=owner, dataset=dataset,
                              upload=ReceivedFile(csv, csv.name, csv.stat().st_size),
                              client=client, work_dir=work)
    finally:
        csv.unlink(missing_ok=True)
    session.commit()
    ready = datasets.latest_ready_version(session=session, dataset_id=dataset.id)
    if not isinstance(ready, DatasetVersion):
        raise RuntimeError(f"the demo dataset {plan.key} did not convert")
    return ready


def cadence(size: str) -> timedelta:
    """Hourly readings by default; every five minutes with `--size large` (benchmarks)."""
    return timedelta(minutes=5) if size == "large" else timedelta(hours=1)


__all__ = ["ACCOUNTS", "AUTHORITIES", "CITIZEN_EMAIL", "STARTUPS", "DatasetPlan", "World",
           "build_directory", "build_map", "cadence", "upload"]
