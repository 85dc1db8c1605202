"""E-mail addresses are stored in one normal form, and look-alikes of an existing account
are refused (issue 13)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from lab.auth.emails import normalize_email, skeleton
from lab.auth.models import Role, User
from tests.factories import PASSWORD, login, make_user


def test_normal_form_folds_full_width_and_case_and_skeleton_maps_look_alikes() -> None:
    assert normalize_email(" ＡＤＭＩＮ@Terrain.EXAMPLE ") == "admin@terrain.example"
    assert skeleton("аdmin@terrain.example") == "admin@terrain.example"  # Cyrillic а
    assert skeleton("hélène@ville.example") == "helene@ville.example"
    assert skeleton("admin@terrain.example") == "admin@terrain.example"


def test_a_full_width_or_cyrillic_look_alike_of_an_account_is_refused(
        client: TestClient, session: Session) -> None:
    admin = make_user(session, Role.admin, email="chef@terrain.example")
    headers = login(client, admin)
    for email, says in (("ｃｈｅｆ@terrain.example", "already exists"),
                        ("CHEF@TERRAIN.EXAMPLE", "already exists"),
                        ("сhef@terrain.example", "looks like"),  # Cyrillic с
                        ("chéf@terrain.example", "looks like")):
        response = client.post("/api/v1/admin/users", headers=headers, json={
            "email": email, "role": "admin", "password": PASSWORD})
        assert response.status_code == 409, (email, response.text)
        assert response.json()["errors"][0]["field"] == "email"
        assert says in response.json()["detail"]
    sign_up = client.post("/api/v1/public/testers",
                          json={"email": "сhef@terrain.example", "password": PASSWORD})
    assert sign_up.status_code == 409 and "looks like" in sign_up.json()["detail"]
    emails = session.exec(select(User.email)).all()
    assert emails == ["chef@terrain.example"]
    listed = client.get("/api/v1/admin/users", headers=headers)
    assert listed.status_code == 200 and listed.json()["total"] == 1


def test_a_full_width_address_is_stored_normalised_and_logs_in_either_way(
        client: TestClient, session: Session) -> None:
    created = client.post("/api/v1/public/testers",
                          json={"email": "ｊｅａｎｎｅ@Mail.Example", "password": PASSWORD})
    assert created.status_code == 201, created.text
    user = session.exec(select(User).where(User.role == Role.citizen)).one()
    assert user.email == "jeanne@mail.example"
    for typed in ("jeanne@mail.example", "ｊｅａｎｎｅ@mail.example", "Jeanne@MAIL.example"):
        response = client.post("/api/v1/auth/token",
                               data={"username": typed, "password": PASSWORD})
        assert response.status_code == 200, typed
