"""Pilot lifecycle and shared governance through the API."""

from __future__ import annotations

import hashlib
import json
import uuid

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from lab.audit.models import AuditLog
from lab.pilots.models import ProtocolVersion
from tests.factories import login
from tests.lab.pilots.scenario import draft_body, make_territory, protocol


def _post(client: TestClient, path: str, headers: dict[str, str], body: object = None):  # type: ignore[no-untyped-def]
    response = client.post(f"/api/v1{path}", headers=headers, json=body)
    return response


def test_full_lifecycle_from_draft_to_completed_leaves_an_audit_trail(
    client: TestClient, session: Session
) -> None:
    t = make_territory(session)
    startup, commune, epci = (login(client, u) for u in (t.startup, t.commune_city, t.epci_city))
    created = _post(client, "/pilots", startup, draft_body(t))
    assert created.status_code == 201, created.text
    pilot = created.json()
    assert pilot["status"] == "draft" and pilot["protocol_hash"] is None
    pid = pilot["id"]

    submitted = _post(client, f"/pilots/{pid}/submit", startup).json()
    assert submitted["status"] == "submitted"
    assert sorted(submitted["pending_authorities"]) == sorted([t.commune.name, t.epci.name])

    after_one = _post(client, f"/pilots/{pid}/decisions", commune,
                      {"decision": "approved", "comment": "OK pour la commune"}).json()
    assert after_one["status"] == "submitted"
    assert after_one["pending_authorities"] == [t.epci.name]
    approved = _post(client, f"/pilots/{pid}/decisions", epci, {"decision": "approved"}).json()
    assert approved["status"] == "approved" and approved["approved_protocol_version"] == 1
    assert approved["pending_authorities"] == []

    assert _post(client, f"/pilots/{pid}/start", startup).json()["status"] == "running"
    done = _post(client, f"/pilots/{pid}/complete", commune).json()
    assert done["status"] == "completed" and done["completed_at"]

    trail = session.exec(select(AuditLog).where(AuditLog.object_id == pid)
                         .order_by(AuditLog.id)).all()
    assert [e.action for e in trail] == [
        "pilot.create", "pilot.submit", "approval.approved", "approval.approved",
        "pilot.approve", "pilot.start", "pilot.complete"]
    assert all(e.actor_id is not None for e in trail)
    assert trail[1].before == {"status": "draft", "protocol_version": 1}
    audit_api = client.get("/api/v1/audit", headers=commune,
                           params={"object_type": "pilot", "object_id": pid})
    assert audit_api.json()["total"] == 7


def test_protocol_is_frozen_and_hashed_on_submission(client: TestClient,
                                                     session: Session) -> None:
    t = make_territory(session)
    startup = login(client, t.startup)
    pid = _post(client, "/pilots", startup, draft_body(t)).json()["id"]
    submitted = _post(client, f"/pilots/{pid}/submit", startup).json()
    frozen = session.exec(select(ProtocolVersion)
                          .where(ProtocolVersion.pilot_id == uuid.UUID(pid))).one()
    canonical = json.dumps(frozen.protocol, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    assert submitted["protocol_hash"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert frozen.protocol["baseline"]["start"] == "2025-12-31T23:00:00Z"  # stored in UTC
    edit = client.patch(f"/api/v1/pilots/{pid}", headers=startup, json={"title": "Changed"})
    assert edit.status_code == 422 and "only drafts" in edit.json()["detail"]


def test_one_refusal_rejects_the_pilot(client: TestClient, session: Session) -> None:
    t = make_territory(session)
    startup = login(client, t.startup)
    pid = _post(client, "/pilots", startup, draft_body(t)).json()["id"]
    _post(client, f"/pilots/{pid}/submit", startup)
    _post(client, f"/pilots/{pid}/decisions", login(client, t.commune_city),
          {"decision": "approved"})
    no_comment = _post(client, f"/pilots/{pid}/decisions", login(client, t.epci_city),
                       {"decision": "refused"})
    assert no_comment.status_code == 422 and no_comment.json()["errors"][0]["field"] == "comment"
    refused = _post(client, f"/pilots/{pid}/decisions", login(client, t.epci_city),
                    {"decision": "refused", "comment": "Données personnelles non justifiées"})
    assert refused.json()["status"] == "rejected"
    epci = next(a for a in refused.json()["approvals"] if a["authority_id"] == str(t.epci.id))
    assert epci["decision"] == "refused" and epci["comment"].startswith("Données")
    assert _post(client, f"/pilots/{pid}/start", startup).status_code == 409


def test_changes_requested_goes_back_to_draft_and_resubmits_as_a_new_version(
    client: TestClient, session: Session
) -> None:
    t = make_territory(session)
    startup = login(client, t.startup)
    pid = _post(client, "/pilots", startup, draft_body(t)).json()["id"]
    _post(client, f"/pilots/{pid}/submit", startup)
    asked = _post(client, f"/pilots/{pid}/decisions", login(client, t.commune_city),
                  {"decision": "changes_requested", "comment": "Ajoutez une zone témoin"})
    assert asked.json()["status"] == "changes_requested"
    assert _post(client, f"/pilots/{pid}/revise", startup).json()["status"] == "draft"
    edited = client.patch(f"/api/v1/pilots/{pid}", headers=startup, json={
        "protocol": protocol(t, control_zones=["Z-C1", "Z-C2"])})
    assert edited.status_code == 200, edited.text
    again = _post(client, f"/pilots/{pid}/submit", startup).json()
    assert again["protocol_version"] == 2
    assert {a["decision"] for a in again["approvals"]} == {"pending"}


def test_amendment_after_approval_needs_approval_again(client: TestClient,
                                                       session: Session) -> None:
    t = make_territory(session)
    startup = login(client, t.startup)
    pid = _post(client, "/pilots", startup, draft_body(t)).json()["id"]
    first = _post(client, f"/pilots/{pid}/submit", startup).json()["protocol_hash"]
    for city in (t.commune_city, t.epci_city):
        _post(client, f"/pilots/{pid}/decisions", login(client, city), {"decision": "approved"})
    _post(client, f"/pilots/{pid}/start", startup)
    same = _post(client, f"/pilots/{pid}/amendments", startup,
                 {"protocol": protocol(t), "reason": "nothing"})
    assert same.status_code == 422
    amended = _post(client, f"/pilots/{pid}/amendments", startup, {
        "protocol": protocol(t, hypothesis="Adaptive dimming cuts energy use by 30% at night."),
        "reason": "Stronger dimming profile"}).json()
    assert amended["status"] == "submitted" and amended["protocol_version"] == 2
    assert amended["protocol_hash"] != first and amended["approved_protocol_version"] == 1
    assert len(amended["pending_authorities"]) == 2


def test_isolation_between_startups_and_authorities(client: TestClient,
                                                    session: Session) -> None:
    t = make_territory(session)
    startup, other = login(client, t.startup), login(client, t.other_startup)
    pid = _post(client, "/pilots", startup, draft_body(t)).json()["id"]
    assert client.get(f"/api/v1/pilots/{pid}", headers=other).status_code == 404
    assert client.patch(f"/api/v1/pilots/{pid}", headers=other,
                        json={"title": "mine now"}).status_code == 404
    assert _post(client, f"/pilots/{pid}/submit", other).status_code == 404
    assert client.get("/api/v1/pilots", headers=other).json()["total"] == 0
    assert client.get(f"/api/v1/prototypes/{t.prototype_id}", headers=other).status_code == 404
    _post(client, f"/pilots/{pid}/submit", startup)
    from lab.auth.models import Role
    from tests.factories import make_user

    outsider = login(client, make_user(session, Role.city))
    denied = _post(client, f"/pilots/{pid}/decisions", outsider, {"decision": "approved"})
    assert denied.status_code == 403 and "own authority" in denied.json()["detail"]
    assert client.get(f"/api/v1/pilots/{pid}", headers=outsider).status_code == 200
    assert _post(client, f"/pilots/{pid}/decisions", startup,
                 {"decision": "approved"}).status_code == 403
    citizen = login(client, make_user(session, Role.citizen))
    assert client.get("/api/v1/pilots", headers=citizen).status_code == 403
    assert client.get(f"/api/v1/pilots/{pid}", headers=citizen).status_code == 404


def test_public_list_shows_running_pilots_only_without_an_account(
    client: TestClient, session: Session
) -> None:
    t = make_territory(session)
    startup = login(client, t.startup)
    draft = _post(client, "/pilots", startup, draft_body(t)).json()["id"]
    pid = _post(client, "/pilots", startup, draft_body(t)).json()["id"]
    _post(client, f"/pilots/{pid}/submit", startup)
    for city in (t.commune_city, t.epci_city):
        _post(client, f"/pilots/{pid}/decisions", login(client, city), {"decision": "approved"})
    assert client.get("/api/v1/public/pilots").json()["total"] == 0
    _post(client, f"/pilots/{pid}/start", startup)
    listed = client.get("/api/v1/public/pilots").json()
    assert [p["id"] for p in listed["items"]] == [pid] and draft != pid
    item = listed["items"][0]
    assert item["summary"].startswith("Les lampadaires")
    assert sorted(f["properties"]["code"] for f in item["area"]["features"]) == ["Z-T1", "Z-T2"]
    assert "protocol" not in item and "organization_id" not in item


def test_suspension_needs_a_city_member_concerned_and_a_reason(client: TestClient,
                                                               session: Session) -> None:
    t = make_territory(session)
    startup = login(client, t.startup)
    pid = _post(client, "/pilots", startup, draft_body(t)).json()["id"]
    _post(client, f"/pilots/{pid}/submit", startup)
    for city in (t.commune_city, t.epci_city):
        _post(client, f"/pilots/{pid}/decisions", login(client, city), {"decision": "approved"})
    _post(client, f"/pilots/{pid}/start", startup)
    assert _post(client, f"/pilots/{pid}/suspend", startup,
                 {"reason": "x"}).status_code == 403
    epci = login(client, t.epci_city)
    assert _post(client, f"/pilots/{pid}/suspend", epci, {"reason": " "}).status_code == 422
    suspended = _post(client, f"/pilots/{pid}/suspend", epci, {"reason": "Plainte riverains"})
    assert suspended.json()["status"] == "suspended"
    entry = session.exec(select(AuditLog).where(AuditLog.action == "pilot.suspend")).one()
    assert entry.reason == "Plainte riverains" and entry.actor_id == t.epci_city.id
