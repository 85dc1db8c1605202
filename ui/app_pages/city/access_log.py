"""Data access log: grants and every access, per pilot; CSV export; revoke or suspend."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import frame
from ui.client import ApiError
from ui.i18n import status, t
from ui.widgets import flash, paginate, show_flash, show_problem, status_markdown

LIMIT = 50

lang = frame.lang()
frame.require("city", "admin")
st.title(t("nav_access_log", lang))
show_flash()
api = frame.client()

try:
    pilots = {p["id"]: p for p in api.pilots(limit=200)["items"]}
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()
options: list[str] = ["", *pilots]
pilot_id = st.selectbox(t("log_pilot", lang), options,
                        format_func=lambda i: pilots[i]["title"] if i else t("log_all", lang))
filters: dict[str, Any] = {"pilot_id": pilot_id or None}


def confirmed_form(key: str, label: str, confirm_text: str) -> str | None:
    """A reason and a confirmation box; returns the reason once both are given."""
    with st.form(key, border=False):
        reason = st.text_input(t("col_reason", lang), key=f"{key}-reason")
        sure = st.checkbox(confirm_text, key=f"{key}-sure")
        if st.form_submit_button(label, type="primary"):
            if not reason.strip() or not sure:
                st.warning(t("log_need_reason", lang))
                return None
            return reason.strip()
    return None


st.subheader(t("log_grants", lang))
try:
    grants = api.grants(limit=200, **filters)["items"]
except ApiError as exc:
    show_problem(exc, lang)
    grants = []
if not grants:
    st.info(t("log_no_grants", lang))
for grant in grants:
    pilot = pilots.get(grant["pilot_id"], {})
    with st.expander(f"{pilot.get('title', grant['pilot_id'][:8])} · "
                     f"{', '.join(grant['columns'])} — {status(grant['status'], lang)}"):
        st.markdown(status_markdown(grant["status"], lang) + " · "
                    + t("log_extract", lang, state=status(grant["extract_status"], lang)))
        st.write(t("log_scope", lang, zones=", ".join(grant["zones"]),
                   start=grant["window_start"][:10], end=grant["window_end"][:10],
                   expires=grant["expires_at"][:16].replace("T", " ")))
        if grant["status"] == "active":
            reason = confirmed_form(f"revoke-{grant['id']}", t("log_revoke", lang),
                                    t("log_revoke_confirm", lang))
            if reason:
                try:
                    api.revoke_grant(grant["id"], reason)
                except ApiError as exc:
                    show_problem(exc, lang)
                else:
                    flash(t("log_revoked", lang))
                    st.rerun()

if pilot_id and pilots[pilot_id]["status"] in ("approved", "running"):
    with st.expander(t("log_suspend_pilot", lang), icon=":material/pause_circle:"):
        reason = confirmed_form("suspend", t("log_suspend", lang), t("log_suspend_confirm", lang))
        if reason:
            try:
                api.transition(pilot_id, "suspend", reason)
            except ApiError as exc:
                show_problem(exc, lang)
            else:
                flash(t("log_suspended", lang))
                st.rerun()

st.subheader(t("log_events", lang))
try:
    total = api.access_events(limit=1, **filters)["total"]
    offset = paginate("events", total, LIMIT, lang)
    events = api.access_events(limit=LIMIT, offset=offset, **filters)["items"]
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()
st.dataframe([{t("col_when", lang): e["at"][:19].replace("T", " "),
               t("log_who", lang): t(f"role_{e['actor_role']}", lang)
               if e.get("actor_role") in ("startup", "city", "admin") else "—",
               t("log_pilot", lang): pilots.get(e["pilot_id"], {}).get("title", ""),
               t("log_method", lang): t(f"method_{e['method']}", lang),
               t("log_objects", lang): ", ".join(e["objects"]),
               t("log_address", lang): e["client_address"]} for e in events],
             hide_index=True, width="stretch")
if total:
    st.download_button(t("log_csv", lang), data=lambda: api.access_events_csv(**filters),
                       file_name="journal-des-acces.csv" if lang == "fr"
                       else "access-log.csv", mime="text/csv", icon=":material/download:")
