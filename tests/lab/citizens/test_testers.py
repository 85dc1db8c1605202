"""Testers: public sign-up (rate-limited), pseudonymous testers registered by mediators,
consent texts and enrollment, and what the public list tells about taking part."""

from __future__ import annotations

import hashlib
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from lab.audit.models import AuditLog
from lab.auth.models import Role
from lab.citizens import models as citizen_models
from lab.settings import LabSettings
from tests.factories import login, make_user
from tests.lab.feedback.scenario import bearer, make_citizen, make_setting, running_pilot

SIGN_UP = "/api/v1/public/testers"


def test_a_citizen_signs_up_logs_in_and_bands_are_optional(
    client: TestClient, session: Session
) -> None:
    response = client.post(SIGN_UP, json={"email": "Ana@Mail.Example",
                                          "password": "correct horse battery staple"})
    assert response.status_code == 201, response.text
    tester = response.json()
    assert tester["kind"] == "web" and tester["pseudonym"].startswith("T-")
    assert tester["age_band"] is None and "email" not in tester
    user = session.exec(text(
        "SELECT id, role FROM \"user\" WHERE email = 'ana@mail.example'")).one()
    assert user.role == "citizen"
    headers = client.post("/api/v1/auth/token", data={
        "username": "ana@mail.example", "password": "correct horse battery staple"}).json()
    me = client.get("/api/v1/citizens/me",
                    headers={"Authorization": f"Bearer {headers['access_token']}"})
    assert me.status_code == 200 and me.json()["id"] == tester["id"]
    banded = client.post(SIGN_UP, json={"email": "bob@mail.example", "password": "x" * 12,
                                        "age_band": "60_74", "digital_comfort": "somewhat"})
    assert banded.status_code == 201 and banded.json()["age_band"] == "60_74"
    # The append-only audit log never holds an email.
    entries = session.exec(select(AuditLog).where(AuditLog.action == "tester.sign_up")).all()
    assert len(entries) == 2 and "mail.example" not in str([e.after for e in entries])


def test_sign_up_refusals_name_the_field(client: TestClient, session: Session) -> None:
    client.post(SIGN_UP, json={"email": "dup@mail.example", "password": "x" * 12})
    cases = [({"email": "dup@mail.example", "password": "x" * 12}, 409, "email"),
             ({"email": "not-an-email", "password": "x" * 12}, 422, "email"),
             ({"email": "c@mail.example", "password": "short"}, 422, "password"),
             ({"email": "d@mail.example", "password": "x" * 12, "age_band": "old"}, 422,
              "age_band"),
             ({"email": "e@mail.example", "password": "x" * 12, "role": "admin"}, 201, None)]
    for body, status, field in cases:
        response = client.post(SIGN_UP, json=body)
        assert response.status_code == status, (body, response.text)
        if field:
            assert response.json()["errors"][0]["field"] == field
    # Extra fields are ignored, never obeyed: the account is a citizen's.
    role = session.exec(text("SELECT role FROM \"user\" WHERE email = 'e@mail.example'")).one()
    assert role[0] == "citizen"


def test_sign_up_is_rate_limited_per_address(client: TestClient, settings: LabSettings) -> None:
    settings.signup_rate_limit = 2
    statuses = [client.post(SIGN_UP, json={"email": f"n{i}@mail.example",
                                           "password": "x" * 12}).status_code
                for i in range(3)]
    assert statuses == [201, 201, 429]


def test_a_mediator_registers_a_pseudonymous_tester_with_a_code(
    client: TestClient, session: Session, settings: LabSettings
) -> None:
    s = make_setting(session)
    mediator = bearer(settings, s.mediator)
    created = client.post("/api/v1/citizens/testers", headers=mediator,
                          json={"name": "Mme Petit", "digital_comfort": "not_at_ease"})
    assert created.status_code == 201, created.text
    body = created.json()
    code = body["code"]
    assert len(code) == 11 and code[5] == "-" and body["kind"] == "pseudonymous"
    assert body["created_at"].endswith(("Z", "+00:00"))  # an instant, on SQLite too
    row = session.get(citizen_models.Tester, uuid.UUID(body["id"]))
    assert row is not None and row.user_id is None and row.code_digest
    assert code not in str(vars(row)) and code.replace("-", "") not in row.code_digest
    # a slow, memory-hard digest (RFC 7914 scrypt, N=2^14, r=8): trying all 2^50 codes
    # against a stolen database is out of reach, as it would not be with one SHA-256
    assert row.code_digest == hashlib.scrypt(code.replace("-", "").encode(),
                                             salt=b"terrain-tester-code", n=2**14, r=8, p=1,
                                             dklen=32).hex()
    for typed in (code, code.lower(), code.replace("-", " ")):
        found = client.post("/api/v1/citizens/testers/lookup", headers=mediator,
                            json={"code": typed})
        assert found.status_code == 200 and found.json()["id"] == body["id"]
    assert "code" not in found.json()
    assert client.post("/api/v1/citizens/testers", headers=bearer(settings, s.t.commune_city),
                       json={}).status_code == 403
    assert client.post("/api/v1/citizens/testers/lookup", json={"code": code},
                       headers=bearer(settings, s.t.startup)).status_code == 403


def test_consent_versions_are_published_by_the_city_concerned_and_accepted_by_version(
    client: TestClient, session: Session, settings: LabSettings
) -> None:
    s = make_setting(session)
    url = f"/api/v1/pilots/{s.pilot_id}/consent"
    text_ = {"text_fr": "Nouvelle version du texte de consentement.",
             "text_en": "A new version of the consent text, in English."}
    assert client.post(url, headers=bearer(settings, s.t.startup), json=text_).status_code == 403
    stranger = make_user(session, Role.city, authority=s.stranger_authority)
    assert client.post(url, headers=bearer(settings, stranger), json=text_).status_code == 403
    v2 = client.post(url, headers=bearer(settings, s.t.epci_city), json=text_)
    assert v2.status_code == 201 and v2.json()["version"] == 2
    user = make_citizen(session)
    tester = bearer(settings, user)
    enroll = f"/api/v1/citizens/me/enrollments/{s.pilot_id}"
    old = client.post(enroll, headers=tester, json={"consent_version": 1})
    assert old.status_code == 422 and old.json()["errors"][0]["field"] == "consent_version"
    accepted = client.post(enroll, headers=tester, json={"consent_version": 2})
    assert accepted.status_code == 200 and accepted.json()["consent_version"] == 2
    assert accepted.json()["accepted_at"] and accepted.json()["withdrawn_at"] is None
    trail = session.exec(select(AuditLog).where(AuditLog.action == "enrollment.accept")).all()
    assert trail[-1].after == {"pilot_id": str(s.pilot_id), "consent_version": 2}
    mine = client.get("/api/v1/citizens/me/pilots", headers=tester).json()["items"]
    assert mine[0]["consent_current"] and mine[0]["can_give_feedback"]
    assert client.get(url, headers=tester).json()["version"] == 2


def test_enrollment_needs_a_running_pilot_with_a_consent_text(
    client: TestClient, session: Session, settings: LabSettings
) -> None:
    s = make_setting(session)
    tester = bearer(settings, make_citizen(session))
    no_text = running_pilot(session, s.t)
    response = client.post(f"/api/v1/citizens/me/enrollments/{no_text}", headers=tester,
                           json={"consent_version": 1})
    assert response.status_code == 409 and "consent" in response.json()["detail"]
    assert client.post(f"/api/v1/citizens/me/enrollments/{s.pilot_id}",
                       headers=bearer(settings, s.t.startup),
                       json={"consent_version": 1}).status_code == 403


def test_the_public_list_says_how_to_take_part_and_shows_the_consent_text(
    client: TestClient, session: Session
) -> None:
    s = make_setting(session)
    quiet = running_pilot(session, s.t)
    items = {i["id"]: i for i in client.get("/api/v1/public/pilots").json()["items"]}
    listed = items[str(s.pilot_id)]
    assert listed["area"]["type"] == "FeatureCollection" and listed["area"]["features"]
    assert listed["consent"]["version"] == 1 and listed["consent"]["text_en"]
    how = listed["how_to_take_part"]
    assert how["open"] and s.t.commune.name in how["in_person_at"]
    assert "médiateur" in how["text_fr"] and "mediator" in how["text_en"]
    assert items[str(quiet)]["how_to_take_part"]["open"] is False
    assert items[str(quiet)]["consent"] is None


def test_a_tester_updates_optional_bands_and_name(client: TestClient, session: Session,
                                                  settings: LabSettings) -> None:
    user = make_citizen(session, name="Ana")
    headers = bearer(settings, user)
    changed = client.patch("/api/v1/citizens/me", headers=headers,
                           json={"age_band": "30_44"}).json()
    assert changed["age_band"] == "30_44" and changed["name"] == "Ana"
    cleared = client.patch("/api/v1/citizens/me", headers=headers,
                           json={"clear_name": True, "age_band": None}).json()
    assert cleared["name"] is None and cleared["age_band"] is None
    assert client.get("/api/v1/citizens/me",
                      headers=login(client, make_user(session, Role.city))).status_code == 403


def test_a_code_stored_before_scrypt_is_still_found(
    client: TestClient, session: Session, settings: LabSettings
) -> None:
    s = make_setting(session)
    code = "7K2QM-XW9PD"
    legacy = hashlib.sha256(b"terrain-tester-code:7K2QMXW9PD").hexdigest()
    tester = citizen_models.Tester(kind=citizen_models.TesterKind.pseudonymous,
                                   pseudonym="T-LEGACY", code_digest=legacy,
                                   registered_by=s.mediator.id,
                                   authority_id=s.mediator.authority_id)
    session.add(tester)
    session.commit()
    found = client.post("/api/v1/citizens/testers/lookup", headers=bearer(settings, s.mediator),
                        json={"code": code.lower()})
    assert found.status_code == 200 and found.json()["id"] == str(tester.id)
    assert client.post("/api/v1/citizens/testers/lookup", headers=bearer(settings, s.mediator),
                       json={"code": "7K2QM-XW9PE"}).status_code == 404
