"""The synthetic-control design is registered for one or two treated zones only."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from lab.pilots.models import Pilot
from tests.factories import login
from tests.lab.pilots.scenario import draft_body, make_territory


def test_synthetic_control_with_three_treated_zones_is_refused(client: TestClient,
                                                               session: Session) -> None:
    t = make_territory(session)
    body = draft_body(t, design="synthetic_control", treated_zones=["Z-T1", "Z-T2", "Z-C2"],
                      control_zones=["Z-C1"])
    response = client.post("/api/v1/pilots", headers=login(client, t.startup), json=body)
    assert response.status_code == 422, response.text
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "one or two treated zones, not 3" in errors["protocol.treated_zones"]
    assert "at least two control zones" in errors["protocol.control_zones"]
    assert session.exec(select(func.count()).select_from(Pilot)).one() == 0


def test_synthetic_control_with_one_treated_zone_is_registered(client: TestClient,
                                                                session: Session) -> None:
    t = make_territory(session)
    body = draft_body(t, design="synthetic_control", control_zones=["Z-C1", "Z-C2"])
    response = client.post("/api/v1/pilots", headers=login(client, t.startup), json=body)
    assert response.status_code == 422, response.text  # two treated zones: three controls
    assert "three with two treated zones" in response.text
    body = draft_body(t, design="synthetic_control", treated_zones=["Z-T1"],
                      control_zones=["Z-C1", "Z-C2"],
                      datasets=[{**draft_body(t)["protocol"]["datasets"][0],
                                 "zones": ["Z-T1", "Z-C1"]}])
    response = client.post("/api/v1/pilots", headers=login(client, t.startup), json=body)
    assert response.status_code == 201, response.text
    assert response.json()["protocol"]["design"] == "synthetic_control"


def test_an_exploratory_synthetic_control_the_zones_cannot_support_is_refused(
        client: TestClient, session: Session) -> None:
    t = make_territory(session)  # registered as a DiD: 2 treated zones, 1 control zone
    startup, commune, epci = (login(client, u) for u in (t.startup, t.commune_city, t.epci_city))
    pid = client.post("/api/v1/pilots", headers=startup, json=draft_body(t)).json()["id"]
    client.post(f"/api/v1/pilots/{pid}/submit", headers=startup)
    for city in (commune, epci):
        client.post(f"/api/v1/pilots/{pid}/decisions", headers=city,
                    json={"decision": "approved"})
    assert client.post(f"/api/v1/pilots/{pid}/start",
                       headers=startup).json()["status"] == "running"
    response = client.post(f"/api/v1/pilots/{pid}/evaluations", headers=commune,
                           json={"design": "synthetic_control"})
    assert response.status_code == 422, response.text
    assert "at least two control zones" in response.json()["detail"]
