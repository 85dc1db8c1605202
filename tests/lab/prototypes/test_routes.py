"""Prototypes: startups manage their own; others' answer 404; validation names fields."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from lab.auth.models import Role
from lab.prototypes.models import Prototype
from tests.factories import login, make_user

BODY = {"name": "LumiAdapt", "domain": "lighting", "readiness_level": 6,
        "description": "Adaptive dimming", "contact_name": "Ada",
        "contact_email": "ada@lumi.example"}


def test_startup_creates_edits_and_lists_its_prototypes(client: TestClient,
                                                        session: Session) -> None:
    startup = make_user(session, Role.startup)
    headers = login(client, startup)
    created = client.post("/api/v1/prototypes", headers=headers, json=BODY)
    assert created.status_code == 201
    assert created.json()["organization_id"] == str(startup.organization_id)
    edited = client.patch(f"/api/v1/prototypes/{created.json()['id']}", headers=headers,
                          json={"readiness_level": 7})
    assert edited.json()["readiness_level"] == 7
    assert client.get("/api/v1/prototypes", headers=headers).json()["total"] == 1


def test_other_startups_get_404_and_city_reads_all(client: TestClient, session: Session) -> None:
    owner, other = make_user(session, Role.startup), make_user(session, Role.startup)
    pid = client.post("/api/v1/prototypes", headers=login(client, owner), json=BODY).json()["id"]
    other_headers = login(client, other)
    assert client.get(f"/api/v1/prototypes/{pid}", headers=other_headers).status_code == 404
    assert client.patch(f"/api/v1/prototypes/{pid}", headers=other_headers,
                        json={"name": "stolen"}).status_code == 404
    assert client.get("/api/v1/prototypes", headers=other_headers).json()["total"] == 0
    city = login(client, make_user(session, Role.city))
    assert client.get(f"/api/v1/prototypes/{pid}", headers=city).status_code == 200
    assert client.patch(f"/api/v1/prototypes/{pid}", headers=city,
                        json={"name": "x"}).status_code == 403
    assert client.post("/api/v1/prototypes", headers=city, json=BODY).status_code == 403


def test_invalid_prototypes_are_refused_and_nothing_is_stored(client: TestClient,
                                                              session: Session) -> None:
    headers = login(client, make_user(session, Role.startup))
    for field, value in [("readiness_level", 10), ("readiness_level", 0),
                         ("contact_email", "nope"), ("name", "")]:
        response = client.post("/api/v1/prototypes", headers=headers, json={**BODY, field: value})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field
    assert session.exec(select(func.count()).select_from(Prototype)).one() == 0
