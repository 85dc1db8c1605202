"""Review queue: the pilots awaiting this authority's decision, decided with a comment."""

from __future__ import annotations

import streamlit as st

from ui import frame
from ui.app_pages.shared.pilot_detail import approvals, protocol
from ui.client import ApiError
from ui.i18n import t
from ui.widgets import flash, show_flash, show_problem, status_markdown

DECISIONS = {"approved": "approve", "changes_requested": "request_changes", "refused": "refuse"}

lang = frame.lang()
frame.require("city")
st.title(t("nav_review", lang))
show_flash()
api = frame.client()
try:
    page = api.pilots(awaiting_my_decision=True, limit=50)
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()

if not page["items"]:
    st.info(t("nothing_to_review", lang))
zones = api.zones() if page["items"] else []
for pilot in page["items"]:
    with st.container(border=True):
        st.subheader(pilot["title"])
        st.markdown(status_markdown(pilot["status"], lang) + " · "
                    + t("version", lang, version=pilot["protocol_version"]))
        protocol(pilot, lang, zones)
        approvals(pilot, lang)
        with st.form(f"decide-{pilot['id']}"):
            choice = st.radio(t("decide", lang), list(DECISIONS), horizontal=True,
                              format_func=lambda d: t(DECISIONS[d], lang))
            comment = st.text_area(t("comment", lang))
            if st.form_submit_button(t("decide", lang), type="primary"):
                try:
                    api.decide(pilot["id"], choice, comment)
                except ApiError as exc:
                    show_problem(exc, lang)
                else:
                    flash(t("decision_saved", lang))
                    st.rerun()
