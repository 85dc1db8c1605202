"""Sign in: the session then survives reloads and new tabs (see ui/session.py)."""

from __future__ import annotations

import streamlit as st

from ui import frame
from ui.client import ApiError
from ui.i18n import t
from ui.widgets import show_problem

lang = frame.lang()
st.title(t("sign_in", lang))
st.write(t("sign_in_intro", lang))
with st.form("sign-in"):
    email = st.text_input(t("email", lang), autocomplete="username")
    password = st.text_input(t("password", lang), type="password",
                             autocomplete="current-password")
    submitted = st.form_submit_button(t("sign_in", lang), type="primary")
if submitted:
    try:
        frame.sign_in(email.strip(), password)
    except ApiError as exc:
        show_problem(exc, lang)
    else:
        st.rerun()
