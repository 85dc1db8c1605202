"""Feedback through a mediator: for a pseudonymous tester's code or anonymously, with the
channel and the mediator as recorder, only for pilots that concern the mediator's authority."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from lab.feedback.models import Feedback
from lab.settings import LabSettings
from tests.lab.feedback.scenario import answers, bearer, key, make_setting


def _register(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    response = client.post("/api/v1/citizens/testers", headers=headers,
                           json={"digital_comfort": "not_at_ease", "age_band": "75_plus"})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_mediator_records_phone_feedback_for_a_pseudonymous_tester(
    client: TestClient, session: Session, settings: LabSettings
) -> None:
    s = make_setting(session)
    mediator = bearer(settings, s.mediator)
    tester = _register(client, mediator)
    url = f"/api/v1/pilots/{s.pilot_id}/feedback/mediated"
    body = answers(channel="phone", tester_code=tester["code"].lower().replace("-", " "))
    not_yet = client.post(url, headers={**mediator, **key()}, json=body)
    assert not_yet.status_code == 403  # consent first, even by phone
    enrolled = client.post("/api/v1/citizens/testers/enrollments", headers=mediator, json={
        "code": tester["code"], "pilot_id": str(s.pilot_id),
        "consent_version": s.consent_version})
    assert enrolled.status_code == 200, enrolled.text
    idem = key()
    first = client.post(url, headers={**mediator, **idem}, json=body)
    assert first.status_code == 201, first.text
    assert client.post(url, headers={**mediator, **idem}, json=body).json() == first.json()
    row = session.get(Feedback, uuid.UUID(first.json()["id"]))
    assert row is not None
    assert (row.channel, row.recorded_by, str(row.tester_id)) == \
        ("phone", s.mediator.id, tester["id"])
    city = client.get(f"/api/v1/pilots/{s.pilot_id}/feedback",
                      headers=bearer(settings, s.t.commune_city)).json()
    assert city["items"][0]["tester"] == tester["pseudonym"]
    assert city["items"][0]["recorded_by"] == str(s.mediator.id)


def test_anonymous_paper_feedback_needs_no_tester(client: TestClient, session: Session,
                                                  settings: LabSettings) -> None:
    s = make_setting(session)
    mediator = bearer(settings, s.mediator)
    response = client.post(f"/api/v1/pilots/{s.pilot_id}/feedback/mediated",
                           headers={**mediator, **key()}, json=answers(channel="paper"))
    assert response.status_code == 201, response.text
    row = session.get(Feedback, uuid.UUID(response.json()["id"]))
    assert row is not None and row.tester_id is None and row.channel == "paper"
    assert row.idem_scope == s.mediator.id


def test_mediated_feedback_is_refused_outside_the_rules(client: TestClient, session: Session,
                                                        settings: LabSettings) -> None:
    s = make_setting(session)
    url = f"/api/v1/pilots/{s.pilot_id}/feedback/mediated"
    stranger = client.post(url, headers={**bearer(settings, s.stranger_mediator), **key()},
                           json=answers(channel="counter"))
    assert stranger.status_code == 403 and "not concerned" in stranger.json()["detail"]
    mediator = bearer(settings, s.mediator)
    web = client.post(url, headers={**mediator, **key()}, json=answers(channel="web"))
    assert web.status_code == 422 and web.json()["errors"][0]["field"] == "channel"
    unknown = client.post(url, headers={**mediator, **key()},
                          json=answers(channel="phone", tester_code="ZZZZZ-ZZZZZ"))
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["field"] == "code"
    citizen_route = client.post(f"/api/v1/pilots/{s.pilot_id}/feedback",
                                headers={**mediator, **key()}, json=answers())
    assert citizen_route.status_code == 403
    city = client.post(url, headers={**bearer(settings, s.t.commune_city), **key()},
                       json=answers(channel="phone"))
    assert city.status_code == 403
    assert session.exec(select(func.count()).select_from(Feedback)).one() == 0


def test_paper_forms_keep_the_day_they_were_filled_in(client: TestClient, session: Session,
                                                      settings: LabSettings) -> None:
    s = make_setting(session)
    mediator = bearer(settings, s.mediator)
    url = f"/api/v1/pilots/{s.pilot_id}/feedback/mediated"
    today = datetime.now(UTC).date()
    before = session.exec(select(func.count()).select_from(Feedback)).one()
    for refused in (today + timedelta(days=1), today - timedelta(days=91)):
        answer = client.post(url, headers={**mediator, **key()},
                             json={**answers(channel="paper"), "collected_on": str(refused)})
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"] == "collected_on"
    assert session.exec(select(func.count()).select_from(Feedback)).one() == before

    last_week = today - timedelta(days=7)
    stored = client.post(url, headers={**mediator, **key()},
                         json={**answers(channel="paper"), "collected_on": str(last_week)})
    assert stored.status_code == 201, stored.text
    assert stored.json()["collected_on"] == str(last_week)
    row = session.get(Feedback, uuid.UUID(stored.json()["id"]))
    assert row is not None and row.collected_on == last_week
    city = client.get(f"/api/v1/pilots/{s.pilot_id}/feedback",
                      headers=bearer(settings, s.t.commune_city)).json()
    assert city["items"][0]["collected_on"] == str(last_week)
