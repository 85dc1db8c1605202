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


def test_synthetic_control_with_two_treated_zones_is_registered(client: TestClient,
                                                                session: Session) -> None:
    t = make_territory(session)
    body = draft_body(t, design="synthetic_control", control_zones=["Z-C1", "Z-C2"])
    response = client.post("/api/v1/pilots", headers=login(client, t.startup), json=body)
    assert response.status_code == 201, response.text
    assert response.json()["protocol"]["design"] == "synthetic_control"
