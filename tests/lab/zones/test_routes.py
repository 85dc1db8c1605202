"""Zones: validation of geometry, bulk import all-or-nothing, permissions."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from lab.auth.models import Role
from lab.zones.models import Zone
from tests.factories import login, make_authority, make_user, square


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Zone)).one()


def test_city_member_creates_a_zone_for_their_authority(client: TestClient,
                                                        session: Session) -> None:
    city = make_user(session, Role.city)
    response = client.post("/api/v1/zones", headers=login(client, city),
                           json={"code": "Z-01", "name": "Presqu'île",
                                 "geometry": square(4.83, 45.75)})
    assert response.status_code == 201, response.text
    assert response.json()["authority_id"] == str(city.authority_id)
    again = client.post("/api/v1/zones", headers=login(client, city),
                        json={"code": "Z-01", "name": "Other", "geometry": square(4.9, 45.7)})
    assert again.status_code == 409


def test_invalid_geometries_are_refused_with_the_reason(client: TestClient,
                                                        session: Session) -> None:
    headers = login(client, make_user(session, Role.city))
    open_ring = {"type": "Polygon", "coordinates": [[[4.8, 45.7], [4.9, 45.7], [4.9, 45.8],
                                                     [4.8, 45.8]]]}
    bad = {
        "not closed": open_ring,
        "latitude": square(4.8, 95.0),
        "longitude": square(200.0, 45.0),
        "type": {"type": "Point", "coordinates": [4.8, 45.7]},
    }
    for reason, geometry in bad.items():
        response = client.post("/api/v1/zones", headers=headers,
                               json={"code": "Z-X", "name": "x", "geometry": geometry})
        assert response.status_code == 422, reason
        assert reason.split()[-1] in response.json()["detail"], response.json()
    assert _count(session) == 0


def test_startup_and_citizen_cannot_create_zones(client: TestClient, session: Session) -> None:
    for role in (Role.startup, Role.citizen, Role.mediator):
        response = client.post("/api/v1/zones", headers=login(client, make_user(session, role)),
                               json={"code": "Z-1", "name": "x", "geometry": square(4.8, 45.7)})
        assert response.status_code == 403
    assert _count(session) == 0


def test_city_member_cannot_create_for_another_authority(client: TestClient,
                                                         session: Session) -> None:
    other = make_authority(session)
    response = client.post("/api/v1/zones", headers=login(client, make_user(session, Role.city)),
                           json={"code": "Z-1", "name": "x", "geometry": square(4.8, 45.7),
                                 "authority_id": str(other.id)})
    assert response.status_code == 403


def test_import_is_all_or_nothing(client: TestClient, session: Session) -> None:
    headers = login(client, make_user(session, Role.city))
    features = [{"type": "Feature", "properties": {"code": f"Z-{i}", "name": f"Zone {i}"},
                 "geometry": square(4.8 + i / 100, 45.7)} for i in range(3)]
    broken = features + [{"type": "Feature", "properties": {"code": "Z-9", "name": "bad"},
                          "geometry": square(4.8, -91.0)}]
    response = client.post("/api/v1/zones/import", headers=headers,
                           json={"type": "FeatureCollection", "features": broken})
    assert response.status_code == 422
    assert "feature 3" in response.json()["detail"]
    assert _count(session) == 0
    ok = client.post("/api/v1/zones/import", headers=headers,
                     json={"type": "FeatureCollection", "features": features})
    assert ok.status_code == 201 and len(ok.json()) == 3
    listed = client.get("/api/v1/zones", headers=headers, params={"limit": 2})
    assert listed.json()["total"] == 3
    assert [z["code"] for z in listed.json()["items"]] == ["Z-0", "Z-1"]
