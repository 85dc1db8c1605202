"""Consent and mediators: publish a pilot's consent text (FR/EN) with its practical
instructions, and see who receives people at this authority's desks."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import frame
from ui.client import ApiError
from ui.i18n import t
from ui.widgets import flash, show_flash, show_problem, status_markdown

# Consent matters from the moment a pilot may be approved until it ends.
OPEN = ("running", "approved", "submitted", "changes_requested")

lang = frame.lang()
user = frame.require("city")
api = frame.client()
st.title(t("consent_title", lang))
st.write(t("consent_intro", lang))
show_flash()


def current(pilot_id: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = api.consent(pilot_id)
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise
    return found


def publish_form(pilot: dict[str, Any], now: dict[str, Any] | None) -> None:
    before = now or {}
    with st.form(f"consent-{pilot['id']}"):
        text_fr = st.text_area(t("consent_text_fr", lang), before.get("text_fr", ""),
                               height=180, max_chars=20_000)
        text_en = st.text_area(t("consent_text_en", lang), before.get("text_en", ""),
                               height=180, max_chars=20_000)
        how_fr = st.text_area(t("consent_how_fr", lang), before.get("instructions_fr", ""),
                              max_chars=2000, help=t("consent_how_help", lang))
        how_en = st.text_area(t("consent_how_en", lang), before.get("instructions_en", ""),
                              max_chars=2000)
        label = t("consent_publish_new" if now else "consent_publish", lang)
        if st.form_submit_button(label, type="primary"):
            try:
                made = api.publish_consent(pilot["id"], {
                    "text_fr": text_fr.strip(), "text_en": text_en.strip(),
                    "instructions_fr": how_fr.strip(), "instructions_en": how_en.strip()})
            except ApiError as exc:
                show_problem(exc, lang, fields=("text_fr", "text_en", "instructions_fr",
                                                "instructions_en"))
            else:
                flash(t("consent_published", lang, version=made["version"]))
                st.rerun()


consent_tab, mediators_tab = st.tabs([t("consent_tab", lang), t("mediators_tab", lang)])
with consent_tab:
    try:
        pilots = sorted((p for p in api.pilots(limit=100)["items"] if p["status"] in OPEN),
                        key=lambda p: OPEN.index(p["status"]))  # running ones first
    except ApiError as exc:
        show_problem(exc, lang)
        pilots = []
    if not pilots:
        st.info(t("consent_no_pilots", lang))
    else:
        titles = {p["id"]: p["title"] for p in pilots}
        chosen = st.selectbox(t("pilot", lang), list(titles), format_func=titles.__getitem__,
                              key="consent-pilot")
        pilot = next(p for p in pilots if p["id"] == chosen)
        st.markdown(status_markdown(pilot["status"], lang))
        try:
            now = current(pilot["id"])
        except ApiError as exc:
            show_problem(exc, lang)
            st.stop()
        if now is None:
            st.warning(t("consent_none", lang))
        else:
            st.success(t("consent_current", lang, version=now["version"]))
            with st.container(border=True):
                st.markdown(now[f"text_{lang}"])
                if now.get(f"instructions_{lang}"):
                    st.caption(now[f"instructions_{lang}"])
        st.subheader(t("consent_new_version" if now else "consent_first_version", lang))
        publish_form(pilot, now)

with mediators_tab:
    authority = user.get("authority_id")
    try:
        mediators = api.mediators(str(authority))["items"] if authority else []
    except ApiError as exc:
        show_problem(exc, lang)
        mediators = []
    if not mediators:
        st.info(t("mediators_none", lang))
    else:
        st.dataframe([{t("mediator_email", lang): m["email"],
                       t("mediator_name", lang): m.get("full_name") or "—",
                       t("mediator_active", lang): "✓" if m.get("is_active", True) else "—"}
                      for m in mediators], hide_index=True, width="stretch")
    st.caption(t("mediators_how", lang))
