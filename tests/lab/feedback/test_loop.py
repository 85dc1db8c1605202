"""Closing the loop: the "keep it?" question once the pilot ended, and the city's summary."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from lab.settings import LabSettings
from tests.lab.feedback.scenario import bearer, enrolled_citizen, make_citizen, make_setting

SUMMARY = {"summary_fr": "Le pilote a réduit la consommation de 18 %, il est conservé.",
           "summary_en": "The pilot cut energy use by 18%; the city keeps it.",
           "decision": "kept"}


def test_testers_answer_once_the_pilot_ended_and_then_read_the_summary(
    client: TestClient, session: Session, settings: LabSettings
) -> None:
    s = make_setting(session)
    user = enrolled_citizen(session, s)
    tester = bearer(settings, user)
    withdrawn = enrolled_citizen(session, s)
    client.delete(f"/api/v1/citizens/me/enrollments/{s.pilot_id}",
                  headers=bearer(settings, withdrawn))
    keep = f"/api/v1/pilots/{s.pilot_id}/keep"
    early = client.post(keep, headers=tester, json={"answer": "yes"})
    assert early.status_code == 409 and early.json()["errors"][0]["field"] == "status"
    city = bearer(settings, s.t.commune_city)
    outcome = f"/api/v1/pilots/{s.pilot_id}/outcome"
    assert client.put(outcome, headers=city, json=SUMMARY).status_code == 409
    assert client.post(f"/api/v1/pilots/{s.pilot_id}/complete", headers=city).status_code == 200

    assert client.post(keep, headers=tester, json={"answer": "no"}).status_code == 200
    changed = client.post(keep, headers=tester, json={"answer": "yes"})
    assert changed.status_code == 200 and changed.json()["answer"] == "yes"
    assert client.post(keep, headers=bearer(settings, withdrawn),
                       json={"answer": "no"}).status_code == 403
    assert client.post(keep, headers=bearer(settings, make_citizen(session)),
                       json={"answer": "no"}).status_code == 403
    assert client.post(keep, headers=tester, json={"answer": "maybe"}).status_code == 422

    mine = client.get("/api/v1/citizens/me/pilots", headers=tester).json()["items"][0]
    assert mine["can_answer_keep_question"] and not mine["can_give_feedback"]
    assert mine["keep_answer"] == "yes" and mine["outcome"] is None
    assert client.get(outcome, headers=tester).status_code == 404

    startup = bearer(settings, s.t.startup)
    assert client.put(outcome, headers=startup, json=SUMMARY).status_code == 403
    assert client.put(outcome, headers=bearer(settings, s.mediator),
                      json=SUMMARY).status_code == 403
    published = client.put(outcome, headers=city, json=SUMMARY)
    assert published.status_code == 200, published.text
    mine = client.get("/api/v1/citizens/me/pilots", headers=tester).json()["items"][0]
    assert mine["outcome"]["decision"] == "kept"
    assert mine["outcome"]["summary_fr"].startswith("Le pilote")
    assert client.get(outcome, headers=tester).json()["summary_en"] == SUMMARY["summary_en"]

    # One answer: the startup sees no count of it; the city sees it exactly.
    seen = client.get(f"/api/v1/pilots/{s.pilot_id}/feedback/summary", headers=startup).json()
    assert seen["keep"]["total"] == {"value": None, "reason": "suppressed_small_count"}
    exact = client.get(f"/api/v1/pilots/{s.pilot_id}/feedback/summary", headers=city).json()
    assert exact["keep"] == {"counts": {"yes": 1, "no": 0, "unsure": 0}, "total": 1}


def test_a_mediator_records_the_closing_answer_by_code(client: TestClient, session: Session,
                                                       settings: LabSettings) -> None:
    s = make_setting(session)
    mediator = bearer(settings, s.mediator)
    tester = client.post("/api/v1/citizens/testers", headers=mediator, json={}).json()
    client.post("/api/v1/citizens/testers/enrollments", headers=mediator, json={
        "code": tester["code"], "pilot_id": str(s.pilot_id),
        "consent_version": s.consent_version})
    client.post(f"/api/v1/pilots/{s.pilot_id}/complete", headers=bearer(settings, s.t.startup))
    answered = client.post(f"/api/v1/pilots/{s.pilot_id}/keep/mediated", headers=mediator,
                           json={"answer": "unsure", "tester_code": tester["code"],
                                 "channel": "phone"})
    assert answered.status_code == 200, answered.text
    pilots = client.post("/api/v1/citizens/testers/pilots", headers=mediator,
                         json={"code": tester["code"]}).json()
    assert pilots["items"][0]["keep_answer"] == "unsure"
