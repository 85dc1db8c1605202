"""Access tokens issued before a password change or a disable stop working at once (issue
13): each carries the account's token generation, which such changes bump."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlmodel import Session

from lab.auth.models import Role
from lab.settings import LabSettings
from tests.factories import PASSWORD, login, make_user
from tests.lab.feedback.scenario import answers, enrolled_citizen, make_setting

NEW_PASSWORD = "another long passphrase"


def test_a_password_change_or_a_disable_revokes_earlier_tokens(client: TestClient,
                                                               session: Session) -> None:
    admin = login(client, make_user(session, Role.admin))
    user = make_user(session, Role.city)
    old = login(client, user)
    assert client.get("/api/v1/me", headers=old).status_code == 200
    changed = client.patch(f"/api/v1/admin/users/{user.id}", headers=admin,
                           json={"password": NEW_PASSWORD})
    assert changed.status_code == 200
    refused = client.get("/api/v1/me", headers=old)
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    fresh = login(client, user, NEW_PASSWORD)
    assert client.get("/api/v1/me", headers=fresh).status_code == 200
    # Disabled then enabled again within the token's lifetime: the token stays dead.
    for active in (False, True):
        assert client.patch(f"/api/v1/admin/users/{user.id}", headers=admin,
                            json={"is_active": active}).status_code == 200
    assert client.get("/api/v1/me", headers=fresh).status_code == 401
    assert client.get("/api/v1/me", headers=login(client, user, NEW_PASSWORD)).status_code == 200
    # A rename changes nothing about tokens.
    current = login(client, user, NEW_PASSWORD)
    client.patch(f"/api/v1/admin/users/{user.id}", headers=admin, json={"full_name": "Léa"})
    assert client.get("/api/v1/me", headers=current).status_code == 200


def test_the_feedback_fast_path_refuses_an_earlier_token_too(
        client: TestClient, session: Session, settings: LabSettings) -> None:
    s = make_setting(session)
    citizen = enrolled_citizen(session, s)
    old = login(client, citizen, PASSWORD)
    url = f"/api/v1/pilots/{s.pilot_id}/feedback"
    first = client.post(url, headers={**old, "Idempotency-Key": str(uuid.uuid4())},
                        json=answers())
    assert first.status_code == 201, first.text
    admin = login(client, make_user(session, Role.admin))
    assert client.patch(f"/api/v1/admin/users/{citizen.id}", headers=admin,
                        json={"password": NEW_PASSWORD}).status_code == 200
    again = client.post(url, headers={**old, "Idempotency-Key": str(uuid.uuid4())},
                        json=answers())
    assert again.status_code == 401, again.text
