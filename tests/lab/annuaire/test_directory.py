"""The public directory: organizations taking part, by domain, with their pilots' results; a
startup edits its own entry and chooses whether its contact address shows."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from lab.audit.models import AuditLog
from lab.auth.models import Role
from lab.pilots import service as pilots
from lab.pilots.models import PilotCreate
from lab.prototypes import service as prototypes
from lab.prototypes.models import PrototypeCreate
from lab.settings import LabSettings
from tests.factories import make_user
from tests.lab.feedback.scenario import bearer, make_setting
from tests.lab.pilots.scenario import draft_body
from tests.lab.publication.scenario import evaluate

URL = "/api/v1/public/directory"


def test_directory_lists_organizations_taking_part_by_domain_with_results(
        client: TestClient, session: Session, settings: LabSettings) -> None:
    s = make_setting(session)
    # Another startup with only a draft pilot does not take part yet.
    idle = make_user(session, Role.startup)
    prototype = prototypes.create_prototype(session=session, actor=idle, data=PrototypeCreate(
        name="Idle", domain="mobility", readiness_level=3, contact_name="Bo",
        contact_email="bo@idle.example"))
    pilots.create_pilot(session=session, actor=idle, data=PilotCreate.model_validate(
        {**draft_body(s.t), "prototype_id": str(prototype.id)}))
    page = client.get(URL).json()
    assert page["total"] == 1
    (entry,) = page["items"]
    assert entry["id"] == str(s.t.startup.organization_id) and entry["domains"] == ["lighting"]
    (proto,) = entry["prototypes"]
    assert proto["name"] == "LumiAdapt" and proto["pilots"][0]["status"] == "running"
    assert proto["pilots"][0]["results"] is None
    assert client.get(URL, params={"domain": "Lighting"}).json()["total"] == 1
    assert client.get(URL, params={"domain": "mobility"}).json()["total"] == 0
    evaluate(session, s)
    (pilot,) = client.get(URL).json()["items"][0]["prototypes"][0]["pilots"]
    assert pilot["results"]["recommendation"] == "scale_up"
    assert pilot["results"]["url"] == f"/api/v1/public/results/{s.pilot_id}"
    assert client.get(pilot["results"]["url"]).status_code == 200


def test_a_startup_edits_its_entry_and_chooses_to_show_its_contact(
        client: TestClient, session: Session, settings: LabSettings) -> None:
    s = make_setting(session)
    me = "/api/v1/organizations/me"
    startup = bearer(settings, s.t.startup)
    edited = client.patch(me, headers=startup, json={
        "description": "Éclairage qui s'adapte.", "website": "https://lumi.example",
        "contact_email": "hello@lumi.example"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["show_contact"] is False
    (entry,) = client.get(URL).json()["items"]
    assert entry["description"] == "Éclairage qui s'adapte."
    assert entry["website"].startswith("https://lumi.example")
    assert entry["contact_email"] is None and "hello@lumi" not in client.get(URL).text
    client.patch(me, headers=startup, json={"show_contact": True})
    assert client.get(URL).json()["items"][0]["contact_email"] == "hello@lumi.example"
    bad = client.patch(me, headers=startup, json={"contact_email": "not an address"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "contact_email"
    for website in ("javascript:alert(1)", "https://lumi.example/" + "a" * 300):
        bad = client.patch(me, headers=startup, json={"website": website})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "website"
    city = client.patch(me, headers=bearer(settings, s.t.commune_city),
                        json={"description": "hijack"})
    assert city.status_code == 403
    assert client.get(me, headers=startup).json()["description"] == "Éclairage qui s'adapte."
    logged = session.exec(select(AuditLog).where(AuditLog.action == "organization.entry")).all()
    assert len(logged) == 2 and logged[1].after == {"show_contact": True}
