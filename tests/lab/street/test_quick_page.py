"""The quick feedback page from the street: plain small HTML in FR/EN, answers stored with the
channel `street`, and the abuse limits (single-use signed tokens, honeypot, rate limits)."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient
from sqlmodel import Session

from lab.feedback.models import Channel
from lab.pilots import lifecycle
from lab.settings import LabSettings
from lab.street import codes
from tests.factories import login
from tests.lab.street.scenario import quick_pilot, send, street_rows, token_of

LONG = "Une phrase assez longue pour peser dans la page, répétée pour la mesure. " * 4


def test_page_is_plain_small_html_in_french_and_english(client: TestClient,
                                                         session: Session) -> None:
    t, _pilot_id, code = quick_pilot(session)
    fr = client.get(f"/q/{code}", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"})
    en = client.get(f"/q/{code}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert fr.status_code == en.status_code == 200
    assert fr.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in fr.text and "Envoyer mon avis" in fr.text
    assert '<html lang="en">' in en.text and "Send my feedback" in en.text
    assert f'href="/q/{code}?lang=en"' in fr.text  # the visible switch
    switched = client.get(f"/q/{code}?lang=en", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in switched.text
    for page in (fr, en):
        assert "<script" not in page.text.lower() and " on" not in re.sub(r">[^<]*<", "><",
                                                                           page.text)
        assert len(page.content) < 30_000
        # a fieldset whose legend is the question, five labelled radios, a labelled comment
        assert page.text.count("<fieldset") == 1 and "<legend>" in page.text
        assert len(re.findall(r'<label class="o"><input type="radio" name="likert_useful"',
                              page.text)) == 5
        assert '<label for="comment">' in page.text and 'id="comment"' in page.text
    # twelve long questions and the 0-10 question still fit in 30 kB
    questionnaire = {"likert": [{"id": f"q{i}", "text_fr": LONG[:300], "text_en": LONG[:300]}
                                for i in range(12)],
                     "nps": True, "free_text": [{"id": "c", "text_fr": "?", "text_en": "?"}]}
    _t, _big, big_code = quick_pilot(session, t, questionnaire=questionnaire)
    big = client.get(f"/q/{big_code}")
    assert big.text.count("<fieldset") == 13 and len(big.content) < 30_000


def test_answer_is_stored_with_channel_street_and_counted_by_channel(
        client: TestClient, session: Session) -> None:
    t, pilot_id, code = quick_pilot(session)
    thanks = send(client, code, likert_useful="5", comment="Très bien, merci.")
    assert thanks.status_code == 200 and "Merci" in thanks.text
    assert f"/running?pilot={pilot_id}" in thanks.text  # the link to the pilot page
    rows = street_rows(session, pilot_id)
    assert len(rows) == 1
    row = rows[0]
    assert row.channel == Channel.street and row.tester_id is None and row.recorded_by is None
    assert row.likert == {"useful": 5} and row.free_text == {"remarks": "Très bien, merci."}
    summary = client.get(f"/api/v1/pilots/{pilot_id}/feedback/summary",
                         headers=login(client, t.commune_city)).json()
    assert summary["respondents"] == 1
    (group,) = summary["likert"][0]["by_channel"]["groups"]
    assert group["group"] == "street" and group["n"] == 1, group
    # the startup's view (and the evaluation's feedback section) passes disclosure control
    disclosed = client.get(f"/api/v1/pilots/{pilot_id}/feedback/summary",
                           headers=login(client, t.startup)).json()
    (hidden,) = disclosed["likert"][0]["by_channel"]["groups"]
    assert hidden["group"] == "street" and hidden["n"]["value"] is None, hidden


def test_a_replayed_form_is_refused_with_a_page(client: TestClient, session: Session) -> None:
    _t, pilot_id, code = quick_pilot(session)
    token = token_of(client.get(f"/q/{code}"))
    assert send(client, code, token).status_code == 200
    replay = send(client, code, token, likert_useful="1")
    assert replay.status_code == 409
    assert replay.headers["content-type"].startswith("text/html")
    assert "déjà été envoyé" in replay.text and "Traceback" not in replay.text
    assert len(street_rows(session, pilot_id)) == 1


def test_the_honeypot_refuses_a_bot(client: TestClient, session: Session) -> None:
    _t, pilot_id, code = quick_pilot(session)
    refused = send(client, code, website="http://spam.example")
    assert refused.status_code == 400 and "<html" in refused.text
    assert street_rows(session, pilot_id) == []


def test_forged_foreign_and_expired_tokens_are_refused(client: TestClient, session: Session,
                                                       settings: LabSettings) -> None:
    t, pilot_id, code = quick_pilot(session)
    _t, _other, other_code = quick_pilot(session, t)
    good = token_of(client.get(f"/q/{code}"))
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    foreign = token_of(client.get(f"/q/{other_code}"))
    stale = codes.issue(settings.jwt_secret(), pilot_id,
                        int(time.time()) - settings.street_form_minutes * 60 - 5)
    for token in (forged, foreign, stale, ""):
        refused = send(client, code, token)
        assert refused.status_code == 400, token
        assert "a expiré" in refused.text
    assert street_rows(session, pilot_id) == []
    assert send(client, code, good).status_code == 200


def test_rate_limits_per_address_and_per_pilot(app, session: Session,  # type: ignore[no-untyped-def]
                                               settings: LabSettings) -> None:
    _t, pilot_id, code = quick_pilot(session)
    settings.street_rate_per_address, settings.street_rate_per_pilot = 2, 3
    with TestClient(app, client=("203.0.113.7", 5000)) as first, \
            TestClient(app, client=("198.51.100.9", 5000)) as second:
        assert [send(first, code).status_code for _ in range(3)] == [200, 200, 429]
        limited = send(first, code)
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
        assert "Trop de réponses" in limited.text
        # another address may still answer, until the pilot's own limit
        assert [send(second, code).status_code for _ in range(2)] == [200, 429]
    assert len(street_rows(session, pilot_id)) == 3


def test_a_missing_rating_shows_the_form_again_and_keeps_the_token(
        client: TestClient, session: Session) -> None:
    _t, pilot_id, code = quick_pilot(session)
    token = token_of(client.get(f"/q/{code}"))
    again = send(client, code, token, likert_useful="", comment="Bien")
    assert again.status_code == 422 and 'role="alert"' in again.text
    assert "Bien</textarea>" in again.text  # what was typed is kept
    assert street_rows(session, pilot_id) == []
    assert send(client, code, token_of(again), likert_useful="3").status_code == 200


def test_comments_are_scrubbed_and_length_limited(client: TestClient,
                                                  session: Session) -> None:
    _t, pilot_id, code = quick_pilot(session)
    too_long = send(client, code, comment="x" * 501)
    assert too_long.status_code == 422
    assert street_rows(session, pilot_id) == []
    sent = send(client, code, comment="Écrivez-moi à jean.dupont@mail.example ou au "
                                      "06 12 34 56 78, merci")
    assert sent.status_code == 200
    (row,) = street_rows(session, pilot_id)
    assert row.free_text["remarks"] == "Écrivez-moi à [email] ou au [phone], merci"


def test_a_pilot_not_running_says_so(client: TestClient, session: Session) -> None:
    t, pilot_id, code = quick_pilot(session)
    token = token_of(client.get(f"/q/{code}"))
    lifecycle.complete(session=session, actor=t.startup, pilot_id=pilot_id)
    page = client.get(f"/q/{code}", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "This pilot is not running" in page.text
    assert "<form" not in page.text
    refused = send(client, code, token)
    assert refused.status_code == 409 and "pas en cours" in refused.text
    assert street_rows(session, pilot_id) == []


def test_unknown_codes_and_garbage_get_a_page_not_json(client: TestClient,
                                                       session: Session) -> None:
    _t, _pilot_id, code = quick_pilot(session)
    for path in ("/q/zzzzzzzz", "/q/not-a-code-at-all"):
        page = client.get(path)
        assert page.status_code == 404 and page.text.startswith("<!DOCTYPE html>")
    garbage = client.post(f"/q/{code}", content=b"\x00\xff" * 10,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert garbage.status_code == 400 and garbage.text.startswith("<!DOCTYPE html>")
    huge = client.post(f"/q/{code}", data={"comment": "x" * 40_000})
    assert huge.status_code == 413 and huge.text.startswith("<!DOCTYPE html>")
    # codes read aloud: upper case, a dash, O for 0 are all accepted
    assert client.get(f"/q/{codes.spaced(code)}").status_code == 200
