"""Widgets shared by the pages: language, sign-in, the API client of the session."""

from __future__ import annotations

import streamlit as st

from ui.client import ApiClient, ApiError
from ui.i18n import Lang, t


def language() -> Lang:
    """The language picker in the sidebar (French first)."""
    lang: Lang = st.sidebar.radio(
        "Langue / Language", options=["fr", "en"], key="lang", horizontal=True,
        format_func=lambda v: {"fr": "Français", "en": "English"}[v])
    return lang


def client() -> ApiClient:
    """A client carrying the session's token, if signed in."""
    return ApiClient(token=st.session_state.get("token"))


def sign_in(lang: Lang) -> dict[str, object] | None:
    """The sign-in box in the sidebar; returns the signed-in user or None."""
    user = st.session_state.get("user")
    if user:
        st.sidebar.write(t("signed_in_as", lang, email=str(user["email"]),
                           role=str(user["role"])))
        if st.sidebar.button(t("sign_out", lang)):
            st.session_state.pop("token", None)
            st.session_state.pop("user", None)
            st.rerun()
        return dict(user)
    with st.sidebar.form("sign-in"):
        st.write(t("sign_in", lang))
        email = st.text_input(t("email", lang))
        password = st.text_input(t("password", lang), type="password")
        if st.form_submit_button(t("sign_in", lang)):
            try:
                token = ApiClient().login(email, password)
                st.session_state["token"] = token
                st.session_state["user"] = ApiClient(token=token).me()
                st.rerun()
            except ApiError as exc:
                st.error(exc.detail)
    return None


__all__ = ["client", "language", "sign_in"]
