"""Home: what the platform is and whether it is up."""

from __future__ import annotations

import streamlit as st

from ui import frame
from ui.i18n import t

lang = frame.lang()
st.title(t("title", lang))
st.write(t("tagline", lang))

api = frame.client()
health = api.health()
st.subheader(t("status", lang))
if not health.reachable:
    st.error(t("unreachable", lang, url=api.base_url))
else:
    (st.success if health.status == "ok" else st.warning)(
        t("all_ok", lang) if health.status == "ok" else t("degraded", lang))
    columns = st.columns(len(health.checks) + 1)
    columns[0].metric(t("api", lang), t("ok", lang))
    for column, (name, state) in zip(columns[1:], health.checks.items(), strict=True):
        column.metric(t(name, lang) if name in ("database", "object_store") else name,
                      t("ok", lang) if state == "ok" else t("down", lang))
