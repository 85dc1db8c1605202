"""What startups and city members read: disclosure-controlled aggregates and scrubbed free text
for the startup, individual answers under pseudonyms for the city; channel in every
breakdown."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from lab.auth.models import Role, User
from lab.citizens import models as citizen_models
from lab.settings import LabSettings
from tests.factories import make_user
from tests.lab.feedback.scenario import (
    Setting,
    answers,
    bearer,
    enrolled_citizen,
    key,
    make_setting,
    running_pilot,
)

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"(?:\+33|0033|\b0)\s?[1-9](?:[\s.-]?\d{2}){4}")
NAMES = ["Jeanne Martin", "Karim Benali", "Élodie Rousseau"]


def _ints(value: Any) -> Iterator[int]:
    """Every integer in a JSON document (booleans aside)."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _ints(item)
    elif isinstance(value, list):
        for item in value:
            yield from _ints(item)


def _feed(client: TestClient, session: Session, settings: LabSettings, s: Setting,
          n: int) -> list[User]:
    """n web testers answer, each leaving personal data in the free text."""
    users = []
    for i in range(n):
        name = NAMES[i % len(NAMES)]
        user = enrolled_citizen(session, s, name=name,
                                age_band=["18_29", "45_59", "75_plus"][i % 3],
                                digital_comfort=["at_ease", "not_at_ease"][i % 2])
        first, last = name.split()
        text = (f"Moi c'est {first} {last.upper()}, écrivez à {first.lower()}.{i}@mail.example "
                f"ou appelez le 06 12 34 5{i % 10} 7{i % 10} / +33 7 98 76 54 3{i % 10}. "
                "La rue est mieux éclairée.")
        body = answers(likert={"comfort": 1 + i % 5, "light": 5 - i % 3}, nps=i % 11,
                       free_text={"remarks": text})
        response = client.post(f"/api/v1/pilots/{s.pilot_id}/feedback", json=body,
                               headers={**bearer(settings, user), **key()})
        assert response.status_code == 201, response.text
        users.append(user)
    return users


def _startup_reads(client: TestClient, headers: dict[str, str],
                   pilot_id: uuid.UUID) -> list[tuple[str, Any]]:
    """Every GET of the feedback endpoints, as the startup calls them (with each breakdown)."""
    out = []
    for template, operations in client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        if "get" not in operations or not template.startswith("/api/v1/pilots/{pilot_id}/"):
            continue
        if not any(p in template for p in ("feedback", "keep", "outcome", "questionnaire")):
            continue
        path = template.replace("{pilot_id}", str(pilot_id)).replace(
            "{feedback_id}", str(uuid.uuid4()))
        params = [{}, {"by": "age_band"}, {"by": "digital_comfort"}] \
            if path.endswith("/summary") else [{}]
        for p in params:
            response = client.get(path, headers=headers, params=p)
            out.append((f"{template} {p}", response.json()))
    return out


def test_a_startup_never_receives_a_small_count_an_email_a_phone_or_a_name(
    client: TestClient, session: Session, settings: LabSettings
) -> None:
    s = make_setting(session)
    _feed(client, session, settings, s, 14)
    startup = bearer(settings, s.t.startup)
    reads = _startup_reads(client, startup, s.pilot_id)
    assert len(reads) >= 6
    summary = next(body for path, body in reads if "summary {}" in path)
    assert summary["view"] == "disclosed" and summary["respondents"]["value"] == 15
    texts = summary["free_text"][0]["answers"]
    assert len(texts) == 14 and all("[email]" in t and "[phone]" in t for t in texts)
    assert all("[name]" in t for t in texts)
    for path, body in reads:
        document = str(body)
        assert not EMAIL.search(document), path
        assert not PHONE.search(document), path
        for name in NAMES:
            for word in name.split():
                assert word.lower() not in document.lower(), (path, word)
        if "/questionnaire" in path:
            continue  # the questions and their scales (1–5, 0–10), no answer of anyone
        small = [v for v in _ints(body) if v <= 7]
        assert not small, (path, small)


def test_few_answers_show_the_startup_nothing_countable(client: TestClient, session: Session,
                                                        settings: LabSettings) -> None:
    s = make_setting(session)
    _feed(client, session, settings, s, 3)
    summary = client.get(f"/api/v1/pilots/{s.pilot_id}/feedback/summary",
                         headers=bearer(settings, s.t.startup)).json()
    assert summary["respondents"] == {"value": None, "reason": "suppressed_small_count"}
    assert summary["free_text"][0]["answers"] == []
    assert summary["likert"][0]["by_channel"]["overall"]["mean"]["value"] is None
    assert [v for v in _ints(summary) if v <= 7] == []


def test_a_startup_cannot_read_another_pilots_feedback(client: TestClient, session: Session,
                                                       settings: LabSettings) -> None:
    s = make_setting(session)
    _feed(client, session, settings, s, 8)
    other = bearer(settings, s.t.other_startup)
    for path in ("/feedback/summary", "/feedback", "/questionnaire"):
        response = client.get(f"/api/v1/pilots/{s.pilot_id}{path}", headers=other)
        if path == "/questionnaire":
            continue  # the questions themselves are not feedback
        assert response.status_code == 404, path
    own = bearer(settings, s.t.startup)
    assert client.get(f"/api/v1/pilots/{s.pilot_id}/feedback", headers=own).status_code == 404


def test_city_members_see_each_answer_under_a_pseudonym_and_exact_aggregates(
    client: TestClient, session: Session, settings: LabSettings
) -> None:
    s = make_setting(session)
    users = _feed(client, session, settings, s, 3)
    city = bearer(settings, s.t.commune_city)
    page = client.get(f"/api/v1/pilots/{s.pilot_id}/feedback", headers=city).json()
    assert page["total"] == 3
    pseudonyms = {session.get(citizen_models.Tester, u.id).pseudonym for u in users}  # type: ignore[union-attr]
    assert {item["tester"] for item in page["items"]} == pseudonyms
    document = str(page["items"])
    assert all(u.email not in document for u in users)
    assert all(key_ not in page["items"][0] for key_ in ("email", "name", "tester_id"))
    summary = client.get(f"/api/v1/pilots/{s.pilot_id}/feedback/summary", headers=city,
                         params={"by": "age_band"}).json()
    assert summary["view"] == "exact" and summary["respondents"] == 3
    assert summary["likert"][0]["by_channel"]["overall"]["n"] == 3
    assert {g["group"] for g in summary["likert"][0]["by_age_band"]["groups"]} == \
        {"18_29", "45_59", "75_plus"}
    stranger = bearer(settings, make_user(session, Role.city, authority=s.stranger_authority))
    assert client.get(f"/api/v1/pilots/{s.pilot_id}/feedback",
                      headers=stranger).status_code == 404


def test_channel_is_in_every_breakdown(client: TestClient, session: Session,
                                       settings: LabSettings) -> None:
    s = make_setting(session)
    _feed(client, session, settings, s, 9)
    mediator = bearer(settings, s.mediator)
    for i in range(9):
        response = client.post(f"/api/v1/pilots/{s.pilot_id}/feedback/mediated",
                               headers={**mediator, **key()},
                               json=answers(channel="phone", nps=10 - i % 3))
        assert response.status_code == 201, response.text
    for headers in (bearer(settings, s.t.startup), bearer(settings, s.t.commune_city)):
        summary = client.get(f"/api/v1/pilots/{s.pilot_id}/feedback/summary", headers=headers,
                             params={"by": "digital_comfort"}).json()
        for block in [*summary["likert"], summary["nps"], summary["sus"]]:
            assert {g["group"] for g in block["by_channel"]["groups"]} == {"phone", "web"}
            assert "by_digital_comfort" in block
    startup = client.get(f"/api/v1/pilots/{s.pilot_id}/feedback/summary",
                         headers=bearer(settings, s.t.startup)).json()
    phone = next(g for g in startup["nps"]["by_channel"]["groups"] if g["group"] == "phone")
    assert phone["n"]["value"] == 10  # 9 rounded to 5
    assert phone["promoters"] == {"value": None, "reason": "suppressed_small_count"}  # 6


def test_a_pilot_without_answers_has_an_empty_summary(client: TestClient, session: Session,
                                                      settings: LabSettings) -> None:
    s = make_setting(session)
    quiet = running_pilot(session, s.t, questionnaire={"likert": [], "nps": True})
    for who in (s.t.startup, s.t.commune_city):
        response = client.get(f"/api/v1/pilots/{quiet}/feedback/summary",
                              headers=bearer(settings, who))
        assert response.status_code == 200, response.text
        assert response.json()["sus"] is None and response.json()["likert"] == []
