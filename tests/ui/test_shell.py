"""The shell in AppTest against the real API: navigation by role, sign-in that lasts, FR/EN."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from lab.auth.models import Role
from tests.factories import PASSWORD, make_user
from tests.ui.conftest import APP
from ui.session import STORE

pytestmark = [pytest.mark.slow, pytest.mark.s3]


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sign_in(at: AppTest, email: str, password: str = PASSWORD) -> AppTest:
    run(at)  # pages are registered by a run of the router
    at.switch_page("app_pages/public/sign_in.py")
    run(at)
    at.text_input[0].input(email)
    at.text_input[1].input(password)
    at.button[0].click()
    return run(at)


def titles(at: AppTest) -> list[str]:
    return [e.value for e in at.title]


def test_signed_out_visitor_sees_the_public_pages_in_french_then_english(
        live_api: str) -> None:
    at = run(AppTest.from_file(APP, default_timeout=30))
    assert titles(at) == ["Terrain — laboratoire vivant du territoire"]
    assert any("Tout fonctionne." in e.value for e in at.success)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/city/review.py")  # not in a visitor's navigation
    at.sidebar.button_group[0].set_value("en")  # type: ignore[attr-defined]
    run(at)
    assert titles(at) == ["Terrain — the territory's living lab"]
    # a click on the language already selected unselects the control: English stays
    at.sidebar.button_group[0].set_value(None)  # type: ignore[attr-defined]
    run(at)
    assert titles(at) == ["Terrain — the territory's living lab"]
    assert at.sidebar.button_group[0].value == "en"  # type: ignore[attr-defined]


def test_wrong_password_is_refused_in_french_and_opens_no_session(
        live_api: str, session: Session) -> None:
    user = make_user(session, Role.city)
    at = sign_in(AppTest.from_file(APP, default_timeout=30), user.email, "not the password")
    assert [e.value for e in at.error] == ["Adresse ou mot de passe incorrect."]
    assert len(STORE) == 0


def test_sign_in_lasts_and_sign_out_revokes_the_session_key(
        live_api: str, session: Session) -> None:
    user = make_user(session, Role.city)
    at = sign_in(AppTest.from_file(APP, default_timeout=30), user.email)
    sid = at.session_state["sid"]
    assert sid in STORE
    entry = STORE.get(sid)
    assert entry is not None and entry.user["email"] == user.email
    assert any(user.email in c.value for c in at.sidebar.caption)
    assert titles(at) == ["À décider"]  # the city team's first page
    key = entry.key
    me = httpx.get(f"{live_api}/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200

    # another tab (a new Streamlit session) carrying the same cookie id is signed in too
    other = AppTest.from_file(APP, default_timeout=30)
    other.session_state["sid"] = sid
    run(other)
    assert any(user.email in c.value for c in other.sidebar.caption)
    other.switch_page("app_pages/city/review.py")
    assert titles(run(other)) == ["À décider"]

    next(b for b in at.sidebar.button if b.label == "Se déconnecter").click()
    run(at)
    assert sid not in STORE
    assert "À décider" not in titles(at)
    me = httpx.get(f"{live_api}/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 401
    run(other)  # the other tab is signed out as well, and told so
    assert titles(other) == ["Terrain — laboratoire vivant du territoire"]
    assert [e.value for e in other.sidebar.info] == [
        "Votre session a pris fin ; connectez-vous à nouveau."]
    assert not [b for b in other.sidebar.button if b.label == "Se déconnecter"]


@pytest.mark.parametrize("role, first, refused", [
    (Role.startup, "Prototypes", "app_pages/city/review.py"),
    (Role.admin, "Utilisateurs", "app_pages/startup/prototypes.py"),
])
def test_each_role_sees_its_pages_and_not_the_others(
        live_api: str, session: Session, role: Role, first: str, refused: str) -> None:
    user = make_user(session, role)
    at = sign_in(AppTest.from_file(APP, default_timeout=30), user.email)
    assert titles(at) == [first]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(refused)
