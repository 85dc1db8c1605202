"""Geometries are simple and bounded (issue 13): a self-crossing polygon, a ring past the
position limit and an oversized body are refused with a 422 naming the rule or the limit, on
zones, assets and their imports, and nothing is stored."""

from __future__ import annotations

import math
from collections.abc import Iterator

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from lab.assets.models import Asset
from lab.auth.models import Role
from lab.geo import MAX_POSITIONS
from lab.limits import geometry_rules
from lab.zones.models import Zone
from tests.factories import login, make_authority, make_user, make_zone, square

BOWTIE = {"type": "Polygon", "coordinates": [[[4.80, 45.70], [4.81, 45.71], [4.81, 45.70],
                                              [4.80, 45.71], [4.80, 45.70]]]}


def _circle(positions: int) -> dict[str, object]:
    ring = [[4.8 + 0.01 * math.cos(2 * math.pi * i / (positions - 1)),
             45.7 + 0.01 * math.sin(2 * math.pi * i / (positions - 1))]
            for i in range(positions - 1)]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_a_self_crossing_polygon_is_refused_everywhere(client: TestClient,
                                                       session: Session) -> None:
    authority = make_authority(session)
    zone = make_zone(session, authority)
    headers = login(client, make_user(session, Role.city, authority=authority))
    responses = [
        client.post("/api/v1/zones", headers=headers,
                    json={"code": "Z-X", "name": "Noeud", "geometry": BOWTIE}),
        client.patch(f"/api/v1/zones/{zone.id}", headers=headers, json={"geometry": BOWTIE}),
        client.post("/api/v1/zones/import", headers=headers, json={
            "type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"code": "Z-OK", "name": "ok"},
                 "geometry": square(4.9, 45.8)},
                {"type": "Feature", "properties": {"code": "Z-KO", "name": "ko"},
                 "geometry": BOWTIE}]}),
        client.post("/api/v1/assets", headers=headers,
                    json={"kind": "building", "name": "Halle", "geometry": BOWTIE}),
    ]
    for response in responses:
        assert response.status_code == 422, response.text
        assert "not simple: Self-intersection" in response.json()["detail"]
    assert _count(session, Zone) == 1 and _count(session, Asset) == 0
    session.refresh(zone)
    assert zone.geometry != BOWTIE
    # Overlapping parts of one MultiPolygon cross each other too.
    overlapping = {"type": "MultiPolygon", "coordinates": [square(4.8, 45.7)["coordinates"],
                                                          square(4.805, 45.705)["coordinates"]]}
    refused = client.post("/api/v1/zones", headers=headers,
                          json={"code": "Z-M", "name": "Double", "geometry": overlapping})
    assert refused.status_code == 422 and "not simple" in refused.json()["detail"]


def test_a_ring_past_the_position_limit_is_refused_with_the_limit(client: TestClient,
                                                                  session: Session) -> None:
    headers = login(client, make_user(session, Role.city))
    fine = client.post("/api/v1/zones", headers=headers,
                       json={"code": "Z-C", "name": "Cercle", "geometry": _circle(5_000)})
    assert fine.status_code == 201, fine.text
    too_many = client.post("/api/v1/assets", headers=headers, json={
        "kind": "bike_lane", "name": "Piste",
        "geometry": {"type": "LineString",
                     "coordinates": [[4.8 + i * 1e-6, 45.7] for i in range(MAX_POSITIONS + 1)]}})
    assert too_many.status_code == 422
    assert f"more than {MAX_POSITIONS:,} positions, the limit" in too_many.json()["detail"]
    assert _count(session, Asset) == 0


def test_an_oversized_body_is_refused_before_it_is_parsed(client: TestClient,
                                                          session: Session) -> None:
    headers = login(client, make_user(session, Role.city))
    padding = "x" * (2 * 1024 * 1024)
    body = {"kind": "sensor", "name": "Capteur", "attributes": {"note": padding},
            "geometry": {"type": "Point", "coordinates": [4.8, 45.7]}}
    declared = client.post("/api/v1/assets", headers=headers, json=body)
    assert declared.status_code == 422
    assert declared.headers["content-type"] == "application/problem+json"
    assert "larger than 2,097,152 bytes" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"kind": "sensor", "name": "Capteur", "attributes": {"note": "'
        for _ in range(3):
            yield b"x" * (1024 * 1024)
        yield b'"}, "geometry": {"type": "Point", "coordinates": [4.8, 45.7]}}'

    streamed = client.post("/api/v1/assets", content=chunks(),
                           headers={**headers, "Content-Type": "application/json"})
    assert streamed.status_code == 422, streamed.text
    assert "larger than 2,097,152 bytes" in streamed.json()["detail"]
    assert _count(session, Asset) == 0
    small = client.post("/api/v1/assets", headers=headers, json={**body, "attributes": {}})
    assert small.status_code == 201


def test_imports_have_their_own_larger_limit() -> None:
    rules = geometry_rules("/api/v1")

    def limit(method: str, path: str) -> int | None:
        return next((r.max_bytes for r in rules
                     if method in r.methods and r.path.match(path)), None)

    assert limit("POST", "/api/v1/zones/import") == 32 * 1024 * 1024
    assert limit("POST", "/api/v1/assets/import") == 32 * 1024 * 1024
    assert limit("PATCH", "/api/v1/assets/0b0e") == 2 * 1024 * 1024
    assert limit("POST", "/api/v1/zones") == 2 * 1024 * 1024
    assert limit("GET", "/api/v1/zones") is None
    assert limit("POST", "/api/v1/datasets") is None
