"""Authorities and organizations: the directory, and adding to it."""

from __future__ import annotations

import streamlit as st

from ui import frame
from ui.client import ApiError
from ui.i18n import t
from ui.widgets import attempt, show_flash, show_problem

LEVELS = ["commune", "epci", "departement", "region", "other"]
KINDS = ["startup", "company", "research_lab", "association"]

lang = frame.lang()
frame.require("admin")
st.title(t("nav_directory", lang))
show_flash()
api = frame.client()
authorities_tab, organizations_tab = st.tabs([t("dir_authorities", lang),
                                              t("dir_organizations", lang)])

with authorities_tab:
    with st.form("authority-new"):
        st.markdown(f"**{t('dir_new_authority', lang)}**")
        name = st.text_input(t("proto_name", lang))
        left, right = st.columns(2)
        level = left.selectbox(t("dir_level", lang), LEVELS,
                               format_func=lambda v: t(f"level_{v}", lang))
        code = right.text_input(t("dir_code", lang), help=t("dir_code_help", lang))
        if st.form_submit_button(t("save", lang), type="primary"):
            attempt(lambda: api.create_authority({"name": name, "level": level, "code": code}),
                    lang, done=t("saved", lang))
    try:
        rows = api.authorities(limit=200)["items"]
    except ApiError as exc:
        show_problem(exc, lang)
        rows = []
    st.dataframe([{t("proto_name", lang): a["name"],
                   t("dir_level", lang): t(f"level_{a['level']}", lang),
                   t("dir_code", lang): a["code"]} for a in rows],
                 hide_index=True, width="stretch")

with organizations_tab:
    with st.form("organization-new"):
        st.markdown(f"**{t('dir_new_organization', lang)}**")
        name = st.text_input(t("proto_name", lang))
        kind = st.selectbox(t("dir_kind", lang), KINDS,
                            format_func=lambda v: t(f"kind_{v}", lang))
        if st.form_submit_button(t("save", lang), type="primary"):
            attempt(lambda: api.create_organization({"name": name, "kind": kind}), lang,
                    done=t("saved", lang))
    try:
        rows = api.organizations(limit=200)["items"]
    except ApiError as exc:
        show_problem(exc, lang)
        rows = []
    st.dataframe([{t("proto_name", lang): o["name"],
                   t("dir_kind", lang): t(f"kind_{o['kind']}", lang)} for o in rows],
                 hide_index=True, width="stretch")
