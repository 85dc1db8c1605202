"""Terrain's home page: what the platform is and whether it is up."""

from __future__ import annotations

import streamlit as st

from ui.client import ApiClient
from ui.i18n import Lang, t

st.set_page_config(page_title="Terrain", page_icon="🌿", layout="wide")

lang: Lang = st.sidebar.radio(
    "Langue / Language", options=["fr", "en"], format_func=lambda v: {"fr": "Français",
                                                                       "en": "English"}[v],
    horizontal=True,
)
st.title(t("title", lang))
st.write(t("tagline", lang))

client = ApiClient()
health = client.health()
st.subheader(t("status", lang))
if not health.reachable:
    st.error(t("unreachable", lang, url=client.base_url))
else:
    (st.success if health.status == "ok" else st.warning)(
        t("all_ok", lang) if health.status == "ok" else t("degraded", lang)
    )
    columns = st.columns(len(health.checks) + 1)
    columns[0].metric(t("api", lang), t("ok", lang))
    for column, (name, state) in zip(columns[1:], health.checks.items(), strict=True):
        column.metric(t(name, lang) if name in ("database", "object_store") else name,
                      t("ok", lang) if state == "ok" else t("down", lang))
