"""Pilots: a startup's own, every pilot an authority is involved in, all for the admin."""

from __future__ import annotations

import streamlit as st

from ui import frame
from ui.app_pages.shared.pilot_detail import render
from ui.client import ApiError
from ui.i18n import STATUSES, status, t
from ui.widgets import paginate, show_problem

PILOT_STATUSES = ["draft", "submitted", "changes_requested", "approved", "rejected", "running",
                  "suspended", "completed", "evaluated"]
LIMIT = 20

lang = frame.lang()
user = frame.require("startup", "city", "admin")
st.title(t("nav_pilots" if user["role"] == "startup" else "nav_portfolio", lang))
api = frame.client()

chosen = st.pills(t("status_label", lang), PILOT_STATUSES, selection_mode="multi",
                  format_func=lambda s: STATUSES[s][lang], key="pilot-status")
try:
    page = api.pilots(status=chosen[0] if len(chosen) == 1 else None, limit=200)
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()
items = [p for p in page["items"] if not chosen or p["status"] in chosen]
counts = {s: sum(1 for p in page["items"] if p["status"] == s) for s in PILOT_STATUSES}
st.caption(" · ".join(f"{status(s, lang)} : {n}" for s, n in counts.items() if n))

if not items:
    st.info(t("no_pilots", lang))
offset = paginate("pilots", len(items), LIMIT, lang)
zones = api.zones()
for pilot in items[offset:offset + LIMIT]:
    with st.expander(f"{pilot['title']} — {status(pilot['status'], lang)}"):
        render(api, pilot, str(user["role"]), lang, zones)
