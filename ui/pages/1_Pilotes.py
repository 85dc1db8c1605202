"""Pilots: a startup's own, every pilot for city teams, with decisions to make."""

from __future__ import annotations

import streamlit as st

from ui.client import ApiError
from ui.i18n import t
from ui.widgets import client, language, sign_in

st.set_page_config(page_title="Terrain — Pilotes", page_icon="🌿", layout="wide")
lang = language()
user = sign_in(lang)
st.title(t("pilots", lang))

if user is None:
    st.info(t("sign_in_first", lang))
    st.stop()

api = client()
is_city = user["role"] == "city"
awaiting = st.toggle(t("awaiting_me", lang)) if is_city else False
page_number = st.number_input(t("page", lang), min_value=1, value=1, step=1)
try:
    page = api.pilots(awaiting_my_decision=awaiting, limit=20, offset=(page_number - 1) * 20)
except ApiError as exc:
    st.error(exc.detail)
    st.stop()

if not page["items"]:
    st.info(t("no_pilots", lang))
for pilot in page["items"]:
    with st.expander(f"{pilot['title']} — {pilot['status']}"):
        st.write(f"**{t('hypothesis', lang)}** : {pilot['protocol']['hypothesis']}")
        version = pilot["protocol_version"]
        st.write(f"**{t('status_label', lang)}** : {pilot['status']} · v{version}")
        if pilot["pending_authorities"]:
            st.write(f"**{t('pending', lang)}** : {', '.join(pilot['pending_authorities'])}")
        if is_city and pilot["status"] == "submitted":
            with st.form(f"decide-{pilot['id']}"):
                choice = st.radio(t("decide", lang), ["approved", "changes_requested", "refused"],
                                  format_func=lambda d: t({"approved": "approve",
                                                           "refused": "refuse",
                                                           "changes_requested":
                                                           "request_changes"}[d], lang))
                comment = st.text_area(t("comment", lang))
                if st.form_submit_button(t("decide", lang)):
                    try:
                        api.decide(pilot["id"], choice, comment)
                        st.success(t("decision_saved", lang))
                    except ApiError as exc:
                        st.error(exc.detail)
st.caption(f"{page['total']} · {t('page', lang)} {page_number}")
