"""Published results: what anyone reads of an evaluated pilot, disclosure-controlled, and the
city's hold on publication."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from lab.audit.models import AuditLog
from lab.settings import LabSettings
from tests.lab.feedback.scenario import bearer, make_setting
from tests.lab.publication.scenario import ESTIMATE, evaluate, plant_feedback

URL = "/api/v1/public/results"


def _disclosed(doc: Any) -> Iterator[Any]:
    """Every shown-or-withheld number ({value, reason}) in a document."""
    if isinstance(doc, dict):
        if "value" in doc and "reason" in doc:
            yield doc["value"]
        for item in doc.values():
            yield from _disclosed(item)
    elif isinstance(doc, list):
        for item in doc:
            yield from _disclosed(item)


def _csv(client: TestClient) -> list[dict[str, str]]:
    response = client.get(f"{URL}.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_a_group_of_seven_never_shows_in_public_results(client: TestClient, session: Session,
                                                        settings: LabSettings) -> None:
    s = make_setting(session)
    plant_feedback(client, session, settings, s, web=20, mediated=7)
    evaluate(session, s)
    detail = client.get(f"{URL}/{s.pilot_id}")
    assert detail.status_code == 200, detail.text
    body = detail.json()
    # 27 respondents in all: shown rounded to 25, never exact.
    assert body["respondents"] == {"value": 25, "reason": None}
    groups = {g["group"]: g for g in body["feedback"]["nps"]["by_channel"]["groups"]}
    assert set(groups) == {"web", "phone"}
    phone = list(_disclosed(groups["phone"]))
    assert phone and all(v is None for v in phone)  # the seven phone answers: all withheld
    # Showing the web group's count would reveal the phone group's (the total minus it).
    assert groups["web"]["n"]["value"] is None
    assert "free_text" not in body["feedback"]
    listed = client.get(URL).json()
    assert listed["total"] == 1 and listed["items"][0]["respondents"]["value"] == 25
    (row,) = _csv(client)
    assert row["respondents"] == "25" and row["pilot_id"] == str(s.pilot_id)
    assert "7" not in {row["respondents"], row["nps"]}


def test_seven_respondents_in_all_show_no_number(client: TestClient, session: Session,
                                                  settings: LabSettings) -> None:
    s = make_setting(session)
    plant_feedback(client, session, settings, s, web=4, mediated=3)
    evaluate(session, s)
    body = client.get(f"{URL}/{s.pilot_id}").json()
    values = list(_disclosed(body))
    assert len(values) > 20 and all(v is None for v in values)
    assert body["respondents"]["reason"] == "suppressed_small_count"
    (item,) = client.get(URL).json()["items"]
    assert item["respondents"]["value"] is None and item["nps"]["value"] is None
    (row,) = _csv(client)
    assert row["respondents"] == row["nps"] == ""


def test_results_carry_the_protocol_effect_and_plain_words(client: TestClient, session: Session,
                                                           settings: LabSettings) -> None:
    s = make_setting(session)
    evaluation = evaluate(session, s)
    body = client.get(f"{URL}/{s.pilot_id}").json()
    assert body["protocol"]["sha256"] == evaluation.protocol_hash
    assert body["protocol"]["pilot_start"].startswith("2026-02-28T23:00:00")
    assert body["hypothesis"].startswith("Adaptive dimming")
    assert body["primary"]["effect"] == ESTIMATE["effect"]
    assert (body["primary"]["ci_low"], body["primary"]["ci_high"]) == (-20.0, -5.0)
    assert "-12.5" in body["summary_en"] and "excludes zero" in body["summary_en"]
    assert "−12,5" in body["summary_fr"] and "exclut zéro" in body["summary_fr"]
    assert body["recommendation"] == "scale_up" and body["recommendation_fr"]


def test_an_interval_across_zero_is_said_so() -> None:
    from lab.publication.words import summaries

    en, fr = summaries("Energy", {**ESTIMATE, "ci_low": -3.0, "ci_high": 1.0}, None)
    assert "includes zero" in en and "inclut zéro" in fr
    en, fr = summaries("Energy", None, "no readings in the pilot period")
    assert "No estimate" in en and "no readings" in fr


def test_only_evaluated_pilots_are_public(client: TestClient, session: Session) -> None:
    s = make_setting(session)  # running, not evaluated
    assert client.get(f"{URL}/{s.pilot_id}").status_code == 404
    assert client.get(URL).json()["total"] == 0


def test_the_city_holds_publication_back_with_a_reason(client: TestClient, session: Session,
                                                       settings: LabSettings) -> None:
    s = make_setting(session)
    evaluate(session, s)
    url = f"/api/v1/pilots/{s.pilot_id}/publication"
    city = bearer(settings, s.t.commune_city)
    no_reason = client.post(url, headers=city, json={"hold": True})
    assert no_reason.status_code == 422
    startup = client.post(url, headers=bearer(settings, s.t.startup),
                          json={"hold": True, "reason": "not mine to hold"})
    assert startup.status_code == 403
    held = client.post(url, headers=city, json={"hold": True,
                                                "reason": "Data under correction"})
    assert held.status_code == 200 and held.json()["held"] and not held.json()["published"]
    assert client.get(f"{URL}/{s.pilot_id}").status_code == 404
    assert client.get(URL).json()["total"] == 0 and len(_csv(client)) == 0
    seen = client.get(url, headers=bearer(settings, s.t.startup)).json()
    assert seen["reason"] == "Data under correction"
    released = client.post(url, headers=city, json={"hold": False, "reason": "corrected"})
    assert released.json()["published"] and not released.json()["held"]
    assert client.get(f"{URL}/{s.pilot_id}").status_code == 200
    actions = session.exec(select(AuditLog.action, AuditLog.reason)
                           .where(AuditLog.object_id == str(s.pilot_id),
                                  AuditLog.action.startswith("publication."))  # type: ignore[attr-defined]
                           .order_by(AuditLog.id)).all()  # type: ignore[arg-type]
    assert [tuple(a) for a in actions] == [("publication.hold", "Data under correction"),
                                           ("publication.release", "corrected")]
