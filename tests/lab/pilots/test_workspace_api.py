"""What the workspace pages need of the pilots API: every protocol problem in one 422, one
catalogue of problem types, the pilot's history, the mediators, consent instructions."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

import lab.api  # noqa: F401  (imports every package, so every domain exception is defined)
from lab.auth.models import Role
from lab.errors import PROBLEM_BASE, PROBLEM_TYPES
from lab.exceptions import LabError
from lab.pilots.models import Pilot
from tests.factories import login, make_authority, make_user
from tests.lab.feedback.scenario import bearer, make_setting
from tests.lab.pilots.scenario import draft_body, make_territory, protocol


def _fields(response: object) -> dict[str, str]:
    body = response.json()  # type: ignore[attr-defined]
    return {e["field"]: e["message"] for e in body["errors"]}


def test_every_rule_broken_by_a_protocol_is_listed_in_one_422(client: TestClient,
                                                              session: Session) -> None:
    t = make_territory(session)
    headers = login(client, t.startup)
    kpis = protocol(t)["kpis"]
    broken = draft_body(
        t, control_zones=["Z-C1", "Z-T2"], asset_ids=[str(uuid.uuid4())],
        baseline={"start": "2025-12-01T00:00:00Z", "end": "2026-04-01T00:00:00Z"},
        kpis=[{**kpis[0], "success_threshold": 0.01}, {**kpis[1], "primary": True}],
        guardrails=[{"name": "complaints", "source": {"kind": "measurement", "unit": "n"},
                     "must_not": "increase", "tolerance": 0.1}])
    response = client.post("/api/v1/pilots", headers=headers, json=broken)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["type"] == PROBLEM_BASE + "invalid-input" and body["status"] == 422
    assert body["title"] and body["detail"]
    fields = _fields(response)
    # The rules across fields and the catalog's references, in one answer.
    assert set(fields) == {"protocol.control_zones", "protocol.baseline", "protocol.kpis",
                           "protocol.kpis[0].success_threshold",
                           "protocol.guardrails[0].name", "protocol.asset_ids"}, fields
    assert "overlap" in fields["protocol.control_zones"]
    assert "exactly one" in fields["protocol.kpis"]
    assert session.exec(select(func.count()).select_from(Pilot)).one() == 0


def test_field_errors_are_all_listed_with_indexed_paths(client: TestClient,
                                                        session: Session) -> None:
    t = make_territory(session)
    kpis = protocol(t)["kpis"]
    broken = draft_body(t, kpis=[{**kpis[0], "minimum_effect": -1},
                                 {**kpis[1], "source": {"kind": "dataset",
                                                        "dataset_id": str(t.dataset_id)}}])
    response = client.post("/api/v1/pilots", headers=login(client, t.startup), json=broken)
    assert response.status_code == 422
    fields = _fields(response)
    assert "protocol.kpis[0].minimum_effect" in fields
    assert "protocol.kpis[1].source.column" in fields, fields


def test_every_unknown_catalog_reference_is_listed_at_once(client: TestClient,
                                                           session: Session) -> None:
    t = make_territory(session)
    headers = login(client, t.startup)
    kpi = protocol(t)["kpis"][0]
    missing = str(uuid.uuid4())
    broken = draft_body(
        t, treated_zones=["Z-T1", "Z-T2", "Z-NOPE"], asset_ids=[str(uuid.uuid4())],
        kpis=[{**kpi, "source": {**kpi["source"], "column": "sensor_id"}}],
        datasets=[{**protocol(t)["datasets"][0], "columns": ["energy_kwh", "secret"]},
                  {**protocol(t)["datasets"][0], "dataset_id": missing}])
    created = client.post("/api/v1/pilots", headers=headers, json=broken)
    assert created.status_code == 422, created.text
    fields = _fields(created)
    assert set(fields) == {"protocol.treated_zones", "protocol.asset_ids",
                           "protocol.kpis[0].source.column", "protocol.datasets[0].columns",
                           "protocol.datasets[1].dataset_id"}, fields
    assert "Z-NOPE" in fields["protocol.treated_zones"]
    assert "not numeric" in fields["protocol.kpis[0].source.column"]
    assert "secret" in fields["protocol.datasets[0].columns"]
    assert missing in fields["protocol.datasets[1].dataset_id"]
    # The same on an update of a draft.
    pid = client.post("/api/v1/pilots", headers=headers, json=draft_body(t)).json()["id"]
    patched = client.patch(f"/api/v1/pilots/{pid}", headers=headers,
                           json={"protocol": broken["protocol"]})
    assert patched.status_code == 422 and len(patched.json()["errors"]) == 5


def _subclasses(cls: type[LabError]) -> set[type[LabError]]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_domain_exception_has_a_stable_type_in_the_public_catalogue(
        client: TestClient, session: Session) -> None:
    classes = {LabError} | _subclasses(LabError)
    assert len(classes) >= 12
    for cls in classes:
        # A subclass may share its parent's type, but never a type of another status.
        assert cls.problem_type in PROBLEM_TYPES, f"{cls.__name__}: add its type to the list"
        assert PROBLEM_TYPES[cls.problem_type].status == cls.status, cls.__name__
    assert {c.problem_type for c in classes} >= {"measurement-overlap", "grant-ended",
                                                  "grant-not-usable", "upload-too-large"}
    listed = client.get("/api/v1/problem-types")  # no credentials
    assert listed.status_code == 200
    slugs = {p["slug"]: p for p in listed.json()}
    assert set(slugs) == set(PROBLEM_TYPES)
    assert slugs["measurement-overlap"]["type"] == PROBLEM_BASE + "measurement-overlap"
    # A problem carries the type of its exception, an unknown route its status' type.
    t = make_territory(session)
    refused = client.post("/api/v1/pilots", headers=login(client, t.commune_city),
                          json=draft_body(t))
    assert refused.json()["type"] == PROBLEM_BASE + "permission-denied"
    hidden = client.get(f"/api/v1/pilots/{uuid.uuid4()}", headers=login(client, t.startup))
    assert hidden.json()["type"] == PROBLEM_BASE + "not-found"
    assert client.get("/api/v1/nowhere").json()["type"].startswith(PROBLEM_BASE)


def test_history_shows_transitions_with_who_when_and_why(client: TestClient,
                                                         session: Session) -> None:
    t = make_territory(session)
    t.commune_city.full_name = "Camille Martin"
    session.add(t.commune_city)
    session.commit()
    startup, commune, epci = (login(client, u) for u in (t.startup, t.commune_city,
                                                         t.epci_city))
    pid = client.post("/api/v1/pilots", headers=startup, json=draft_body(t)).json()["id"]
    client.post(f"/api/v1/pilots/{pid}/submit", headers=startup)
    half = client.post(f"/api/v1/pilots/{pid}/decisions", headers=commune,
                       json={"decision": "approved", "comment": "Bien pour nous"}).json()
    assert half["pending_authorities"] == [t.epci.name]
    decided = {a["authority_name"]: a for a in half["approvals"]}
    assert decided[t.commune.name]["reviewer_name"] == "Camille Martin"
    assert decided[t.epci.name]["decision"] == "pending"
    assert decided[t.epci.name]["reviewer_name"] is None
    client.post(f"/api/v1/pilots/{pid}/decisions", headers=epci,
                json={"decision": "changes_requested", "comment": "Ajoutez une zone témoin"})

    history = client.get(f"/api/v1/pilots/{pid}/history", headers=startup)
    assert history.status_code == 200, history.text
    items = history.json()["items"]
    assert [e["action"] for e in items] == ["pilot.create", "pilot.submit", "approval.approved",
                                            "approval.changes_requested",
                                            "pilot.request_changes"]
    submit = items[1]
    assert (submit["from_status"], submit["to_status"]) == ("draft", "submitted")
    assert submit["actor_role"] == "startup" and len(submit["details"]["protocol_hash"]) == 64
    approval = items[2]
    assert approval["actor_name"] == "Camille Martin"
    assert approval["actor_affiliation"] == t.commune.name
    assert approval["reason"] == "Bien pour nous" and approval["to_status"] is None
    last = items[-1]
    assert (last["from_status"], last["to_status"]) == ("submitted", "changes_requested")
    assert last["reason"] == "Ajoutez une zone témoin"
    assert all("protocol" not in e["details"] for e in items)  # never the protocol itself
    assert items == sorted(items, key=lambda e: e["at"])
    paged = client.get(f"/api/v1/pilots/{pid}/history", headers=commune,
                       params={"limit": 2, "offset": 3}).json()
    assert paged["total"] == 5 and [e["action"] for e in paged["items"]] == [
        "approval.changes_requested", "pilot.request_changes"]
    other = login(client, t.other_startup)
    assert client.get(f"/api/v1/pilots/{pid}/history", headers=other).status_code == 404


def test_mediators_are_listed_for_their_authority_only(client: TestClient,
                                                       session: Session) -> None:
    commune = make_authority(session, name="Commune A")
    elsewhere = make_authority(session, name="Commune B")
    ours = [make_user(session, Role.mediator, authority=commune) for _ in range(2)]
    make_user(session, Role.mediator, authority=elsewhere)
    ours[1].is_active = False
    session.add(ours[1])
    session.commit()
    url = f"/api/v1/authorities/{commune.id}/mediators"
    city = login(client, make_user(session, Role.city, authority=commune))
    listed = client.get(url, headers=city)
    assert listed.status_code == 200, listed.text
    assert {m["id"] for m in listed.json()["items"]} == {str(u.id) for u in ours}
    assert all(m["role"] == "mediator" for m in listed.json()["items"])
    active = client.get(url, headers=city, params={"active_only": True}).json()
    assert [m["id"] for m in active["items"]] == [str(ours[0].id)]
    admin = login(client, make_user(session, Role.admin))
    assert client.get(url, headers=admin).json()["total"] == 2
    foreign = login(client, make_user(session, Role.city, authority=elsewhere))
    assert client.get(url, headers=foreign).status_code == 403
    startup = login(client, make_user(session, Role.startup))
    assert client.get(url, headers=startup).status_code == 403
    assert client.get(f"/api/v1/authorities/{uuid.uuid4()}/mediators",
                      headers=admin).status_code == 404


def test_a_consent_text_is_published_in_both_languages_with_in_person_instructions(
        client: TestClient, session: Session, settings) -> None:  # type: ignore[no-untyped-def]
    s = make_setting(session)
    body = {"text_fr": "Vos réponses servent à évaluer l'éclairage adaptatif.",
            "text_en": "Your answers are used to evaluate adaptive lighting.",
            "instructions_fr": "Accueil de la mairie, du lundi au vendredi, 9 h – 12 h.",
            "instructions_en": "Town hall front desk, Monday to Friday, 9am – 12pm."}
    published = client.post(f"/api/v1/pilots/{s.pilot_id}/consent",
                            headers=bearer(settings, s.t.commune_city), json=body)
    assert published.status_code == 201, published.text
    assert published.json()["instructions_en"] == body["instructions_en"]
    listed = {p["id"]: p for p in client.get("/api/v1/public/pilots").json()["items"]}
    how = listed[str(s.pilot_id)]["how_to_take_part"]
    assert how["instructions_fr"] == body["instructions_fr"]
    assert how["instructions_en"] == body["instructions_en"]
    assert listed[str(s.pilot_id)]["consent"]["text_en"] == body["text_en"]
