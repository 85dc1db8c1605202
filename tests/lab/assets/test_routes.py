"""Assets: ownership, validation, filters, bulk import, audit."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from lab.assets.models import Asset
from lab.audit.models import AuditLog
from lab.auth.models import Role
from tests.factories import login, make_authority, make_user, make_zone


def _point(lon: float, lat: float) -> dict[str, object]:
    return {"type": "Point", "coordinates": [lon, lat]}


def test_city_member_creates_and_edits_own_assets_only(client: TestClient,
                                                       session: Session) -> None:
    authority = make_authority(session)
    zone = make_zone(session, authority, code="Z-PRESQU")
    city = make_user(session, Role.city, authority=authority)
    created = client.post("/api/v1/assets", headers=login(client, city), json={
        "kind": "streetlight", "name": "Lampadaire 12", "zone_code": "Z-PRESQU",
        "geometry": _point(4.835, 45.755), "attributes": {"power_w": 70}})
    assert created.status_code == 201, created.text
    asset_id = created.json()["id"]
    other_city = make_user(session, Role.city)
    denied = client.patch(f"/api/v1/assets/{asset_id}", headers=login(client, other_city),
                          json={"name": "hijacked"})
    assert denied.status_code == 403
    edited = client.patch(f"/api/v1/assets/{asset_id}", headers=login(client, city),
                          json={"attributes": {"power_w": 35}})
    assert edited.status_code == 200 and edited.json()["attributes"] == {"power_w": 35}
    trail = session.exec(select(AuditLog).where(AuditLog.object_id == asset_id)
                         .order_by(AuditLog.id)).all()
    assert [e.action for e in trail] == ["asset.create", "asset.update"]
    assert trail[1].before["attributes"] == {"power_w": 70}  # type: ignore[index]
    assert trail[1].after["attributes"] == {"power_w": 35}  # type: ignore[index]
    assert zone.code == "Z-PRESQU"


def test_unknown_zone_or_kind_is_refused(client: TestClient, session: Session) -> None:
    headers = login(client, make_user(session, Role.city))
    unknown_zone = client.post("/api/v1/assets", headers=headers, json={
        "kind": "sensor", "name": "s", "zone_code": "NOPE", "geometry": _point(4.8, 45.7)})
    assert unknown_zone.status_code == 422 and "zone" in unknown_zone.json()["detail"]
    unknown_kind = client.post("/api/v1/assets", headers=headers, json={
        "kind": "teleporter", "name": "s", "geometry": _point(4.8, 45.7)})
    assert unknown_kind.status_code == 422
    assert unknown_kind.json()["errors"][0]["field"] == "kind"
    assert session.exec(select(func.count()).select_from(Asset)).one() == 0


def test_list_filters_by_kind_zone_authority_and_bbox(client: TestClient,
                                                      session: Session) -> None:
    a, b = make_authority(session), make_authority(session)
    make_zone(session, a, code="ZA")
    city_a, city_b = make_user(session, Role.city, authority=a), make_user(session, Role.city,
                                                                           authority=b)
    client.post("/api/v1/assets/import", headers=login(client, city_a), json={
        "type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": _point(4.80, 45.70),
             "properties": {"kind": "streetlight", "name": "L1", "zone_code": "ZA"}},
            {"type": "Feature", "geometry": _point(4.90, 45.80),
             "properties": {"kind": "sensor", "name": "S1", "model": "NO2-x"}},
        ]})
    client.post("/api/v1/assets", headers=login(client, city_b), json={
        "kind": "bus_stop", "name": "Arrêt", "geometry": _point(5.5, 46.0)})
    headers = login(client, make_user(session, Role.startup))

    def names(**params: str) -> list[str]:
        response = client.get("/api/v1/assets", headers=headers, params=params)
        assert response.status_code == 200, response.text
        return sorted(x["name"] for x in response.json()["items"])

    assert names() == ["Arrêt", "L1", "S1"]
    assert names(kind="sensor") == ["S1"]
    assert names(zone="ZA") == ["L1"]
    assert names(authority_id=str(b.id)) == ["Arrêt"]
    assert names(bbox="4.85,45.75,5.0,45.9") == ["S1"]
    sensor = client.get("/api/v1/assets", headers=headers, params={"kind": "sensor"}).json()
    assert sensor["items"][0]["attributes"] == {"model": "NO2-x"}
    bad = client.get("/api/v1/assets", headers=headers, params={"bbox": "5,46,4,45"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "bbox"


def test_asset_import_is_all_or_nothing(client: TestClient, session: Session) -> None:
    headers = login(client, make_user(session, Role.city))
    response = client.post("/api/v1/assets/import", headers=headers, json={
        "type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": _point(4.8, 45.7),
             "properties": {"kind": "sensor", "name": "ok"}},
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[4.8, 45.7]]},
             "properties": {"kind": "bike_lane", "name": "too short"}},
        ]})
    assert response.status_code == 422 and "feature 1" in response.json()["detail"]
    assert session.exec(select(func.count()).select_from(Asset)).one() == 0
