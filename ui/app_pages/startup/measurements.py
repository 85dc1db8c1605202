"""Measurements: the startup's own readings for KPIs measured by upload; upload, replace,
withdraw, and the list with what evaluations count."""

from __future__ import annotations

import streamlit as st

from ui import frame
from ui.client import ApiError
from ui.i18n import status, t
from ui.widgets import attempt, flash, show_flash, show_problem

lang = frame.lang()
frame.require("startup")
st.title(t("nav_measurements", lang))
show_flash()
api = frame.client()

try:
    pilots = [p for p in api.pilots(limit=200)["items"]
              if p["status"] in ("approved", "running", "completed")]
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()
if not pilots:
    st.info(t("ms_no_pilot", lang))
    st.stop()
by_id = {p["id"]: p for p in pilots}
pilot_id = st.selectbox(t("log_pilot", lang), list(by_id),
                        format_func=lambda i: f"{by_id[i]['title']} "
                                              f"({status(by_id[i]['status'], lang)})")
protocol = by_id[pilot_id]["protocol"]
measured = [k for k in protocol["kpis"] + protocol.get("guardrails", [])
            if k["source"]["kind"] == "measurement"]
uploadable = [k["name"] for k in measured]
# a KPI by its label (with its code), as the protocol names it
label = {k["name"]: f"{k['label']} ({k['name']})" if k.get("label") else k["name"]
         for k in measured}

try:
    rows = api.measurements(pilot_id, limit=200)["items"]
except ApiError as exc:
    show_problem(exc, lang)
    st.stop()
current = {m["id"]: m for m in rows if m["status"] == "current"}

if not uploadable:
    st.info(t("ms_none_by_upload", lang))
else:
    st.caption(t("ms_contract", lang))
    with st.form("measurement"):
        kpi = st.selectbox(t("chart_kpi", lang), uploadable,
                           format_func=lambda k: label.get(k, k))
        replaces = st.selectbox(
            t("ms_replaces", lang), [None, *current],
            format_func=lambda i: t("ms_new_file", lang) if i is None
            else f"{current[i]['kpi']} · {current[i].get('filename') or ''} · "
                 f"{current[i]['rows']} {t('ms_rows', lang).lower()}")
        upload = st.file_uploader(t("ms_file", lang), type=["csv", "parquet"])
        if st.form_submit_button(t("cat_upload", lang), type="primary") and upload is not None:
            try:
                done = api.upload_measurement(pilot_id, kpi, upload.name, upload,
                                              replaces=replaces)
            except ApiError as exc:
                show_problem(exc, lang)
            else:
                flash(t("ms_uploaded", lang, rows=done["rows"], kpi=kpi))
                st.rerun()

if not rows:
    st.info(t("ms_none", lang))
else:
    st.dataframe([{t("chart_kpi", lang): label.get(m["kpi"], m["kpi"]),
                   t("ms_file", lang): m.get("filename") or "",
                   t("ms_rows", lang): m["rows"], t("ms_zones", lang): ", ".join(m["zones"]),
                   t("status_label", lang): t(f"ms_status_{m['status']}", lang)}
                  for m in rows], hide_index=True, width="stretch")
if current:
    with st.expander(t("ms_withdraw", lang), icon=":material/remove_circle:",
                     key="ms-withdraw"):
        with st.form("withdraw-measurement"):
            chosen = st.selectbox(t("ms_file", lang), list(current),
                                  format_func=lambda i: f"{current[i]['kpi']} · "
                                                        f"{current[i].get('filename') or ''}")
            reason = st.text_input(t("col_reason", lang), max_chars=2000)
            sure = st.checkbox(t("ms_withdraw_confirm", lang))
            if st.form_submit_button(t("ms_withdraw", lang)):
                if not sure:
                    st.warning(t("ms_withdraw_tick", lang))
                else:
                    attempt(lambda: api.withdraw_measurement(pilot_id, chosen, reason.strip()),
                            lang, done=t("ms_withdrawn", lang))
