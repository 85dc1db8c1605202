"""Builders for test data, through the services (so rules and audit apply)."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlmodel import Session

from lab.auth import service as auth
from lab.auth.models import Role, User, UserCreate
from lab.directory import service as directory
from lab.directory.models import (
    Authority,
    AuthorityCreate,
    AuthorityLevel,
    Organization,
    OrganizationCreate,
)

PASSWORD = "correct horse battery staple"


def _suffix() -> str:
    return uuid.uuid4().hex[:8]


def make_authority(session: Session, *, name: str | None = None,
                   level: AuthorityLevel = AuthorityLevel.commune) -> Authority:
    code = _suffix()
    return directory.create_authority(session=session, actor=None, data=AuthorityCreate(
        name=name or f"Commune {code}", level=level, code=code))


def make_organization(session: Session, *, name: str | None = None) -> Organization:
    return directory.create_organization(session=session, actor=None, data=OrganizationCreate(
        name=name or f"Startup {_suffix()}"))


def make_user(session: Session, role: Role = Role.admin, *, email: str | None = None,
              password: str = PASSWORD, authority: Authority | None = None,
              organization: Organization | None = None) -> User:
    if role in (Role.city, Role.mediator) and authority is None:
        authority = make_authority(session)
    if role == Role.startup and organization is None:
        organization = make_organization(session)
    return auth.create_user(session=session, actor=None, data=UserCreate(
        email=email or f"{role}-{_suffix()}@terrain.example", role=role, password=password,
        authority_id=authority.id if authority else None,
        organization_id=organization.id if organization else None))


def login(client: TestClient, user: User, password: str = PASSWORD) -> dict[str, str]:
    """Authorization headers for the user, obtained through the real login route."""
    response = client.post("/api/v1/auth/token",
                           data={"username": user.email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, object]:
    """A closed GeoJSON square polygon with its south-west corner at (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size],
            [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def make_zone(session: Session, authority: Authority, code: str | None = None,
              lon: float = 4.83, lat: float = 45.75):  # type: ignore[no-untyped-def]
    from lab.zones import service as zones
    from lab.zones.models import ZoneCreate

    actor = make_user(session, Role.city, authority=authority)
    return zones.create_zone(session=session, actor=actor, data=ZoneCreate(
        code=code or f"Z-{_suffix()}", name="Zone", geometry=square(lon, lat)))


def make_dataset(session: Session, authority: Authority | None = None, *,
                 sensitivity: str = "open", name: str | None = None,
                 time_column: str = "time", zone_column: str = "zone"):  # type: ignore[no-untyped-def]
    """A dataset (metadata only) created by a city member of `authority`."""
    from lab.datasets import service as datasets
    from lab.datasets.models import DatasetCreate, Sensitivity

    authority = authority or make_authority(session)
    actor = make_user(session, Role.city, authority=authority)
    return datasets.create_dataset(session=session, actor=actor, data=DatasetCreate(
        name=name or f"Comptages {_suffix()}", domain="mobility",
        sensitivity=Sensitivity(sensitivity), licence="Licence Ouverte 2.0",
        time_column=time_column, zone_column=zone_column))
