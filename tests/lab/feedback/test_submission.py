"""Web submissions: strict validation naming the field, nothing stored when refused,
idempotent retries, consent and rate limits, photos stripped of their metadata."""

from __future__ import annotations

import io
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from minio import Minio
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from lab.app import create_app
from lab.auth.models import Role
from lab.auth.security import create_access_token
from lab.feedback.models import Feedback
from lab.settings import LabSettings
from tests.factories import make_user
from tests.lab.feedback.scenario import (
    answers,
    b64,
    bearer,
    enrolled_citizen,
    jpeg_with_gps,
    key,
    make_citizen,
    make_setting,
    png,
)


def _rows(session: Session, pilot_id: uuid.UUID | None = None) -> int:
    query = select(func.count()).select_from(Feedback)
    if pilot_id is not None:
        query = query.where(Feedback.pilot_id == pilot_id)
    return session.exec(query).one()


def _objects(client: Minio, bucket: str) -> list[str]:
    return [o.object_name or "" for o in client.list_objects(bucket, recursive=True)]


def _post(client: TestClient, pilot_id: uuid.UUID, headers: dict[str, str],
          body: Any, idem: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/pilots/{pilot_id}/feedback",
                       headers={**headers, **(key() if idem is None else idem)}, json=body)


def test_a_valid_submission_is_stored_once_and_a_retry_answers_the_same(
    client: TestClient, session: Session, settings: LabSettings
) -> None:
    s = make_setting(session)
    tester = bearer(settings, enrolled_citizen(session, s))
    idem = key()
    first = _post(client, s.pilot_id, tester, answers(), idem)
    assert first.status_code == 201, first.text
    again = _post(client, s.pilot_id, tester, answers(), idem)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert first.json()["channel"] == "web" and first.json()["sus"][0] == 4
    assert _rows(session, s.pilot_id) == 1


def test_the_same_key_with_other_answers_is_a_conflict(client: TestClient, session: Session,
                                                       settings: LabSettings) -> None:
    s = make_setting(session)
    tester = bearer(settings, enrolled_citizen(session, s))
    idem = key()
    assert _post(client, s.pilot_id, tester, answers(), idem).status_code == 201
    other = _post(client, s.pilot_id, tester, answers(nps=3), idem)
    assert other.status_code == 409
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert _rows(session, s.pilot_id) == 1


def test_concurrent_twins_store_one_row_and_all_answer_the_same(
    settings: LabSettings, live_engine: Engine
) -> None:
    # Real commits and real threads: the losers of the race hit the unique constraint.
    with Session(live_engine, expire_on_commit=False) as session:
        s = make_setting(session)
        tester = bearer(settings, enrolled_citizen(session, s))
    app = create_app(settings, engine=live_engine)
    idem = key()

    def send(_: int) -> tuple[int, dict[str, Any]]:
        response = TestClient(app).post(f"/api/v1/pilots/{s.pilot_id}/feedback",
                                        headers={**tester, **idem}, json=answers())
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(send, range(8)))
    assert sorted(status for status, _ in results) == [200] * 7 + [201]
    assert len({json.dumps(body, sort_keys=True) for _, body in results}) == 1
    with Session(live_engine) as session:
        assert _rows(session, s.pilot_id) == 1


REFUSALS: list[tuple[str, dict[str, Any], str]] = [
    ("likert out of range", answers(likert={"comfort": 6, "light": 5}), "likert.comfort"),
    ("likert zero", answers(likert={"comfort": 0, "light": 5}), "likert.comfort"),
    ("likert as text", answers(likert={"comfort": "4", "light": 5}), "likert.comfort"),
    ("likert as a fraction", answers(likert={"comfort": 3.5, "light": 5}), "likert.comfort"),
    ("likert as a boolean", answers(likert={"comfort": True, "light": 5}), "likert.comfort"),
    ("likert item missing", answers(likert={"comfort": 4}), "likert.light"),
    ("likert item unknown", answers(likert={"comfort": 4, "light": 5, "noise": 2}),
     "likert.noise"),
    ("nps above 10", answers(nps=11), "nps"),
    ("nps below 0", answers(nps=-1), "nps"),
    ("nps missing", answers(nps=None), "nps"),
    ("sus with nine items", answers(sus=[3] * 9), "sus"),
    ("sus with eleven items", answers(sus=[3] * 11), "sus"),
    ("sus item out of range", answers(sus=[3, 3, 3, 6, 3, 3, 3, 3, 3, 3]), "sus[3]"),
    ("sus item missing", answers(sus=[3, 3, None, 3, 3, 3, 3, 3, 3, 3]), "sus[2]"),
    ("free text unknown", answers(free_text={"other": "hello"}), "free_text.other"),
    ("free text too long", answers(free_text={"remarks": "x" * 2001}), "free_text.remarks"),
    ("zone not of the pilot", answers(zone="Z-XX"), "zone"),
    ("point off the globe", answers(point={"lon": 4.85, "lat": 95}), "point.lat"),
    ("unknown field", answers(mood="great"), "mood"),
    ("photo not base64", answers(photo="not base64!"), "photo"),
    ("photo a GIF", answers(photo=b64(b"GIF89a" + b"\x00" * 64)), "photo"),
    ("photo a JPEG header on garbage", answers(photo=b64(b"\xff\xd8\xff\xe0" + b"\x00" * 200)),
     "photo"),
    ("photo a truncated PNG", answers(photo=b64(png()[:60])), "photo"),
    ("photo a text file named jpg", answers(photo=b64(b"hello, I am not a photo")), "photo"),
]


@pytest.mark.s3
def test_each_rule_is_refused_with_its_field_named_and_nothing_is_stored(
    client: TestClient, session: Session, settings: LabSettings, s3_app: dict[str, str],
    s3_client: Minio
) -> None:
    # One setting for every case: building a territory is what takes time.
    s = make_setting(session)
    tester = bearer(settings, enrolled_citizen(session, s))
    for case, body, field in REFUSALS:
        response = _post(client, s.pilot_id, tester, body)
        assert response.status_code == 422, (case, response.text)
        assert response.headers["content-type"] == "application/problem+json", case
        fields = [e["field"] for e in response.json()["errors"]]
        assert field in fields, (case, fields)
        assert _rows(session) == 0, case
        assert _objects(s3_client, s3_app["attachments"]) == [], case
    assert _post(client, s.pilot_id, tester, answers()).status_code == 201  # still can


@pytest.mark.s3
def test_a_photo_over_5_mb_is_refused_by_its_decoded_size(
    client: TestClient, session: Session, settings: LabSettings, s3_app: dict[str, str],
    s3_client: Minio
) -> None:
    s = make_setting(session)
    tester = bearer(settings, enrolled_citizen(session, s))
    photo = jpeg_with_gps()
    big = photo + b"\x00" * (5 * 1024 * 1024 + 1 - len(photo))
    response = _post(client, s.pilot_id, tester, answers(photo=b64(big)))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "photo"
    assert "5 MB" in response.json()["detail"]
    assert _rows(session) == 0 and _objects(s3_client, s3_app["attachments"]) == []


def test_a_missing_or_malformed_idempotency_key_is_refused(
    client: TestClient, session: Session, settings: LabSettings
) -> None:
    s = make_setting(session)
    tester = bearer(settings, enrolled_citizen(session, s))
    for idem in ({}, {"Idempotency-Key": "short"}, {"Idempotency-Key": "a b c d e f g h"}):
        response = _post(client, s.pilot_id, tester, answers(), idem)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert _rows(session) == 0


def test_consent_is_needed_and_a_withdrawal_blocks_new_submissions(
    client: TestClient, session: Session, settings: LabSettings
) -> None:
    s = make_setting(session)
    stranger = bearer(settings, make_citizen(session))
    refused = _post(client, s.pilot_id, stranger, answers())
    assert refused.status_code == 403 and "Enroll" in refused.json()["detail"]
    user = enrolled_citizen(session, s)
    tester = bearer(settings, user)
    assert _post(client, s.pilot_id, tester, answers()).status_code == 201
    gone = client.delete(f"/api/v1/citizens/me/enrollments/{s.pilot_id}", headers=tester)
    assert gone.status_code == 200 and gone.json()["withdrawn_at"]
    blocked = _post(client, s.pilot_id, tester, answers())
    assert blocked.status_code == 403 and "withdrawn" in blocked.json()["detail"]
    assert _rows(session, s.pilot_id) == 1
    again = client.post(f"/api/v1/citizens/me/enrollments/{s.pilot_id}", headers=tester,
                        json={"consent_version": s.consent_version})
    assert again.status_code == 200 and again.json()["withdrawn_at"] is None
    assert _post(client, s.pilot_id, tester, answers()).status_code == 201


def test_only_running_pilots_take_feedback_and_only_from_testers(
    client: TestClient, session: Session, settings: LabSettings
) -> None:
    s = make_setting(session)
    tester = bearer(settings, enrolled_citizen(session, s))
    startup = bearer(settings, s.t.startup)
    assert _post(client, s.pilot_id, startup, answers()).status_code == 403
    client.post(f"/api/v1/pilots/{s.pilot_id}/complete", headers=startup)
    closed = _post(client, s.pilot_id, tester, answers())
    assert closed.status_code == 409 and closed.json()["errors"][0]["field"] == "status"
    assert _post(client, uuid.uuid4(), tester, answers()).status_code == 404
    assert _rows(session) == 0


def test_the_per_tester_rate_limit_refuses_with_retry_after(
    client: TestClient, session: Session, settings: LabSettings
) -> None:
    settings.feedback_rate_limit = 3
    s = make_setting(session)
    tester = bearer(settings, enrolled_citizen(session, s))
    assert [_post(client, s.pilot_id, tester, answers()).status_code for _ in range(3)] == \
        [201, 201, 201]
    limited = _post(client, s.pilot_id, tester, answers())
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert _rows(session, s.pilot_id) == 3
    other = bearer(settings, enrolled_citizen(session, s))
    assert _post(client, s.pilot_id, other, answers()).status_code == 201


@pytest.mark.s3
def test_a_photo_is_stored_without_its_metadata_under_pilot_and_feedback(
    client: TestClient, session: Session, settings: LabSettings, s3_app: dict[str, str],
    s3_client: Minio
) -> None:
    from PIL import Image

    s = make_setting(session)
    tester = bearer(settings, enrolled_citizen(session, s))
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # GPS is there
    response = _post(client, s.pilot_id, tester, answers(photo=b64(original),
                                                         zone="Z-T1",
                                                         point={"lon": 4.851, "lat": 45.751}))
    assert response.status_code == 201, response.text
    fid = response.json()["id"]
    key_ = f"{s.pilot_id}/{fid}/photo.jpg"
    assert _objects(s3_client, s3_app["attachments"]) == [key_]
    stored = s3_client.get_object(s3_app["attachments"], key_).read()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (32, 24)
    assert not image.getexif() and "exif" not in image.info
    assert b"PhoneCam" not in stored and b"GPS" not in stored
    row = session.get(Feedback, uuid.UUID(fid))
    assert row is not None and row.photo_key == key_ and row.zone_code == "Z-T1"


@pytest.mark.s3
def test_a_png_keeps_its_pixels_and_loses_its_text_chunks(
    client: TestClient, session: Session, settings: LabSettings, s3_app: dict[str, str],
    s3_client: Minio
) -> None:
    from PIL import Image

    s = make_setting(session)
    tester = bearer(settings, enrolled_citizen(session, s))
    response = _post(client, s.pilot_id, tester, answers(photo=b64(png())))
    assert response.status_code == 201, response.text
    [name] = _objects(s3_client, s3_app["attachments"])
    stored = s3_client.get_object(s3_app["attachments"], name).read()
    assert name.endswith("/photo.png") and b"Jeanne" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.getpixel((3, 3)) == (0, 128, 255, 200) and "Author" not in image.info


def test_a_photo_that_cannot_be_stored_leaves_no_row(client: TestClient, session: Session,
                                                     settings: LabSettings) -> None:
    s = make_setting(session)
    client.app.state.storage = None  # type: ignore[attr-defined]
    tester = bearer(settings, enrolled_citizen(session, s))
    response = _post(client, s.pilot_id, tester, answers(photo=b64(jpeg_with_gps())))
    assert response.status_code == 503
    assert _rows(session) == 0


def test_a_disabled_testers_token_stores_nothing_and_an_api_key_still_works(
    client: TestClient, session: Session, settings: LabSettings
) -> None:
    s = make_setting(session)
    citizen = enrolled_citizen(session, s)
    token = bearer(settings, citizen)
    created = client.post("/api/v1/me/api-keys", headers=token, json={"name": "kiosk"})
    api_key = {"Authorization": f"Bearer {created.json()['key']}"}
    assert _post(client, s.pilot_id, api_key, answers()).status_code == 201
    citizen.is_active = False
    session.add(citizen)
    session.commit()
    refused = _post(client, s.pilot_id, token, answers())  # a token issued before
    assert refused.status_code == 401 and "log in again" in refused.json()["detail"]
    assert _post(client, s.pilot_id, api_key, answers()).status_code == 401
    assert _rows(session, s.pilot_id) == 1


def test_a_token_naming_a_user_who_is_not_a_tester_is_refused(
    client: TestClient, session: Session, settings: LabSettings
) -> None:
    s = make_setting(session)
    mediator = make_user(session, Role.mediator)
    # A token that claims "citizen" for a mediator's account (the role claim is not trusted).
    forged_role = create_access_token(user_id=mediator.id, role="citizen",
                                      secret=settings.jwt_secret(), lifetime=timedelta(minutes=5))
    response = _post(client, s.pilot_id, {"Authorization": f"Bearer {forged_role.token}"},
                     answers())
    assert response.status_code == 403
    assert _rows(session, s.pilot_id) == 0
