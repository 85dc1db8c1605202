"""A tester's rights: export everything held about them, and erase it — checked in the
database, in the bucket and in the audit log."""

from __future__ import annotations

import base64
import io
import uuid

import pytest
from fastapi.testclient import TestClient
from minio import Minio
from sqlalchemy import text
from sqlmodel import Session, col, func, select

from lab.audit.models import AuditLog
from lab.auth.models import ApiKey, LoginThrottle, User
from lab.citizens import models as citizen_models
from lab.feedback.models import Feedback, KeepAnswer
from lab.settings import LabSettings
from tests.lab.feedback.scenario import (
    answers,
    b64,
    bearer,
    enrolled_citizen,
    jpeg_with_gps,
    key,
    make_setting,
)


def _objects(client: Minio, bucket: str) -> list[str]:
    return sorted(o.object_name or "" for o in client.list_objects(bucket, recursive=True))


def _count(session: Session, model: type, **where: object) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.exec(query).one()


@pytest.mark.s3
def test_export_holds_profile_consents_answers_and_photos(
    client: TestClient, session: Session, settings: LabSettings, s3_app: dict[str, str],
    s3_client: Minio
) -> None:
    from PIL import Image

    s = make_setting(session)
    user = enrolled_citizen(session, s, name="Ana Lopez", age_band="30_44")
    tester = bearer(settings, user)
    url = f"/api/v1/pilots/{s.pilot_id}/feedback"
    client.post(url, headers={**tester, **key()}, json=answers(photo=b64(jpeg_with_gps())))
    client.post(url, headers={**tester, **key()}, json=answers(nps=2, zone="Z-T2"))
    exported = client.get("/api/v1/citizens/me/export", headers=tester)
    assert exported.status_code == 200
    data = exported.json()
    assert data["profile"]["email"] == user.email and data["profile"]["name"] == "Ana Lopez"
    assert data["profile"]["age_band"] == "30_44"
    assert data["enrollments"][0]["consent_version"] == s.consent_version
    assert data["enrollments"][0]["pilot_title"] == "Éclairage adaptatif"
    assert [f["nps"] for f in data["feedback"]] == [9, 2]
    assert data["feedback"][1]["zone"] == "Z-T2"
    photo = data["feedback"][0]["photo"]
    stored = s3_client.get_object(s3_app["attachments"], photo["key"]).read()
    assert base64.b64decode(photo["base64"]) == stored
    assert Image.open(io.BytesIO(stored)).format == "JPEG"
    assert {a["action"] for a in data["audit"]} >= {"enrollment.accept"}


@pytest.mark.s3
def test_erasure_deletes_answers_photos_enrollments_and_account_and_keeps_the_fact(
    client: TestClient, session: Session, settings: LabSettings, s3_app: dict[str, str],
    s3_client: Minio
) -> None:
    s = make_setting(session)
    user = enrolled_citizen(session, s, name="Ana Lopez")
    other = enrolled_citizen(session, s)
    tester, user_id, email = bearer(settings, user), user.id, user.email
    url = f"/api/v1/pilots/{s.pilot_id}/feedback"
    for body in (answers(photo=b64(jpeg_with_gps())), answers(nps=1)):
        assert client.post(url, headers={**tester, **key()}, json=body).status_code == 201
    kept = client.post(url, headers={**bearer(settings, other), **key()},
                       json=answers(photo=b64(jpeg_with_gps())))
    api_key = client.post("/api/v1/me/api-keys", headers=tester, json={"name": "script"})
    assert api_key.status_code == 201
    session.add(LoginThrottle(key=f"email:{email}", failures=1))
    session.commit()
    assert len(_objects(s3_client, s3_app["attachments"])) == 2

    refused = client.post("/api/v1/citizens/me/erase", headers=tester, json={"confirm": False})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "confirm"
    erased = client.post("/api/v1/citizens/me/erase", headers=tester, json={"confirm": True})
    assert erased.status_code == 200, erased.text
    assert erased.json() == {"photos": 1, "feedback": 2, "keep_answers": 0, "enrollments": 1}

    session.expire_all()
    assert _count(session, Feedback, tester_id=user_id) == 0
    assert _count(session, citizen_models.Enrollment, tester_id=user_id) == 0
    assert _count(session, KeepAnswer, tester_id=user_id) == 0
    assert session.get(citizen_models.Tester, user_id) is None
    assert session.get(User, user_id) is None
    assert _count(session, ApiKey, user_id=user_id) == 0
    assert session.get(LoginThrottle, f"email:{email}") is None
    other_photo = f"{s.pilot_id}/{kept.json()['id']}/photo.jpg"
    assert _objects(s3_client, s3_app["attachments"]) == [other_photo]
    assert _count(session, Feedback) == 1  # the other tester's answer stays

    fact = session.exec(select(AuditLog).where(AuditLog.action == "tester.erase")).one()
    assert fact.object_id == str(user_id) and fact.actor_id is None
    assert fact.after == {"kind": "web", "photos": 1, "feedback": 2, "keep_answers": 0,
                          "enrollments": 1}
    everything = session.exec(text("SELECT * FROM audit_log")).all()
    assert email not in str(everything) and "Ana" not in str(everything)
    assert client.get("/api/v1/citizens/me", headers=tester).status_code == 401


@pytest.mark.s3
def test_a_mediator_exports_and_erases_a_pseudonymous_tester_by_code(
    client: TestClient, session: Session, settings: LabSettings, s3_app: dict[str, str],
    s3_client: Minio
) -> None:
    s = make_setting(session)
    mediator = bearer(settings, s.mediator)
    tester = client.post("/api/v1/citizens/testers", headers=mediator,
                         json={"name": "Mme Petit"}).json()
    client.post("/api/v1/citizens/testers/enrollments", headers=mediator, json={
        "code": tester["code"], "pilot_id": str(s.pilot_id),
        "consent_version": s.consent_version})
    sent = client.post(f"/api/v1/pilots/{s.pilot_id}/feedback/mediated",
                       headers={**mediator, **key()},
                       json=answers(channel="counter", tester_code=tester["code"],
                                    photo=b64(jpeg_with_gps())))
    assert sent.status_code == 201, sent.text
    exported = client.post("/api/v1/citizens/testers/export", headers=mediator,
                           json={"code": tester["code"]}).json()
    assert exported["profile"]["pseudonym"] == tester["pseudonym"]
    assert exported["profile"]["email"] is None and exported["feedback"][0]["photo"]["base64"]
    # The code is the person's key: any mediator they turn to can carry out the erasure.
    erased = client.post("/api/v1/citizens/testers/erase", headers=bearer(
        settings, s.stranger_mediator), json={"code": tester["code"], "confirm": True})
    assert erased.status_code == 200 and erased.json()["photos"] == 1
    session.expire_all()
    tester_id = uuid.UUID(tester["id"])
    assert session.get(citizen_models.Tester, tester_id) is None
    assert _count(session, Feedback) == 0
    assert _objects(s3_client, s3_app["attachments"]) == []
    fact = session.exec(select(AuditLog).where(AuditLog.action == "tester.erase")).one()
    assert fact.object_id == tester["id"] and fact.actor_id == s.stranger_mediator.id
    gone = client.post("/api/v1/citizens/testers/lookup", headers=mediator,
                       json={"code": tester["code"]})
    assert gone.status_code == 404
    assert session.exec(select(func.count()).select_from(AuditLog).where(
        col(AuditLog.object_id) == tester["id"])).one() >= 3
