"""Problem reports: filed without an account, routed to the authority that owns the asset
and to the startup, moved along, passed on with an audited reason, followed by receipt."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from lab.assets import service as assets
from lab.assets.models import AssetCreate, AssetKind
from lab.audit.models import AuditLog
from lab.auth.models import Role
from lab.evaluations.report import render_html
from lab.reports import service as reports
from lab.reports.models import ProblemReport
from lab.settings import LabSettings
from tests.factories import make_user
from tests.lab.feedback.scenario import b64, bearer, jpeg_with_gps, running_pilot
from tests.lab.pilots.scenario import Territory, make_territory

URL = "/api/v1/public/reports"


@dataclass
class Street:
    t: Territory
    pilot_id: uuid.UUID
    epci_asset: uuid.UUID


@pytest.fixture
def street(session: Session) -> Street:
    t = make_territory(session)
    sensor = assets.create_asset(session=session, actor=t.epci_city, data=AssetCreate(
        kind=AssetKind.sensor, name="Capteur métropole",
        geometry={"type": "Point", "coordinates": [4.852, 45.752]}))
    pilot_id = running_pilot(session, t, asset_ids=[str(t.asset_id), str(sensor.id)])
    return Street(t, pilot_id, sensor.id)


def _body(s: Street, **changes: Any) -> dict[str, Any]:
    body = {"pilot_id": str(s.pilot_id), "asset_id": str(s.epci_asset), "kind": "not_working",
            "description": "Le capteur clignote en rouge depuis hier."}
    body.update(changes)
    return body


def _ids(client: TestClient, headers: dict[str, str]) -> list[str]:
    response = client.get("/api/v1/reports", headers=headers)
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["items"]]


def test_a_report_on_an_epci_asset_reaches_the_epci_not_the_commune(
        client: TestClient, session: Session, settings: LabSettings, street: Street) -> None:
    t = street.t
    picked = client.get(f"{URL}/assets", params={"pilot_id": str(street.pilot_id)}).json()
    owners = {a["name"]: a["authority_name"] for a in picked["items"]}
    assert owners == {"Capteur métropole": "Métropole de Lyon",
                      "Lampadaire 1": "Commune de Villeurbanne"}
    assert client.get(f"{URL}/assets", params={"pilot_id": str(uuid.uuid4())}).status_code == 404
    filed = client.post(URL, json=_body(street))
    assert filed.status_code == 201, filed.text
    receipt = filed.json()["receipt"]
    assert filed.json()["authority_name"] == "Métropole de Lyon"
    report = session.exec(select(ProblemReport)).one()
    epci, commune = bearer(settings, t.epci_city), bearer(settings, t.commune_city)
    assert _ids(client, epci) == [str(report.id)]
    assert _ids(client, commune) == []
    assert _ids(client, bearer(settings, t.startup)) == [str(report.id)]
    assert _ids(client, bearer(settings, t.other_startup)) == []
    assert client.get(f"/api/v1/reports/{report.id}", headers=commune).status_code == 404
    # The commune's own asset: the commune gets it.
    client.post(URL, json=_body(street, asset_id=str(t.asset_id), kind="too_dim"))
    assert len(_ids(client, commune)) == 1 and len(_ids(client, epci)) == 1
    assert len(_ids(client, bearer(settings, make_user(session, Role.admin)))) == 2
    assert client.get("/api/v1/reports", headers=bearer(
        settings, make_user(session, Role.citizen))).status_code == 403
    # The reporter follows it, without an account.
    follow = client.get(f"{URL}/{receipt.lower()}")
    assert follow.status_code == 200 and follow.json()["status"] == "received"
    assert "description" not in follow.json()
    assert client.get(f"{URL}/ZZZZZ-ZZZZZ").status_code == 404


def test_handlers_move_the_report_and_pass_it_on_with_an_audited_reason(
        client: TestClient, session: Session, settings: LabSettings, street: Street) -> None:
    t = street.t
    receipt = client.post(URL, json=_body(street)).json()["receipt"]
    report = session.exec(select(ProblemReport)).one()
    epci, commune = bearer(settings, t.epci_city), bearer(settings, t.commune_city)
    base = f"/api/v1/reports/{report.id}"
    assert client.post(f"{base}/not-ours", headers=commune, json={
        "authority_id": str(t.commune.id), "reason": "not mine either"}).status_code == 404
    no_reason = client.post(f"{base}/not-ours", headers=epci,
                            json={"authority_id": str(t.commune.id)})
    assert no_reason.status_code == 422
    passed = client.post(f"{base}/not-ours", headers=epci, json={
        "authority_id": str(t.commune.id), "reason": "Le support appartient à la commune"})
    assert passed.status_code == 200 and passed.json()["rerouted"] == 1
    assert _ids(client, epci) == [] and _ids(client, commune) == [str(report.id)]
    (entry,) = session.exec(select(AuditLog).where(AuditLog.action == "report.reroute")).all()
    assert entry.reason == "Le support appartient à la commune"
    assert entry.before["authority_id"] == str(t.epci.id)  # type: ignore[index]
    assert entry.after["authority_id"] == str(t.commune.id)  # type: ignore[index]
    assert entry.actor_id == t.epci_city.id
    moved = client.post(f"{base}/status", headers=commune,
                        json={"status": "in_progress", "note": "Technicien prévenu"})
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    solved = client.post(f"{base}/status", headers=bearer(settings, t.startup),
                         json={"status": "solved", "note": "Capteur remplacé"})
    assert solved.json()["status"] == "solved" and solved.json()["solved_at"]
    again = client.post(f"{base}/status", headers=commune, json={"status": "solved"})
    assert again.status_code == 409
    follow = client.get(f"{URL}/{receipt}").json()
    assert follow["status"] == "solved" and follow["rerouted"]
    assert follow["note"] == "Capteur remplacé" and follow["authority_name"].startswith("Commune")


def test_reports_are_scrubbed_checked_and_rate_limited(
        client: TestClient, session: Session, street: Street) -> None:
    filed = client.post(URL, json=_body(street, description=(
        "Appelez-moi au 06 12 34 56 78 ou jeanne.martin@mail.example, le capteur est cassé.")))
    assert filed.status_code == 201
    stored = session.exec(select(ProblemReport)).one()
    assert "06 12" not in stored.description and "jeanne" not in stored.description
    assert "[phone]" in stored.description and "[email]" in stored.description
    bad_photo = client.post(URL, json=_body(street, photo=b64(b"GIF89a not a photo")))
    assert bad_photo.status_code == 422 and bad_photo.json()["errors"][0]["field"] == "photo"
    foreign = client.post(URL, json=_body(street, asset_id=str(uuid.uuid4())))
    assert foreign.status_code == 422 and foreign.json()["errors"][0]["field"] == "asset_id"
    unknown = client.post(URL, json=_body(street, pilot_id=str(uuid.uuid4())))
    assert unknown.status_code == 404
    for _ in range(reports.RATE_LIMIT - 4):
        assert client.post(URL, json=_body(street)).status_code == 201
    limited = client.post(URL, json=_body(street))
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert len(session.exec(select(ProblemReport)).all()) == reports.RATE_LIMIT - 3


@pytest.mark.s3
def test_a_photo_is_stored_without_its_metadata(client: TestClient, session: Session,
                                               settings: LabSettings, street: Street,
                                               s3_app: dict[str, str]) -> None:
    from PIL import Image

    filed = client.post(URL, json=_body(street, photo=b64(jpeg_with_gps())))
    assert filed.status_code == 201, filed.text
    report = session.exec(select(ProblemReport)).one()
    photo = client.get(f"/api/v1/reports/{report.id}/photo",
                       headers=bearer(settings, street.t.epci_city))
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert not Image.open(io.BytesIO(photo.content)).getexif()


def test_reports_count_as_incidents_in_the_evaluation_report(
        client: TestClient, session: Session, street: Street) -> None:
    for _ in range(3):
        client.post(URL, json=_body(street))
    rows = session.exec(select(ProblemReport).order_by(ProblemReport.id)).all()  # type: ignore[arg-type]
    for hours, row in zip((2, 6), rows, strict=False):
        row.status, row.solved_at = "solved", row.created_at + timedelta(hours=hours)
        session.add(row)
    session.commit()
    found = reports.incidents(session=session, pilot_id=street.pilot_id)
    assert found == {"reports": 3, "solved": 2, "open": 1, "median_hours_to_solve": 4.0,
                     "max_hours_to_solve": 6.0}
    page = render_html({
        "pilot": {"title": "P"}, "generated_at": "now",
        "evaluation": {"number": 1, "protocol_version": 1, "protocol_hash": "0" * 64,
                       "departures": [], "interim": False},
        "results": {"quality_flags": [], "recommendation": "iterate", "reasons": [],
                    "design": "did", "kpis": {}, "guardrails": {}, "primary_kpi": "k",
                    "chart": [], "incidents": found}})
    assert "Reported incidents" in page and "solved : 2" in page and "4 h" in page
