"""Login, tokens, API keys and admin routes, through the real HTTP stack."""

from __future__ import annotations

import uuid
from datetime import timedelta

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from lab.api import PUBLIC_PATHS
from lab.audit.models import AuditLog
from lab.auth.models import ApiKey, Role
from lab.auth.security import create_access_token, hash_api_key
from lab.settings import LabSettings
from tests.factories import PASSWORD, login, make_authority, make_organization, make_user


def _problem(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == response.status_code
    return body


def test_login_with_right_password_gives_a_token_for_me(client: TestClient,
                                                          session: Session) -> None:
    user = make_user(session, Role.city)
    response = client.get("/api/v1/me", headers=login(client, user))
    assert response.status_code == 200
    assert response.json()["email"] == user.email
    assert response.json()["role"] == "city"
    assert "hashed_password" not in response.json()


def test_wrong_password_and_unknown_email_get_the_same_401(client: TestClient,
                                                            session: Session) -> None:
    user = make_user(session, Role.startup)
    wrong = client.post("/api/v1/auth/token", data={"username": user.email, "password": "nope"})
    unknown = client.post("/api/v1/auth/token",
                          data={"username": "ghost@terrain.example", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert _problem(wrong)["detail"] == _problem(unknown)["detail"]


def test_disabled_user_cannot_log_in_nor_use_an_earlier_token(client: TestClient,
                                                               session: Session) -> None:
    admin = make_user(session, Role.admin)
    user = make_user(session, Role.citizen)
    headers = login(client, user)
    response = client.patch(f"/api/v1/admin/users/{user.id}", json={"is_active": False},
                            headers=login(client, admin))
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    refused = client.post("/api/v1/auth/token",
                          data={"username": user.email, "password": PASSWORD})
    assert refused.status_code == 401
    assert "disabled" in _problem(refused)["detail"]


def test_expired_token_is_refused(client: TestClient, session: Session,
                                  settings: LabSettings) -> None:
    user = make_user(session, Role.city)
    token = create_access_token(user_id=user.id, role="city", secret=settings.jwt_secret(),
                                lifetime=timedelta(seconds=-1)).token
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "expired" in _problem(response)["detail"]


@pytest.mark.parametrize("tamper", ["signature", "payload", "other-secret", "alg-none"])
def test_tampered_token_is_refused(client: TestClient, session: Session,
                                   settings: LabSettings, tamper: str) -> None:
    user = make_user(session, Role.startup)
    admin = make_user(session, Role.admin)
    token = login(client, user)["Authorization"].split()[1]
    header, payload, signature = token.split(".")
    if tamper == "signature":
        token = f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    elif tamper == "payload":
        claims = jwt.decode(token, options={"verify_signature": False})
        claims["sub"] = str(admin.id)
        forged = jwt.encode(claims, "not-the-secret", algorithm="HS256").split(".")[1]
        token = f"{header}.{forged}.{signature}"
    elif tamper == "other-secret":
        token = create_access_token(user_id=admin.id, role="admin", secret="x" * 48,
                                    lifetime=timedelta(minutes=5)).token
    else:
        claims = jwt.decode(token, options={"verify_signature": False})
        token = jwt.encode(claims, key=None, algorithm="none")  # type: ignore[arg-type]
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_repeated_failed_logins_are_throttled_even_with_the_right_password(
    client: TestClient, session: Session, settings: LabSettings
) -> None:
    user = make_user(session, Role.city)
    for _ in range(settings.login_max_failures):
        bad = client.post("/api/v1/auth/token", data={"username": user.email, "password": "x"})
        assert bad.status_code == 401
    locked = client.post("/api/v1/auth/token", data={"username": user.email,
                                                     "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    _problem(locked)
    other = make_user(session, Role.city)
    assert client.post("/api/v1/auth/token", data={"username": other.email,
                                                   "password": PASSWORD}).status_code == 200


def test_api_key_is_shown_once_works_and_stops_working_when_revoked(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, Role.startup)
    headers = login(client, user)
    created = client.post("/api/v1/me/api-keys", json={"name": "ci script"}, headers=headers)
    assert created.status_code == 201
    key = created.json()["key"]
    stored = session.exec(select(ApiKey).where(ApiKey.user_id == user.id)).one()
    assert stored.key_hash == hash_api_key(key) and key not in stored.key_hash
    listed = client.get("/api/v1/me/api-keys", headers=headers).json()
    assert listed["total"] == 1 and "key" not in listed["items"][0]
    assert listed["items"][0]["last_used_at"] is None

    as_key = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/me", headers=as_key).json()["id"] == str(user.id)
    assert client.get("/api/v1/me/api-keys", headers=headers).json()["items"][0]["last_used_at"]

    revoked = client.delete(f"/api/v1/me/api-keys/{created.json()['id']}", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/api/v1/me", headers=as_key).status_code == 401


def test_a_user_cannot_revoke_someone_elses_api_key(client: TestClient, session: Session) -> None:
    owner, other = make_user(session, Role.startup), make_user(session, Role.startup)
    created = client.post("/api/v1/me/api-keys", json={"name": "k"},
                          headers=login(client, owner)).json()
    response = client.delete(f"/api/v1/me/api-keys/{created['id']}",
                             headers=login(client, other))
    assert response.status_code == 404
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {created['key']}"}
                      ).status_code == 200


@pytest.mark.parametrize("role", [Role.city, Role.startup, Role.citizen, Role.mediator])
def test_non_admin_is_refused_on_admin_routes(client: TestClient, session: Session,
                                              role: Role) -> None:
    headers = login(client, make_user(session, role))
    response = client.post("/api/v1/admin/authorities", headers=headers,
                           json={"name": "Lyon", "level": "commune", "code": "69123"})
    assert response.status_code == 403
    assert "admin" in _problem(response)["detail"]
    assert client.get("/api/v1/admin/users", headers=headers).status_code == 403


def test_admin_creates_authority_organization_and_users(client: TestClient,
                                                        session: Session) -> None:
    headers = login(client, make_user(session, Role.admin))
    authority = client.post("/api/v1/admin/authorities", headers=headers,
                            json={"name": "Métropole de Lyon", "level": "epci",
                                  "code": "200046977"})
    assert authority.status_code == 201
    org = client.post("/api/v1/admin/organizations", headers=headers,
                      json={"name": "LumiSmart", "kind": "startup"})
    assert org.status_code == 201
    city = client.post("/api/v1/admin/users", headers=headers, json={
        "email": "Agent@Lyon.example", "role": "city", "password": "a-long-password",
        "authority_id": authority.json()["id"]})
    assert city.status_code == 201 and city.json()["email"] == "agent@lyon.example"
    duplicate = client.post("/api/v1/admin/users", headers=headers, json={
        "email": "agent@lyon.example", "role": "city", "password": "a-long-password",
        "authority_id": authority.json()["id"]})
    assert duplicate.status_code == 409
    entries = session.exec(select(AuditLog).where(AuditLog.action == "user.create")).all()
    assert any(e.object_id == city.json()["id"] for e in entries)
    listed = client.get("/api/v1/admin/users", headers=headers, params={"role": "city"})
    assert [u["email"] for u in listed.json()["items"]] == ["agent@lyon.example"]


def test_user_rules_are_refused_with_the_field_named(client: TestClient,
                                                     session: Session) -> None:
    headers = login(client, make_user(session, Role.admin))
    org = make_organization(session)
    cases = [
        ({"email": "a@b.example", "role": "city", "password": "long-enough-1"}, "authority"),
        ({"email": "a@b.example", "role": "startup", "password": "long-enough-1"},
         "organization"),
        ({"email": "a@b.example", "role": "citizen", "password": "long-enough-1",
          "organization_id": str(org.id)}, "organization"),
        ({"email": "not-an-email", "role": "admin", "password": "long-enough-1"}, "email"),
        ({"email": "a@b.example", "role": "admin", "password": "short"}, "password"),
        ({"email": "a@b.example", "role": "wizard", "password": "long-enough-1"}, "role"),
        ({"email": "a@b.example", "role": "city", "password": "long-enough-1",
          "authority_id": str(uuid.uuid4())}, "authority_id"),
    ]
    for payload, field in cases:
        response = client.post("/api/v1/admin/users", headers=headers, json=payload)
        assert response.status_code == 422, payload
        body = _problem(response)
        assert field in body["detail"] or any(field in e["field"] for e in body["errors"])
    assert client.get("/api/v1/admin/users", headers=headers).json()["total"] == 1


def test_every_route_needs_authentication_unless_declared_public(client: TestClient) -> None:
    checked = 0
    for template, operations in client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        path = "/".join(str(uuid.uuid4()) if part.endswith("_id}") else part
                        for part in template.split("/"))
        for method in operations:
            response = client.request(method.upper(), path)
            if template in PUBLIC_PATHS:
                assert response.status_code != 401, template
            else:
                assert response.status_code == 401, (method, template)
                _problem(response)
            checked += 1
    assert checked >= 12


def test_pagination_is_bounded(client: TestClient, session: Session) -> None:
    headers = login(client, make_user(session, Role.admin))
    for _ in range(3):
        make_authority(session)
    page = client.get("/api/v1/authorities", headers=headers, params={"limit": 2, "offset": 1})
    assert page.json()["total"] == 3 and len(page.json()["items"]) == 2
    too_big = client.get("/api/v1/authorities", headers=headers, params={"limit": 10_000})
    assert too_big.status_code == 422
    assert _problem(too_big)["errors"][0]["field"] == "limit"


def test_unexpected_errors_are_a_problem_without_stack_trace(app, session: Session) -> None:  # type: ignore[no-untyped-def]
    @app.get("/api/v1/_boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/api/v1/_boom")
    assert response.status_code == 500
    body = _problem(response)
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text and body["detail"]


def test_the_admin_changes_a_role_with_the_membership_it_needs(client: TestClient,
                                                               session: Session) -> None:
    admin = make_user(session, Role.admin)
    as_admin = login(client, admin)
    commune = make_authority(session)
    user = make_user(session, Role.startup)
    their_token = login(client, user)
    url = f"/api/v1/admin/users/{user.id}"

    # a city user needs an authority: refused, nothing changes, the old token still works
    missing = client.patch(url, json={"role": "city"}, headers=as_admin)
    assert missing.status_code == 422 and "authority_id" in missing.text
    unknown = client.patch(url, json={"role": "city", "authority_id": str(uuid.uuid4())},
                           headers=as_admin)
    assert unknown.status_code == 422 and "No such authority" in unknown.text
    assert client.get("/api/v1/me", headers=their_token).json()["role"] == "startup"

    moved = client.patch(url, json={"role": "city", "authority_id": str(commune.id)},
                         headers=as_admin)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["role"], moved.json()["authority_id"],
            moved.json()["organization_id"]) == ("city", str(commune.id), None)
    assert client.get("/api/v1/me", headers=their_token).status_code == 401  # tokens end
    assert client.get("/api/v1/me", headers=login(client, user)).json()["role"] == "city"
    audit = session.exec(select(AuditLog).where(AuditLog.action == "user.update")).all()
    assert audit[-1].before["role"] == "startup" and audit[-1].after["role"] == "city"

    # not to or from citizen, and not one's own
    citizen = make_user(session, Role.citizen)
    for target, role in ((citizen.id, "mediator"), (user.id, "citizen"), (admin.id, "city")):
        body = {"role": role, "authority_id": str(commune.id)} if role != "citizen" else {
            "role": role}
        refused = client.patch(f"/api/v1/admin/users/{target}", json=body, headers=as_admin)
        assert refused.status_code == 422, (role, refused.text)
