"""My data: what the platform holds about the citizen, its JSON download, and erasure."""

from __future__ import annotations

import json

import streamlit as st

from ui import frame
from ui.client import ApiError
from ui.i18n import t
from ui.widgets import show_problem

lang = frame.lang()
frame.require("citizen")
api = frame.client()
st.title(t("nav_my_data", lang))
st.write(t("my_data_intro", lang))

try:
    held = api.export_me()
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()
profile = held.get("profile") or {}
dash = "—"
st.write(t("held_profile", lang, pseudonym=profile.get("pseudonym") or dash,
           name=profile.get("name") or dash,
           age=t(f"age_{profile['age_band']}", lang) if profile.get("age_band") else dash,
           comfort=t(f"comfort_{profile['digital_comfort']}", lang)
           if profile.get("digital_comfort") else dash))
st.write(t("held_counts", lang, enrollments=len(held.get("enrollments") or []),
           answers=len(held.get("feedback") or [])))
st.download_button(t("download_json", lang), json.dumps(held, ensure_ascii=False, indent=2),
                   file_name="mes-donnees-terrain.json", mime="application/json",
                   icon=":material/download:")
with st.expander(t("erase", lang), key="erase-box"):
    st.warning(t("erase_warning", lang))
    with st.form("erase"):
        sure = st.checkbox(t("erase_confirm", lang))
        go = st.form_submit_button(t("erase", lang), type="primary")
    if go and not sure:
        st.error(t("erase_confirm", lang))
    elif go:
        try:
            counts = api.erase_me()
        except ApiError as exc:
            show_problem(exc, lang)
        else:
            frame.sign_out()
            st.session_state["erased"] = sum(int(v) for v in counts.values()
                                             if isinstance(v, int))
            st.rerun()
