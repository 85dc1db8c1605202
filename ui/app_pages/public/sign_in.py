"""Sign in, or create a tester account (the session then survives reloads; ui/session.py)."""

from __future__ import annotations

import streamlit as st

from ui import frame
from ui.client import ApiError
from ui.i18n import t
from ui.widgets import field_problems, show_problem

AGES = ["under_18", "18_29", "30_44", "45_59", "60_74", "75_plus"]
COMFORT = ["at_ease", "somewhat", "not_at_ease"]

lang = frame.lang()
st.title(t("sign_in", lang))
sign_in_tab, sign_up_tab = st.tabs([t("sign_in", lang), t("sign_up", lang)])

with sign_in_tab:
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

with sign_up_tab:
    st.write(t("sign_up_intro", lang))
    problem = st.session_state.pop("problem:sign-up", None)
    with st.form("sign-up"):
        new_email = st.text_input(t("email", lang), autocomplete="email", key="new-email")
        field_problems(problem, "email")
        new_password = st.text_input(t("password_new", lang), type="password",
                                     autocomplete="new-password", key="new-password")
        field_problems(problem, "password")
        name = st.text_input(t("name_optional", lang), max_chars=100)
        age = st.selectbox(t("age_band", lang), [None, *AGES],
                           format_func=lambda a: t("not_said", lang) if a is None
                           else t(f"age_{a}", lang))
        comfort = st.selectbox(t("digital_comfort", lang), [None, *COMFORT],
                               format_func=lambda c: t("not_said", lang) if c is None
                               else t(f"comfort_{c}", lang))
        created = st.form_submit_button(t("sign_up", lang), type="primary")
    if problem is not None:
        show_problem(problem, lang, fields=("email", "password"))
    if created:
        body = {"email": new_email.strip(), "password": new_password,
                "name": name.strip() or None, "age_band": age, "digital_comfort": comfort}
        try:
            frame.client().sign_up(body)
            frame.sign_in(new_email.strip(), new_password)
        except ApiError as exc:
            st.session_state["problem:sign-up"] = exc
        st.rerun()
