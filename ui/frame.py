"""What every page shares with the router: the language, the signed-in person, the client."""

from __future__ import annotations

from typing import Any, cast

import streamlit as st

from ui.client import ApiClient
from ui.i18n import LANGS, Lang, t
from ui.session import COOKIE, STORE, Entry

LANG_NAMES = {"fr": "Français", "en": "English"}


def lang() -> Lang:
    """The language of this session (French until the person picks English)."""
    value = st.session_state.get("lang", "fr")
    return cast(Lang, value if value in LANGS else "fr")


def entry() -> Entry | None:
    """The signed-in session: from this tab's state, or from the cookie after a reload."""
    sid = st.session_state.get("sid")
    if sid is None:
        sid = st.context.cookies.get(COOKIE)
        found = STORE.get(sid)
        if found is not None:
            st.session_state["sid"] = sid
            st.session_state["lang"] = found.lang
        return found
    found = STORE.get(sid)
    if found is None:  # signed out elsewhere, or expired
        st.session_state.pop("sid", None)
        st.session_state["ended"] = True
    return found


def user() -> dict[str, Any] | None:
    """The signed-in user as the API describes them, or None."""
    found = entry()
    return found.user if found else None


def role() -> str | None:
    found = user()
    return str(found["role"]) if found else None


def client() -> ApiClient:
    """A client carrying the session's credential, if signed in."""
    found = entry()
    return ApiClient(token=found.key if found else None)


def require(*roles: str) -> dict[str, Any]:
    """Stop the page unless the signed-in person has one of these roles; returns them."""
    found = user()
    if found is None or str(found["role"]) not in roles:
        st.error(t("not_for_role", lang()))
        st.stop()
    assert found is not None
    return found


def sign_in(email: str, password: str) -> str:
    """Open a web session (raises ApiError) and have the router set its cookie."""
    sid = STORE.open(email=email, password=password)
    found = STORE.get(sid)
    if found is not None:
        found.lang = lang()
    st.session_state["sid"] = sid
    st.session_state["cookie"] = sid
    st.session_state["just_signed_in"] = True
    st.session_state.pop("ended", None)
    return sid


def sign_out() -> None:
    """Close the web session here and in every tab; the router deletes the cookie."""
    STORE.close(st.session_state.pop("sid", None))
    st.session_state["cookie"] = ""


def remember_lang(value: Lang) -> None:
    found = entry()
    if found is not None:
        found.lang = value


__all__ = ["LANG_NAMES", "client", "entry", "lang", "remember_lang", "require", "role",
           "sign_in", "sign_out", "user"]
