"""Inputs that once gave 500s (issue 13): huge offsets on every paginated list, and `null`
sent in PATCH bodies for fields that cannot be null."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from lab.auth.models import Role, User
from tests.factories import PASSWORD, login, make_authority, make_user, make_zone, square

TOO_FAR = 2**63  # one past the largest offset a database takes


def _paginated_paths(app: FastAPI) -> list[str]:
    spec = app.openapi()
    paths = []
    for path, operations in spec["paths"].items():
        parameters = (operations.get("get") or {}).get("parameters", [])
        if any(p["name"] == "offset" and p["in"] == "query" for p in parameters):
            paths.append(re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path))
    return paths


def test_offset_past_64_bits_is_a_422_on_every_paginated_list(app: FastAPI, client: TestClient,
                                                              session: Session) -> None:
    paths = _paginated_paths(app)
    assert "/api/v1/public/pilots" in paths and len(paths) >= 10
    headers = login(client, make_user(session, Role.admin))
    statuses = {}
    for path in paths:
        response = client.get(path, headers=headers, params={"offset": TOO_FAR})
        statuses[path] = response.status_code
        if response.status_code == 422:
            assert response.json()["errors"][0]["field"] == "offset", response.text
    # A role check (citizens' own lists) may answer first; nothing may fail.
    assert all(s in (403, 422) for s in statuses.values()), statuses
    assert statuses["/api/v1/public/pilots"] == 422
    largest = client.get("/api/v1/public/pilots", params={"offset": TOO_FAR - 1})
    assert largest.status_code == 200 and largest.json()["items"] == []


def _assert_null_refused(client: TestClient, url: str, headers: dict[str, str],
                         fields: dict[str, Any]) -> None:
    before = client.get(url, headers=headers).json()
    for name in fields:
        response = client.patch(url, headers=headers, json={name: None})
        assert response.status_code == 422, (name, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == name
        assert "may not be null" in response.json()["detail"]
    assert client.get(url, headers=headers).json() == before


def test_null_for_a_prototype_field_is_refused_and_changes_nothing(client: TestClient,
                                                                   session: Session) -> None:
    headers = login(client, make_user(session, Role.startup))
    created = client.post("/api/v1/prototypes", headers=headers, json={
        "name": "LumiAdapt", "domain": "lighting", "readiness_level": 6, "contact_name": "Ada",
        "contact_email": "ada@lumi.example"})
    assert created.status_code == 201
    _assert_null_refused(client, f"/api/v1/prototypes/{created.json()['id']}", headers, {
        "name": 1, "domain": 1, "readiness_level": 1, "contact_email": 1, "contact_name": 1,
        "description": 1})


def test_null_for_a_user_field_is_refused_and_changes_nothing(client: TestClient,
                                                              session: Session) -> None:
    admin = make_user(session, Role.admin)
    headers = login(client, admin)
    user = make_user(session, Role.citizen)
    url = f"/api/v1/admin/users/{user.id}"
    for name in ("full_name", "is_active", "password"):
        response = client.patch(url, headers=headers, json={name: None})
        assert response.status_code == 422, (name, response.text)
        assert response.json()["errors"][0]["field"] == name
    session.refresh(user)
    assert user.is_active and user.full_name == ""
    login(client, user, PASSWORD)  # the password is unchanged


def test_null_geometry_or_name_of_an_asset_is_refused_and_nothing_is_committed(
        client: TestClient, session: Session) -> None:
    authority = make_authority(session)
    make_zone(session, authority, code="Z-NULL")
    city = make_user(session, Role.city, authority=authority)
    headers = login(client, city)
    created = client.post("/api/v1/assets", headers=headers, json={
        "kind": "sensor", "name": "Capteur", "zone_code": "Z-NULL", "external_ref": "S-1",
        "geometry": {"type": "Point", "coordinates": [4.835, 45.755]}})
    assert created.status_code == 201
    url = f"/api/v1/assets/{created.json()['id']}"
    _assert_null_refused(client, url, headers,
                         {"geometry": 1, "name": 1, "attributes": 1})
    assert client.get("/api/v1/assets", headers=headers).status_code == 200
    # The fields that may be empty are still cleared by null.
    cleared = client.patch(url, headers=headers, json={"zone_code": None, "external_ref": None})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["zone_code"] is None and cleared.json()["external_ref"] is None


def test_null_for_a_zone_field_is_refused(client: TestClient, session: Session) -> None:
    authority = make_authority(session)
    zone = make_zone(session, authority)
    city: User = make_user(session, Role.city, authority=authority)
    headers = login(client, city)
    _assert_null_refused(client, f"/api/v1/zones/{zone.id}", headers, {"geometry": 1, "name": 1})
    ok = client.patch(f"/api/v1/zones/{zone.id}", headers=headers,
                      json={"geometry": square(4.9, 45.7)})
    assert ok.status_code == 200


def test_the_openapi_schema_offers_null_only_where_it_is_accepted(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    asset = schemas["AssetUpdate"]["properties"]
    assert asset["name"]["type"] == "string" and "anyOf" not in asset["name"]
    assert {"type": "null"} in asset["zone_code"]["anyOf"]
    assert "null" not in str(schemas["UserUpdate"]["properties"]["is_active"])
