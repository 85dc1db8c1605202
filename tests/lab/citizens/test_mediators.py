"""Mediators act on a pilot's testers only for pilots that concern their authority (issue 13);
the paper code stays a bearer secret for the person's own record, at any counter."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from lab.citizens.models import Enrollment
from lab.settings import LabSettings
from tests.lab.feedback.scenario import bearer, make_setting

TESTERS = "/api/v1/citizens/testers"


def _register(client: TestClient, headers: dict[str, str]) -> str:
    created = client.post(TESTERS, headers=headers, json={"name": "M. Roux"})
    assert created.status_code == 201, created.text
    code: str = created.json()["code"]
    return code


def _enrollments(session: Session) -> list[tuple[object, object]]:
    return [(e.pilot_id, e.withdrawn_at) for e in session.exec(select(Enrollment)).all()]


def test_a_mediator_of_an_unrelated_authority_cannot_enroll_in_a_pilot(
        client: TestClient, session: Session, settings: LabSettings) -> None:
    s = make_setting(session)
    stranger = bearer(settings, s.stranger_mediator)
    code = _register(client, stranger)  # the person is known at the stranger's counter
    body = {"code": code, "pilot_id": str(s.pilot_id), "consent_version": s.consent_version}
    refused = client.post(f"{TESTERS}/enrollments", headers=stranger, json=body)
    assert refused.status_code == 403, refused.text
    assert "not concerned" in refused.json()["detail"]
    assert _enrollments(session) == []
    accepted = client.post(f"{TESTERS}/enrollments", headers=bearer(settings, s.mediator),
                           json=body)
    assert accepted.status_code == 200, accepted.text
    assert _enrollments(session) == [(s.pilot_id, None)]


def test_a_withdrawal_is_taken_by_a_concerned_or_the_registering_authority_only(
        client: TestClient, session: Session, settings: LabSettings) -> None:
    s = make_setting(session)
    concerned = bearer(settings, s.mediator)
    stranger = bearer(settings, s.stranger_mediator)
    commune_code, stranger_code = _register(client, concerned), _register(client, stranger)
    for code in (commune_code, stranger_code):
        enrolled = client.post(f"{TESTERS}/enrollments", headers=concerned, json={
            "code": code, "pilot_id": str(s.pilot_id), "consent_version": s.consent_version})
        assert enrolled.status_code == 200
    refused = client.post(f"{TESTERS}/withdrawals", headers=stranger,
                          json={"code": commune_code, "pilot_id": str(s.pilot_id)})
    assert refused.status_code == 403
    assert all(withdrawn is None for _, withdrawn in _enrollments(session))
    # The counter that registered the person takes their withdrawal from any pilot.
    own = client.post(f"{TESTERS}/withdrawals", headers=stranger,
                      json={"code": stranger_code, "pilot_id": str(s.pilot_id)})
    assert own.status_code == 200 and own.json()["withdrawn_at"] is not None
    assert sorted(w is None for _, w in _enrollments(session)) == [False, True]


def test_the_code_is_a_bearer_secret_for_the_persons_own_record_at_any_counter(
        client: TestClient, session: Session, settings: LabSettings) -> None:
    s = make_setting(session)
    code = _register(client, bearer(settings, s.mediator))
    stranger = bearer(settings, s.stranger_mediator)
    found = client.post(f"{TESTERS}/lookup", headers=stranger, json={"code": code})
    assert found.status_code == 200
    exported = client.post(f"{TESTERS}/export", headers=stranger, json={"code": code})
    assert exported.status_code == 200, exported.text
    wrong = client.post(f"{TESTERS}/lookup", headers=stranger, json={"code": "00000-00000"})
    assert wrong.status_code == 404
